"""Random office days: several counters on overlapping services, priority and
regular visitors, calls, recalls, transfers, no-shows, pauses, quota and
service changes, with a moving clock and day rolls.

After every step the machine checks that
- a refused command changed nothing, and an accepted one emitted events with
  consecutive `seq`;
- no ticket is called twice while it is held and no number repeats in a day;
- the state is consistent (see `check_consistent`);
- call_next follows the rule: priority first, except that after
  `priority_cap` priority calls in a row an overdue regular goes next; within
  a lane the longest weighted wait (checked against an oracle that works from
  the tickets, not from the queues);
- `ahead` is the position in the service's call order;
- replaying the events on a fresh office (directly, and through their JSON
  wire form as the store and the clients see them) gives the same state;
- a client mirror built from a snapshot and fed the later events shows what
  the server shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from antrean.core.model import (
    Counter,
    CounterState,
    DomainError,
    PolicySpec,
    Priority,
    StaffRef,
    Status,
    Text,
    Ticket,
)
from antrean.core.office import Event, Office
from tests.core.builders import (
    DEVICE,
    INTRUDER,
    OPENING,
    TZ,
    check_consistent,
    office_spec,
    state_of,
)

SERVICES = ("A", "B", "C", "D")
SEQ_AT_START = 41  # the server's seq carries on across days and restarts
# Mostly sensible choices; now and then an unknown service or counter, or a
# device that does not hold the counter.
ANY_SERVICE = st.sampled_from((*SERVICES, *SERVICES, "A", "B", "Z"))
A_DEVICE = st.sampled_from(("own",) * 7 + (INTRUDER,))
PICK = st.integers(0, 10**6)
STEP = st.one_of(
    st.integers(0, 90 * 10**6).map(lambda us: timedelta(microseconds=us)),
    # None: the next morning.
    st.sampled_from([*(timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30)), None]),
)
TEXTS = st.sampled_from([
    Text("Loket 3 istirahat sebentar", "Counter 3 is on a short break"),
    Text("Harap antre dengan tertib", ""),
    Text("", "Please keep your ticket"),
    Text("  ", ""),
])


def observable(office: Office, now: datetime) -> dict[str, Any]:
    """What a client can see: the snapshot (JSON-ready), with the called and
    serving tickets as a set (the protocol orders only the waiting ones)."""
    snap = office.snapshot(now)
    waiting = [t for t in snap["tickets"] if t["status"] == "waiting"]
    rest = sorted((t for t in snap["tickets"] if t["status"] != "waiting"), key=lambda t: t["id"])
    snap["tickets"] = waiting + rest
    return snap


def over_the_wire(office: Office, change: Event) -> Event:
    """The event as the store keeps it and a client receives it."""
    data = json.loads(json.dumps(office.event_data(change)))
    at = change.at.isoformat(timespec="milliseconds")
    return office.event_from_wire(change.seq, change.name, at, data)


def is_free(counter: Counter) -> bool:
    return counter.state is CounterState.OPEN and counter.ticket is None


class OfficeDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = OPENING.astimezone(UTC)  # the server's clock is UTC

    @initialize(
        cap=st.integers(1, 4),
        max_wait=st.sampled_from([0.0, 3.0, 15.0]),
        alpha=st.sampled_from([0.2, 0.5]),
        counters=st.sets(st.sampled_from(["1", "2", "3", "4"]), min_size=1),
        visitors=st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from(Priority)),
                          max_size=12),
    )
    def morning(self, cap: int, max_wait: float, alpha: float, counters: set[str],
                visitors: list[tuple[str, Priority]]) -> None:
        """The office opens: the policy, some counters open, the first visitors."""
        self.policy = PolicySpec(
            priority_cap=cap, regular_max_wait_minutes=max_wait, estimate_alpha=alpha
        )
        spec = office_spec(policy=self.policy)
        self.office = Office(spec, OPENING.date(), seq=SEQ_AT_START)
        self.replica = Office(spec, OPENING.date(), seq=SEQ_AT_START)
        self.wire_replica = Office(spec, OPENING.date(), seq=SEQ_AT_START)
        self.mirror: Office | None = None
        self.numbers_today: set[str] = set()
        self.priority_calls_in_a_row = 0
        for counter in sorted(counters):
            services = self.office.counters[counter].spec.services
            self.run(partial(self.office.open_counter, counter, services, DEVICE[counter], None,
                             self.now))
        for code, priority in visitors:
            self.now += timedelta(seconds=20)
            self.run(partial(self.office.issue, code, priority, "id", self.now),
                     "service_closed", "quota_exhausted")

    # ------------------------------------------------------------ plumbing
    def run(self, command: Callable[[], list[Event]], *allowed: str) -> list[Event] | None:
        """Run one command as the server does (rolling the day first when it
        has turned); a refusal must carry an allowed code and change nothing."""
        self.roll_if_due()
        before = state_of(self.office)
        try:
            events = command()
        except DomainError as refusal:
            event(f"refused: {refusal.code}")
            assert refusal.code in allowed, (refusal.code, refusal.message)
            assert state_of(self.office) == before
            return None
        self.absorb(events)
        return events

    def roll_if_due(self) -> None:
        if self.office.needs_roll(self.now):
            self.absorb(self.office.roll_day(self.now))

    def absorb(self, events: list[Event]) -> None:
        for change in events:
            event(f"{change.name} {change.extra.get('via', '')}".strip())
            assert change.seq == self.replica.seq + 1
            self.check_event(change)
            self.replica.apply(change)
            self.wire_replica.apply(over_the_wire(self.office, change))
            if self.mirror is not None:
                self.mirror.apply(over_the_wire(self.office, change))

    def check_event(self, change: Event) -> None:
        """Rules checked against the state before the event (the replica)."""
        if change.name == "ticket.issued":
            assert change.ticket is not None
            assert change.ticket.number not in self.numbers_today, "number reused"
            self.numbers_today.add(change.ticket.number)
        elif change.name == "ticket.called":
            ticket = change.ticket
            assert ticket is not None
            before = self.replica.tickets[ticket.id]
            if change.extra["via"] == "recall":
                assert before.status is Status.CALLED and before.counter == ticket.counter
            else:
                assert before.status is Status.WAITING, "a held ticket was called again"
                assert self.replica.counters[str(ticket.counter)].ticket is None
            if change.extra["via"] == "next":
                if ticket.priority is Priority.PRIORITY:
                    self.priority_calls_in_a_row += 1
                else:
                    self.priority_calls_in_a_row = 0
        elif change.name == "day.rolled":
            self.numbers_today.clear()
            self.priority_calls_in_a_row = 0

    def counter(self, pick: int, wanted: Callable[[Counter], bool]) -> str:
        """Usually a counter where the command makes sense; sometimes any
        counter, or one that does not exist."""
        self.roll_if_due()
        if pick % 10 == 9:
            return "9"
        ids = sorted(self.office.counters)
        if pick % 10 != 8:
            ids = [i for i in ids if wanted(self.office.counters[i])] or ids
        return ids[pick // 10 % len(ids)]

    def ticket(self, pick: int, wanted: Callable[[Ticket], bool]) -> Ticket | None:
        """Usually a ticket where the command makes sense; sometimes any."""
        self.roll_if_due()
        ids = sorted(self.office.tickets)
        if pick % 5 != 4:
            ids = [i for i in ids if wanted(self.office.tickets[i])] or ids
        return self.office.tickets[ids[pick // 5 % len(ids)]] if ids else None

    def device_for(self, counter_id: str | None, who: str) -> str:
        return DEVICE.get(counter_id or "", "console-9") if who == "own" else who

    # --------------------------------------------------------------- time
    @rule(step=STEP)
    def time_passes(self, step: timedelta | None) -> None:
        """A moment, minutes, or (now and then) the next morning."""
        if step is not None:
            self.now += step
            return
        tomorrow = self.office.day_at(self.now) + timedelta(days=1)
        self.now = datetime.combine(tomorrow, time(7, 15), TZ).astimezone(UTC)

    # ------------------------------------------------------------ visitors
    @rule(code=ANY_SERVICE, priority=st.sampled_from(Priority), lang=st.sampled_from(["id", "en"]),
          count=st.integers(1, 3))
    def take_a_number(self, code: str, priority: Priority, lang: str, count: int) -> None:
        for _ in range(count):
            events = self.run(lambda: self.office.issue(code, priority, lang, self.now),
                              "not_found", "service_closed", "quota_exhausted")
            if events is not None:
                ticket = events[0].ticket
                assert ticket is not None and ticket.status is Status.WAITING
                assert timedelta(0) <= self.now - ticket.issued_at < timedelta(milliseconds=1)

    # ------------------------------------------------------------ counters
    @rule(
        pick=PICK,
        services=st.one_of(st.none(), st.lists(ANY_SERVICE, max_size=3)),
        who=A_DEVICE,
        staff=st.sampled_from([None, StaffRef("demo", "Petugas Demo")]),
    )
    def open_counter(self, pick: int, services: list[str] | None, who: str,
                     staff: StaffRef | None) -> None:
        """Open or resume a counter, or change its services; None stands for
        the services the counter is configured with."""
        counter = self.counter(pick, lambda c: c.state is not CounterState.OPEN)
        device = self.device_for(counter, who)
        known = self.office.counters.get(counter)
        codes = services if services is not None else (known.spec.services if known else ["A"])
        self.run(lambda: self.office.open_counter(counter, codes, device, staff, self.now),
                 "not_found", "bad_request", "conflict")

    @rule(pick=PICK, who=A_DEVICE, close=st.sampled_from([False, False, True]))
    def pause_or_close_counter(self, pick: int, who: str, close: bool) -> None:
        counter = self.counter(pick, is_free)
        device = self.device_for(counter, who)
        command = self.office.close_counter if close else self.office.pause_counter
        self.run(lambda: command(counter, device, self.now), "not_found", "conflict")

    @rule(pick=PICK, who=A_DEVICE)
    def call_next(self, pick: int, who: str) -> None:
        counter = self.counter(pick, is_free)
        device = self.device_for(counter, who)
        expected = self.expected_pick(counter)
        events = self.run(lambda: self.office.call_next(counter, device, self.now),
                          "not_found", "conflict")
        if events is None:
            return
        called = events[0].ticket if events else None
        assert (called.id if called else None) in expected

    def expected_pick(self, counter_id: str) -> set[str | None]:
        """The tickets the rule allows call_next to take, worked out from the
        waiting tickets themselves (an oracle independent of the queues)."""
        counter = self.office.counters.get(counter_id)
        if counter is None:
            return {None}
        waiting = [t for t in self.office.tickets.values()
                   if t.status is Status.WAITING and t.service in counter.services]
        priority = [t for t in waiting if t.priority is Priority.PRIORITY]
        regular = [t for t in waiting if t.priority is Priority.REGULAR]
        limit = timedelta(minutes=self.policy.regular_max_wait_minutes)
        overdue = any(self.now - t.issued_at > limit for t in regular)
        if self.priority_calls_in_a_row >= self.policy.priority_cap and overdue:
            event("the fairness cap lets a regular visitor through")
            lane = regular
        else:
            lane = priority or regular
        if not lane:
            return {None}

        def weighted_wait(t: Ticket) -> float:
            return (self.now - t.issued_at).total_seconds() * self.office.weights[t.service]

        best = max(weighted_wait(t) for t in lane)
        # Equal weighted waits (up to float noise) may go either way.
        return {t.id for t in lane if weighted_wait(t) >= best - 1e-6}

    @rule(pick=PICK, ticket_pick=PICK, who=A_DEVICE,
          reason=st.sampled_from(["dokumen lengkap", "dokumen lengkap", "", "   "]))
    def call_a_specific_ticket(self, pick: int, ticket_pick: int, who: str, reason: str) -> None:
        counter = self.counter(pick, is_free)
        ticket = self.ticket(ticket_pick, lambda t: t.status is Status.WAITING)
        ref = ticket.number if ticket else "A001"
        device = self.device_for(counter, who)
        streak = self.office.streak
        events = self.run(lambda: self.office.call(counter, ref, reason, device, self.now),
                          "not_found", "conflict", "bad_request")
        if events is not None:
            assert ticket is not None and ticket.status is Status.WAITING
            assert self.office.streak == streak

    @rule(
        action=st.sampled_from(["recall", "start", "start", "complete", "complete", "no_show",
                                "transfer", "transfer"]),
        pick=PICK,
        who=A_DEVICE,
        code=ANY_SERVICE,
    )
    def console_acts_on_a_ticket(self, action: str, pick: int, who: str, code: str) -> None:
        ticket = self.ticket(pick, lambda t: t.status in (Status.CALLED, Status.SERVING))
        if ticket is None:
            return
        device = self.device_for(ticket.counter, who)
        if action == "transfer":
            events = self.run(lambda: self.office.transfer(ticket.id, code, device, self.now),
                              "conflict", "not_found", "service_closed")
            if events is not None:
                moved = events[0].ticket
                assert moved is not None
                assert (moved.number, moved.issued_at) == (ticket.number, ticket.issued_at)
            return
        command = getattr(self.office, action)
        self.run(lambda: command(ticket.id, device, self.now), "conflict")

    # ---------------------------------------------------------- supervisor
    @rule(code=ANY_SERVICE, open_=st.sampled_from([None, None, True, False]),
          quota=st.sampled_from([None, None, None, 0, 4, 9, -1]), clear=st.booleans())
    def update_service(self, code: str, open_: bool | None, quota: int | None,
                       clear: bool) -> None:
        self.run(lambda: self.office.update_service(code, self.now, open=open_, quota=quota,
                                                    clear_quota=clear),
                 "not_found", "bad_request")

    @rule(text=TEXTS, device=st.sampled_from(["kiosk-1", "kiosk-2"]),
          status=st.sampled_from([("ok", ""), ("printer_error", "no_paper")]),
          announce=st.booleans())
    def announce_or_report(self, text: Text, device: str, status: tuple[str, str],
                           announce: bool) -> None:
        if announce:
            self.run(lambda: self.office.announce(text, self.now), "bad_request")
        else:
            self.run(lambda: self.office.report_device(device, "kiosk", *status, self.now))

    # -------------------------------------------------------------- clients
    @rule()
    def client_connects(self) -> None:
        """A client mirror from the welcome snapshot (as JSON) at the current seq."""
        self.roll_if_due()
        snapshot = json.loads(json.dumps(self.office.snapshot(self.now)))
        self.mirror = Office.from_snapshot(snapshot, self.office.seq)

    def teardown(self) -> None:
        event(f"events in the run: {(self.office.seq - SEQ_AT_START) // 20 * 20}+")

    # ----------------------------------------------------------- invariants
    @invariant()
    def state_is_consistent(self) -> None:
        check_consistent(self.office)

    @invariant()
    def replay_gives_the_same_state(self) -> None:
        assert state_of(self.replica) == state_of(self.office)

    @invariant()
    def replay_from_the_wire_gives_the_same_state(self) -> None:
        assert state_of(self.wire_replica) == state_of(self.office)

    @precondition(lambda self: self.mirror is not None)
    @invariant()
    def the_mirror_shows_what_the_server_shows(self) -> None:
        assert self.mirror is not None
        assert observable(self.mirror, self.now) == observable(self.office, self.now)
        for counter in self.office.counters.values():
            assert [t.id for t in self.mirror.waiting_order(self.now, counter.services)] == [
                t.id for t in self.office.waiting_order(self.now, counter.services)
            ]

    @invariant()
    def ahead_is_the_position_in_the_call_order(self) -> None:
        for code in SERVICES:
            order = self.office.waiting_order(self.now, [code])
            etas: dict[Priority, int] = {}
            for position, ticket in enumerate(order):
                view = self.office.view(ticket, self.now)
                assert view.ahead == position
                # Only the first in line may hear "0 minutes" (with the learned pace
                # it hears half a call's time while every counter is busy), and within
                # one lane a later place never gets a shorter wait.
                assert view.eta_minutes >= 0
                if position > 0:
                    assert view.eta_minutes > 0
                assert view.eta_minutes >= etas.get(ticket.priority, 0)
                etas[ticket.priority] = view.eta_minutes


TestOfficeDay = OfficeDay.TestCase
TestOfficeDay.settings = settings(
    max_examples=90,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
