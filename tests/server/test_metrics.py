"""server/metrics.py: `GET /metrics` on a real server, parsed as Prometheus
parses it: clients per role, requests and errors per type, commit and
fan-out latency, tickets waiting per service; each server its own registry."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from websockets.sync.client import connect as ws_connect

from server.metrics import LightHistogram
from tests.server.servers import Servers
from tests.server.wire import RawClient, health, hello_frame
from tests.support import ServerThread, open_counter

Connect = Callable[..., RawClient]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: ServerThread) -> tuple[str, str, Samples]:
    """(content type, body, every sample by name and labels)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as r:
        assert r.status == 200
        content_type = r.headers["Content-Type"]
        body = r.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return content_type, body, samples


def test_metrics_of_a_working_office(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk", "kiosk-1")
    display = connect(server, "display", "display-1")
    counter = connect(server, "counter", "counter-1")
    connect(server, "supervisor", "supervisor-1")
    for service in "AAAB":
        kiosk.ok("ticket.issue", service=service)
    assert kiosk.request("ticket.issue", service="Z")["code"] == "not_found"
    kiosk.send({"type": "ticket.issue", "id": 7, "service": "A"})  # a number is no id
    kiosk.raw_answer(None)
    open_counter(counter, "1", ["A"])
    counter.ok("ticket.call_next", counter="1")
    with ws_connect(server.url) as ws:  # a hello with a wrong token, refused
        ws.send(hello_frame("kiosk", "kiosk-9", token="wrong"))
        assert json.loads(ws.recv(5))["code"] == "unauthorized"
    display.stream_through(health(server.port)["seq"])

    content_type, body, samples = scrape(server)
    assert content_type.startswith("text/plain") and "version=" in content_type

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert [value("antrean_clients", role=role) for role in
            ("kiosk", "display", "counter", "supervisor")] == [1, 1, 1, 1]
    assert value("antrean_tickets_waiting", service="A") == 2
    assert value("antrean_tickets_waiting", service="B") == 1
    assert value("antrean_tickets_waiting", service="C") == 0
    assert value("antrean_event_seq") == health(server.port)["seq"]
    assert value("antrean_requests_total", type="ticket.issue") == 5
    assert value("antrean_requests_total", type="ticket.call_next") == 1
    assert value("antrean_requests_total", type="login") == 1
    assert value("antrean_requests_total", type="hello") == 5
    assert value("antrean_request_errors_total", type="ticket.issue", code="not_found") == 1
    assert value("antrean_request_errors_total", type="(invalid)", code="bad_request") == 1
    assert value("antrean_request_errors_total", type="hello", code="unauthorized") == 1
    assert ("antrean_request_errors_total", (("code", "not_found"), ("type", "ping"))) not in (
        samples)
    commits = value("antrean_commit_seconds_count")
    assert commits >= 1 and value("antrean_commit_seconds_sum") > 0
    assert value("antrean_commit_seconds_bucket", le="+Inf") == commits
    # 4 issues, the counter's open and its call (a commit may carry several).
    assert value("antrean_commit_size_sum") == 6
    assert value("antrean_fanout_seconds_count") == commits
    assert value("antrean_commit_failures_total") == 0
    # Counts only: no staff, device or token appears.
    for secret in ("demo", "kiosk-1", "counter-1", "wrong", "demo-kiosk"):
        assert secret not in body


def test_each_server_has_its_own_registry(servers: Servers, server: ServerThread,
                                          connect: Connect) -> None:
    connect(server, "kiosk", "kiosk-1").ok("ticket.issue", service="A")
    other = Servers(servers.db_url.replace("antrean.db", "other.db"))
    try:
        second = other.start()
        _, _, samples = scrape(second)
        assert ("antrean_requests_total", (("type", "ticket.issue"),)) not in samples
        assert samples[("antrean_clients", (("role", "kiosk"),))] == 0
        _, _, first = scrape(server)
        assert first[("antrean_requests_total", (("type", "ticket.issue"),))] == 1
    finally:
        other.stop_all()


def test_metrics_answer_a_plain_scrape_before_any_client(server: ServerThread) -> None:
    _, body, samples = scrape(server)
    assert samples[("antrean_event_seq", ())] == 0
    assert "# TYPE antrean_commit_seconds histogram" in body
    assert "# HELP antrean_tickets_waiting" in body


def test_the_light_histogram_exposes_what_prometheus_clients_histogram_does() -> None:
    """Same bucket rule (`le` inclusive), counts, sum and text as the library's."""
    ours = LightHistogram("antrean_x_seconds", "A test histogram", (0.001, 0.01, 1.0))
    mine = CollectorRegistry()
    mine.register(_Families(ours))
    theirs = CollectorRegistry()
    reference = Histogram("antrean_x_seconds", "A test histogram",
                          buckets=(0.001, 0.01, 1.0), registry=theirs)
    for value in (0.0005, 0.001, 0.0011, 0.01, 0.5, 1.0, 7.0):
        ours.observe(value)
        reference.observe(value)
    # (the library's own also says when it was created)
    expected = b"".join(line + b"\n" for line in generate_latest(theirs).splitlines()
                        if b"_created" not in line)
    assert generate_latest(mine) == expected


class _Families(Collector):
    def __init__(self, histogram: LightHistogram) -> None:
        self.histogram = histogram

    def collect(self) -> Iterator[Metric]:
        yield self.histogram.family()
