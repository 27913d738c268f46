"""Who is called next, how many are ahead, and how long the wait is.

The call-next rule:
1. Priority tickets (elderly, disabled, pregnant, small children) go first,
2. except that after `priority_cap` priority calls in a row (office-wide),
   a regular ticket that has waited longer than `regular_max_wait_minutes`
   goes next, so regular visitors are never starved;
3. within a lane, across the services a counter serves, the longest wait
   (times the service's weight) goes first.
A transferred ticket keeps its first arrival, so it keeps its place.

Appointments (a checked-in booking) wait in a lane of their own, ordered by
their slot's start. Once its slot has begun, an appointment is preferred like
a priority ticket and shares the priority lane's streak and fairness cap;
before that it only competes with the walk-ins, as if it had arrived at its
slot's start (so it is still called when nobody else waits).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from antrean.core.model import PolicySpec, Priority, Ticket

QueueKey = tuple[float, str]  # (first arrival as a POSIX timestamp, ticket id)


@dataclass(slots=True)
class ServiceQueue:
    """The waiting tickets of one service, each lane ordered by first arrival."""

    priority: list[QueueKey] = field(default_factory=list)
    regular: list[QueueKey] = field(default_factory=list)
    appointment: list[QueueKey] = field(default_factory=list)  # ordered by slot start

    def lane(self, ticket: Ticket) -> list[QueueKey]:
        if ticket.slot_at is not None:
            return self.appointment
        return self.priority if ticket.priority is Priority.PRIORITY else self.regular

    def add(self, ticket: Ticket) -> None:
        lane = self.lane(ticket)
        key = queue_key(ticket)
        if not lane or lane[-1] < key:
            lane.append(key)  # the usual case: a new arrival joins the end
        else:
            insort(lane, key)

    def remove(self, ticket: Ticket) -> None:
        lane = self.lane(ticket)
        key = queue_key(ticket)
        index = bisect_left(lane, key)
        if index < len(lane) and lane[index] == key:
            del lane[index]

    def index(self, ticket: Ticket) -> int:
        lane = self.lane(ticket)
        key = queue_key(ticket)
        if lane and lane[-1] == key:
            return len(lane) - 1
        index = bisect_left(lane, key)
        if index >= len(lane) or lane[index] != key:
            raise KeyError(ticket.id)
        return index

    def __len__(self) -> int:
        return len(self.priority) + len(self.regular) + len(self.appointment)

    def overdue_regulars(self, policy: PolicySpec, now: datetime) -> int:
        """How many regular tickets have waited longer than the fairness limit."""
        limit = (now - timedelta(minutes=policy.regular_max_wait_minutes)).timestamp()
        # Lanes are sorted by arrival: the overdue ones are a prefix.
        return bisect_left(self.regular, (limit, ""))


def queue_key(ticket: Ticket) -> QueueKey:
    if ticket.slot_at is not None:
        return (ticket.slot_at.timestamp(), ticket.id)
    return (ticket.issued_at.timestamp(), ticket.id)


@dataclass(frozen=True, slots=True)
class Pick:
    service: str  # the queue it came from (a service code, or "D:2" for a later step)
    ticket_id: str
    priority: bool  # a preferred call (priority lane or a begun appointment): counts in the streak
    lane: str = "regular"


def choose_next(
    queues: Mapping[str, ServiceQueue],
    services: Iterable[str],
    weights: Mapping[str, float],
    streak: int,
    policy: PolicySpec,
    now: datetime,
) -> Pick | None:
    """The ticket a counter serving `services` calls next, or None."""
    return _choose(queues, services, weights, streak, policy, now, {})


def _choose(
    queues: Mapping[str, ServiceQueue],
    services: Iterable[str],
    weights: Mapping[str, float],
    streak: int,
    policy: PolicySpec,
    now: datetime,
    taken: Mapping[tuple[str, str], int],
) -> Pick | None:
    best_priority: _Candidate | None = None
    best_regular: _Candidate | None = None
    overdue = False
    moment = now.timestamp()
    limit = moment - policy.regular_max_wait_minutes * 60
    for code in services:
        queue = queues.get(code)
        if queue is None:
            continue
        weight = weights.get(code, 1.0)
        for lane_name, lane in (("priority", queue.priority), ("regular", queue.regular),
                                ("appointment", queue.appointment)):
            position = taken.get((code, lane_name), 0)
            if position >= len(lane):
                continue
            head = lane[position]
            score = (moment - head[0]) * weight
            candidate = (score, code, head, lane_name)
            if lane_name == "priority" or (lane_name == "appointment" and head[0] <= moment):
                if best_priority is None or _better(candidate, best_priority):
                    best_priority = candidate
            else:
                if best_regular is None or _better(candidate, best_regular):
                    best_regular = candidate
                overdue = overdue or (lane_name == "regular" and head[0] < limit)
    if best_priority is not None and not (
        streak >= policy.priority_cap and overdue and best_regular is not None
    ):
        return Pick(best_priority[1], best_priority[2][1], True, best_priority[3])
    if best_regular is not None:
        return Pick(best_regular[1], best_regular[2][1], False, best_regular[3])
    return None


_Candidate = tuple[float, str, QueueKey, str]  # (weighted wait, queue, key, lane)


def _better(a: _Candidate, b: _Candidate) -> bool:
    """Higher weighted wait wins; ties go to the earlier arrival."""
    if a[0] != b[0]:
        return a[0] > b[0]
    return a[2] < b[2]


def next_streak(streak: int, picked_priority: bool) -> int:
    return streak + 1 if picked_priority else 0


def call_order(
    queues: Mapping[str, ServiceQueue],
    services: Sequence[str],
    weights: Mapping[str, float],
    streak: int,
    policy: PolicySpec,
    now: datetime,
) -> list[str]:
    """Ticket ids in the order one counter serving all `services` would call them."""
    taken: dict[tuple[str, str], int] = {}
    order: list[str] = []
    total = sum(len(queues[code]) for code in services if code in queues)
    while len(order) < total:
        pick = _choose(queues, services, weights, streak, policy, now, taken)
        if pick is None:  # pragma: no cover - total counts exactly what can be picked
            break
        order.append(pick.ticket_id)
        key = (pick.service, pick.lane)
        taken[key] = taken.get(key, 0) + 1
        streak = next_streak(streak, pick.priority)
    return order


def ahead_of(
    queue: ServiceQueue, ticket: Ticket, streak: int, policy: PolicySpec, now: datetime
) -> int:
    """Waiting tickets of the same service that the policy calls before `ticket`.

    Closed form of the call-next rule on one service: priority tickets come in
    runs (the first run tops the current streak up to the cap, later runs are
    `cap` long), each run followed by one overdue regular while any remain.
    """
    if queue.appointment:  # three lanes: no closed form, ask the rule itself
        return call_order({"": queue}, [""], {}, streak, policy, now).index(ticket.id)
    cap = max(1, policy.priority_cap)
    first_run = max(0, cap - streak)
    overdue = queue.overdue_regulars(policy, now)
    priorities = len(queue.priority)
    index = queue.index(ticket)
    if ticket.priority is Priority.PRIORITY:
        overdue_before = 0 if index < first_run else 1 + (index - first_run) // cap
        return index + min(overdue, overdue_before)
    if index < overdue:
        return index + min(priorities, first_run + cap * index)
    return index + priorities


def eta_minutes(ahead: int, service_minutes: float, open_counters: int) -> int:
    """Minutes until the ticket is likely called: the work ahead shared by the
    counters open for the service (at least one is assumed)."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_minutes / max(1, open_counters))


