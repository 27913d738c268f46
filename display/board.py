"""What the waiting room is told: the recent calls, newest first, and which
calls still need to be spoken.

Plain Python, no Qt: the window feeds it the mirror's events and snapshots
with the time passed in, and asks what to show and what to announce. Two
promises live here: a call is announced once (a ticket id and its call count
identify it, so a recall is a new call but a replayed event is not), and a
call heard about late (after a reconnect) is shown but only spoken while it
is still recent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from antrean.core.model import Status, Ticket
from antrean.core.office import Office

KEEP_CALLS = 24
ANNOUNCE_WINDOW = timedelta(minutes=2)
SKEW_SAMPLES = 64


@dataclass(frozen=True, slots=True)
class RecentCall:
    """One call as the waiting room saw it."""

    ticket_id: str
    number: str
    service: str
    counter_id: str
    calls: int
    called_at: datetime
    step: int = 1  # a multi-step visit is called once per step (issue 12)

    @property
    def key(self) -> tuple[str, int, int]:
        """A recall raises `calls`, so it is a new key: a new announcement; so is
        the call to a visit's next step (whose `calls` start again)."""
        return (self.ticket_id, self.step, self.calls)

    @classmethod
    def of(cls, ticket: Ticket) -> RecentCall | None:
        if ticket.counter is None or ticket.called_at is None:
            return None
        return cls(
            ticket.id, ticket.number, ticket.service, ticket.counter, ticket.calls,
            ticket.called_at, ticket.step,
        )


class ServerClock:
    """The server's time as seen from here. Office PCs drift: were a display's
    clock two minutes fast, every call would look stale and never be spoken.
    Each event's `at` against its arrival bounds the offset (delay only adds),
    so the smallest recent difference is the best estimate."""

    def __init__(self) -> None:
        self._samples: deque[timedelta] = deque(maxlen=SKEW_SAMPLES)

    def observe(self, server_at: datetime, received_at: datetime) -> None:
        self._samples.append(received_at - server_at)

    def now(self, local_now: datetime) -> datetime:
        return local_now - min(self._samples, default=timedelta(0))


class CallBoard:
    """The recent calls of the services this display shows, and the calls
    already announced."""

    def __init__(
        self,
        services: Iterable[str] | None = None,
        *,
        keep: int = KEEP_CALLS,
        announce_window: timedelta = ANNOUNCE_WINDOW,
    ) -> None:
        self.services = frozenset(services) if services else None
        self.keep = keep
        self.announce_window = announce_window
        self.clock = ServerClock()
        self.day: date | None = None
        self._calls: list[RecentCall] = []
        self._announced: set[tuple[str, int, int]] = set()

    @property
    def calls(self) -> list[RecentCall]:
        """Newest first; the first one is the one "now calling"."""
        return list(self._calls)

    @property
    def latest(self) -> RecentCall | None:
        return self._calls[0] if self._calls else None

    def shows(self, service: str) -> bool:
        return self.services is None or service in self.services

    def on_called(self, ticket: Ticket, local_now: datetime) -> RecentCall | None:
        """A `ticket.called` event (live or replayed). Returns the call when it
        should be announced now, else None."""
        call = RecentCall.of(ticket)
        if call is None or not self.shows(call.service):
            return None
        self._place(call)
        return self._claim_announcement(call, local_now)

    def rebuild(self, office: Office, local_now: datetime) -> list[RecentCall]:
        """After a fresh snapshot: merge the called and serving tickets into
        the calls already known (tickets finished meanwhile are not in a
        snapshot, but were still called). Returns what to announce, oldest
        first, as they were called."""
        if self.day is not None and office.day != self.day:
            self.clear()
        self.day = office.day
        fresh: list[RecentCall] = []
        for ticket in office.tickets.values():
            if ticket.status not in (Status.CALLED, Status.SERVING):
                continue
            call = RecentCall.of(ticket)
            if call is None or not self.shows(call.service):
                continue
            known = next((c for c in self._calls if c.ticket_id == call.ticket_id), None)
            if known is None or known.calls < call.calls:
                fresh.append(call)
        fresh.sort(key=lambda c: c.called_at)
        to_announce: list[RecentCall] = []
        for call in fresh:
            self._place(call)
            if self._claim_announcement(call, local_now) is not None:
                to_announce.append(call)
        return to_announce

    def clear(self) -> None:
        """A new office day: yesterday's calls are gone, numbers start again."""
        self._calls.clear()
        self._announced.clear()

    def start_day(self, day: date) -> None:
        self.clear()
        self.day = day

    # ------------------------------------------------------------------
    def _place(self, call: RecentCall) -> None:
        """On top: events come in call order (a replay too), and what a
        snapshot adds was called after everything this screen had seen."""
        self._calls = [c for c in self._calls if c.ticket_id != call.ticket_id]
        self._calls.insert(0, call)
        del self._calls[self.keep :]

    def _claim_announcement(self, call: RecentCall, local_now: datetime) -> RecentCall | None:
        if call.key in self._announced:
            return None
        self._announced.add(call.key)
        age = self.clock.now(local_now) - call.called_at
        return call if age <= self.announce_window else None
