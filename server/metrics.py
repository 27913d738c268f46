"""`GET /metrics`: the server's figures in the Prometheus text format
(prometheus-client), in a registry of this server's own (never the
library's global one: two servers in one process, as in the tests, keep
their figures apart).

The hot path pays almost nothing: a request adds 1 to a plain dict entry;
a group commit (not each request) adds to three histograms of plain counts.
Everything else — clients per role, tickets waiting, the last seq — is read
from the server's state when Prometheus scrapes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from itertools import accumulate
from typing import TYPE_CHECKING

from websockets.datastructures import Headers
from websockets.http11 import Response

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import HistogramMetricFamily
    from prometheus_client.metrics_core import Metric

# Seconds: a commit on SQLite with synchronous=FULL takes a few ms, on a busy
# disk or a remote PostgreSQL tens; a fan-out to thousands of screens, tens.
COMMIT_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5)
FANOUT_BUCKETS = (0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
UNPARSED = "(invalid)"  # the type label of a frame that is not a valid request


class LightHistogram:
    """Bucket counts kept as plain integers (an observation is a bisect and
    an add, about a tenth of prometheus-client's locked Histogram), exposed
    as a standard Prometheus histogram at scrape time."""

    __slots__ = ("bounds", "counts", "doc", "name", "total")

    def __init__(self, name: str, doc: str, bounds: tuple[float, ...]) -> None:
        self.name = name
        self.doc = doc
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one: above every bound (+Inf)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def family(self) -> HistogramMetricFamily:
        from prometheus_client.core import HistogramMetricFamily

        cumulative = list(accumulate(self.counts))
        buckets = [(repr(float(bound)), count)  # as the library writes them: 0.001, 1.0
                   for bound, count in zip(self.bounds, cumulative, strict=False)]
        buckets.append(("+Inf", cumulative[-1]))
        return HistogramMetricFamily(self.name, self.doc, buckets=buckets, sum_value=self.total)


class _StateCollector:
    """Figures read from the running server at scrape time."""

    def __init__(self, metrics: ServerMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        state = self.metrics.state
        clients = GaugeMetricFamily("antrean_clients", "Connected clients (after hello), by role",
                                    labels=["role"])
        for role, count in sorted(state.clients().items()):
            clients.add_metric([role], count)
        yield clients
        waiting = GaugeMetricFamily("antrean_tickets_waiting",
                                    "Tickets waiting to be called, by service",
                                    labels=["service"])
        for service, count in sorted(state.waiting().items()):
            waiting.add_metric([service], count)
        yield waiting
        yield GaugeMetricFamily("antrean_event_seq", "The last committed event seq",
                                value=state.seq())
        requests = CounterMetricFamily("antrean_requests", "Requests received, by type",
                                       labels=["type"])
        for type_, count in sorted(self.metrics.requests.items()):
            requests.add_metric([type_], count)
        yield requests
        errors = CounterMetricFamily("antrean_request_errors",
                                     "Error answers sent, by request type and error code",
                                     labels=["type", "code"])
        for (type_, code), count in sorted(self.metrics.errors.items()):
            errors.add_metric([type_, code], count)
        yield errors
        for histogram in (self.metrics.commit_seconds, self.metrics.commit_size,
                          self.metrics.fanout_seconds):
            yield histogram.family()
        yield CounterMetricFamily("antrean_commit_failures",
                                  "Group commits the database refused (answered internal)",
                                  value=self.metrics.commit_failures)


class ServerState:
    """What the collector reads from the server: given as callables, so this
    module does not depend on the server's class."""

    def __init__(self, clients: Callable[[], Mapping[str, int]],
                 waiting: Callable[[], Mapping[str, int]], seq: Callable[[], int]) -> None:
        self.clients = clients
        self.waiting = waiting
        self.seq = seq


class ServerMetrics:
    """One server's figures and its own registry."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._registry: CollectorRegistry | None = None
        self.requests: Counter[str] = Counter()
        self.errors: Counter[tuple[str, str]] = Counter()
        self.commit_failures = 0
        self.commit_seconds = LightHistogram(
            "antrean_commit_seconds", "Time to write one group commit to the database",
            COMMIT_BUCKETS)
        self.commit_size = LightHistogram(
            "antrean_commit_size", "Changes (requests and day rolls) per group commit",
            (1, 2, 4, 8, 16, 32, 64, 128, 256))
        self.fanout_seconds = LightHistogram(
            "antrean_fanout_seconds",
            "Time to hand one commit's answers and events to every connection",
            FANOUT_BUCKETS)

    def error(self, type_: str, code: str) -> None:
        self.errors[(type_, code)] += 1

    def committed(self, seconds: float, changes: int) -> None:
        self.commit_seconds.observe(seconds)
        self.commit_size.observe(changes)

    @property
    def registry(self) -> CollectorRegistry:
        """This server's registry, made at the first scrape: prometheus-client
        (60 ms of imports) stays out of the server's start-up."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry

            self._registry = CollectorRegistry(auto_describe=False)
            self._registry.register(_StateCollector(self))
        return self._registry

    def text(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)

    def response(self) -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST

        body = self.text()
        headers = Headers([("Content-Type", CONTENT_TYPE_LATEST),
                           ("Content-Length", str(len(body))),
                           ("Cache-Control", "no-store")])
        return Response(HTTPStatus.OK, "OK", headers, body)