PACE_MIN_CALLS = 3  # timed calls before the learned pace replaces the first estimate
PACE_ALPHA = 0.1  # weight of each new interval in the pace
PRIORITY_SHARE_CAP = 0.5


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast a service's queue moves while people wait for it, learned
    from today's calls (so it follows the hour: staffing, breaks, shared
    counters, walks to the desk and no-shows all show in it).

    `per_call` is the moving average of counter-minutes between two calls
    from the queue while people kept waiting (the interval times the
    counters open for the service), `priority` the moving share of calls
    that went to the priority lane, `busy_since` the last call that left
    people waiting (None while nobody waits, or since someone came to an
    empty queue: the next call then shows how quickly a free counter
    reacts, not how fast the queue moves)."""

    per_call: float | None = None
    priority: float = 0.0
    calls: int = 0
    busy_since: datetime | None = None

    def to_wire(self) -> dict[str, object]:
        return {"per_call": self.per_call, "priority": self.priority, "calls": self.calls,
                "busy_since": self.busy_since.isoformat(timespec="milliseconds")
                if self.busy_since else None}

    @classmethod
    def from_wire(cls, raw: dict[str, object]) -> Pace:
        per_call = raw.get("per_call")
        since = raw.get("busy_since")
        priority = raw.get("priority", 0.0)
        calls = raw.get("calls", 0)
        return cls(float(per_call) if isinstance(per_call, int | float) else None,
                   float(priority) if isinstance(priority, int | float) else 0.0,
                   int(calls) if isinstance(calls, int) else 0,
                   datetime.fromisoformat(since) if isinstance(since, str) else None)


def paced_after_call(pace: Pace, at: datetime, open_counters: int, priority: bool,
                     still_waiting: bool, alpha: float, prior: float) -> Pace:
    """The pace after a call from the queue at `at`. The average starts from
    `prior` (the service-time estimate), not from the first interval: two
    counters opening together call seconds apart, and an average begun
    there took most of a morning to recover (measured: ETAs a third of the
    real wait until 09:00 on the example office)."""
    per_call, share, calls = pace.per_call, pace.priority, pace.calls
    if pace.busy_since is not None:
        sample = (at - pace.busy_since).total_seconds() / 60 * max(1, open_counters)
        per_call = (1 - alpha) * (prior if per_call is None else per_call) + alpha * sample
        share = (1 - alpha) * share + alpha * (1.0 if priority else 0.0)
        calls += 1
    return Pace(per_call, share, calls, at if still_waiting else None)


def paced_eta_minutes(ahead: int, pace: Pace, open_counters: int, priority: bool) -> int | None:
    """Minutes until the ticket is likely called, from the learned pace: the
    calls before it (`ahead`, less the counters free now; for a regular
    ticket, also the priority visitors who will arrive meanwhile and go
    first) at the pace of the counters open now, plus half a call's time
    for the counter to come free. None until the pace is known."""
    if pace.per_call is None or pace.calls < PACE_MIN_CALLS:
        return None
    if ahead < 0:  # a counter is free for it
        return 0
    calls = ahead + 0.5
    if not priority:
        calls /= 1 - min(pace.priority, PRIORITY_SHARE_CAP)
    return math.ceil(calls * pace.per_call / max(1, open_counters))


def updated_estimate(previous: float, observed_minutes: float, alpha: float) -> float:
    """Moving estimate of service time; one absurd ticket cannot wreck it."""
    observed = min(max(observed_minutes, 0.5), 120.0)
    return (1 - alpha) * previous + alpha * observed
