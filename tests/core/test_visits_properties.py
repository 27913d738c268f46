"""Random days with appointments and two-step visits (hypothesis state machine).

Checked after every step: no ticket is called while it is already called or
held, none is lost between steps (every open ticket is in exactly one step's
queue or at exactly one counter), and the fairness cap holds for the
appointment lane as for the priority lane: after `priority_cap` preferred
calls in a row, an overdue walk-in is called next.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from antrean.core.bookings import make_booking
from antrean.core.model import (
    CounterSpec,
    DomainError,
    PolicySpec,
    Priority,
    Status,
    Text,
)
from antrean.core.office import Office, queue_of
from tests.core.builders import DAY, TZ, office_spec, service

STEPS = (Text("Verifikasi", "Check"), Text("Wawancara", "Interview"))
POLICY = PolicySpec(priority_cap=2, regular_max_wait_minutes=10)
COUNTERS = ("1", "2", "3")


class VisitDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        spec = office_spec(
            services=(replace(service("D"), steps=STEPS), service("A")),
            counters=tuple(CounterSpec(c, Text(c, c), ("A", "D")) for c in COUNTERS),
            policy=POLICY,
        )
        self.office = Office(spec, DAY)
        self.now = datetime.combine(DAY, time(8), TZ)
        self.bookings = 0
        steps = {"1": ["D:1", "A:1"], "2": ["D:2"], "3": []}
        for counter, chosen in steps.items():
            self.office.open_counter(counter, ["A", "D"], f"dev-{counter}", None, self.now,
                                     steps=chosen)

    @rule(minutes=st.integers(0, 12))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes, seconds=1)

    @rule(code=st.sampled_from(["A", "D"]), priority=st.booleans())
    def walk_in(self, code: str, priority: bool) -> None:
        self.office.issue(code, Priority.PRIORITY if priority else Priority.REGULAR, "id",
                          self.now)

    @rule(code=st.sampled_from(["A", "D"]), offset=st.integers(-10, 25))
    def check_in(self, code: str, offset: int) -> None:
        slot = (self.now + timedelta(minutes=offset)).replace(second=0, microsecond=0)
        if slot.date() != DAY:
            return
        self.bookings += 1
        booking = make_booking(f"BK{self.bookings:04d}", code, DAY.isoformat(),
                               slot.strftime("%H:%M"),
                               (slot + timedelta(minutes=30)).strftime("%H:%M"))
        try:
            self.office.check_in(booking, "id", self.now)
        except DomainError as exc:
            assert exc.code in ("booking_early", "booking_late")

    @rule(counter=st.sampled_from(COUNTERS))
    def call_next(self, counter: str) -> None:
        office = self.office
        held = office.counters[counter].ticket
        if held is not None:
            return
        local = office.local(self.now)
        limit = local - timedelta(minutes=POLICY.regular_max_wait_minutes)
        keys = set(office.counter_queues(office.counters[counter]))
        overdue_walk_in = any(
            t.status is Status.WAITING and queue_of(t) in keys and t.slot_at is None
            and t.priority is Priority.REGULAR and t.issued_at < limit
            for t in office.tickets.values()
        )
        streak = office.streak
        events = office.call_next(counter, f"dev-{counter}", self.now)
        if not events:
            assert not any(t.status is Status.WAITING and queue_of(t) in keys
                           for t in office.tickets.values())
            return
        ticket = events[0].ticket
        assert ticket is not None and ticket.calls == 1, "called twice"
        if streak >= POLICY.priority_cap and overdue_walk_in:
            preferred = ticket.priority is Priority.PRIORITY or (
                ticket.slot_at is not None and ticket.slot_at <= local)
            assert not preferred, "an overdue walk-in starved beyond the cap"

    @rule(counter=st.sampled_from(COUNTERS), how=st.sampled_from(["done", "no_show", "back"]))
    def finish(self, counter: str, how: str) -> None:
        ticket_id = self.office.counters[counter].ticket
        if ticket_id is None:
            return
        before = self.office.tickets[ticket_id]
        device = f"dev-{counter}"
        if how == "done":
            self.office.complete(ticket_id, device, self.now)
            after = self.office.tickets[ticket_id]
            if before.step < before.steps:
                assert (after.status, after.step) == (Status.WAITING, before.step + 1)
            else:
                assert after.status is Status.DONE
        elif how == "no_show":
            self.office.no_show(ticket_id, device, self.now)
        elif before.step > 1:
            self.office.send_back(ticket_id, "berkas kurang", device, self.now)
            assert self.office.tickets[ticket_id].step == before.step - 1

    @invariant()
    def nothing_lost(self) -> None:
        office = self.office
        queued: list[str] = []
        for key, queue in office.queues.items():
            for lane in (queue.priority, queue.regular, queue.appointment):
                assert lane == sorted(lane)
                for _, ticket_id in lane:
                    assert queue_of(office.tickets[ticket_id]) == key
                    queued.append(ticket_id)
        assert len(queued) == len(set(queued)), "a ticket in two queues"
        waiting = {t.id for t in office.tickets.values() if t.status is Status.WAITING}
        assert set(queued) == waiting, "a waiting ticket in no queue"
        held = [c.ticket for c in office.counters.values() if c.ticket]
        assert len(held) == len(set(held))
        in_hand = {t.id for t in office.tickets.values()
                   if t.status in (Status.CALLED, Status.SERVING)}
        assert set(held) == in_hand


VisitDay.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_visit_day = VisitDay.TestCase
