"""What the counter can do right now, worked out from the office mirror.

Plain Python (no Qt), so the rules that enable and disable the console's
buttons read in one place and are tested without a screen. The server still
decides: these rules only keep buttons that make no sense out of the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from antrean.core.model import Counter, CounterState, Status, Ticket
from antrean.core.office import Office
from antrean.i18n import tr

NEXT_NUMBERS_SHOWN = 5


class Action(StrEnum):
    """The console's one-key actions, in the order of their function keys."""

    CALL_NEXT = "call_next"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CALL_SPECIFIC = "call_specific"
    PAUSE_RESUME = "pause_resume"


SHORTCUT_KEYS: dict[Action, str] = {
    Action.CALL_NEXT: "F1",
    Action.RECALL: "F2",
    Action.START: "F3",
    Action.COMPLETE: "F4",
    Action.NO_SHOW: "F5",
    Action.TRANSFER: "F6",
    Action.CALL_SPECIFIC: "F7",
    Action.PAUSE_RESUME: "F8",
}

_WITH_CALLED_TICKET = frozenset(
    {Action.RECALL, Action.START, Action.COMPLETE, Action.NO_SHOW, Action.TRANSFER}
)
_WITH_SERVING_TICKET = frozenset({Action.COMPLETE, Action.TRANSFER})


@dataclass(frozen=True, slots=True)
class Desk:
    """One counter as this console sees it."""

    counter: Counter | None
    ticket: Ticket | None
    device: str
    waiting: int

    @property
    def held_here(self) -> bool:
        """Open or paused, and held by this console's device."""
        counter = self.counter
        return (
            counter is not None
            and counter.state is not CounterState.CLOSED
            and counter.device == self.device
        )

    @property
    def held_elsewhere(self) -> bool:
        counter = self.counter
        return (
            counter is not None
            and counter.state is not CounterState.CLOSED
            and counter.device not in (None, self.device)
        )


def desk_of(office: Office | None, counter_id: str, device: str, services: Sequence[str],
            now: datetime) -> Desk:
    """The desk from the mirror; `services` are the ones whose queue counts."""
    if office is None:
        return Desk(None, None, device, 0)
    counter = office.counters.get(counter_id)
    ticket = office.tickets.get(counter.ticket) if counter and counter.ticket else None
    waiting = sum(office.waiting_count(key) for key in desk_queues(office, counter, services))
    return Desk(counter, ticket, device, waiting)


def desk_queues(office: Office, counter: Counter | None, services: Sequence[str]) -> list[str]:
    """The step queues the counter calls from: its own once open (with the steps
    it chose), else every step of `services`."""
    if counter is not None and counter.state is not CounterState.CLOSED:
        return office.counter_queues(counter)
    return [key for code in services if code in office.services
            for key in office.step_queues(code)]


def step_line(office: Office, ticket: Ticket, lang: str) -> str:
    """"Tahap 1/2: Verifikasi berkas · Berikutnya: Wawancara & biometrik" (empty for a
    one-step visit): where the ticket is, and what comes next."""
    name = office.step_name(ticket)
    if ticket.steps <= 1 or name is None:
        return ""
    here = tr("step.of", lang, step=ticket.step, steps=ticket.steps, name=name.get(lang))
    following = office.step_name(ticket, ticket.step + 1)
    after = (tr("step.next", lang, name=following.get(lang)) if following is not None
             else tr("step.last", lang))
    return f"{here} · {after}"


def allowed_actions(desk: Desk, *, connected: bool, busy: bool) -> frozenset[Action]:
    """The actions that make sense now; everything else is disabled."""
    counter = desk.counter
    if not connected or busy or counter is None or not desk.held_here:
        return frozenset()
    if counter.state is CounterState.PAUSED:
        return frozenset({Action.PAUSE_RESUME})
    ticket = desk.ticket
    if ticket is None:
        free = {Action.CALL_SPECIFIC, Action.PAUSE_RESUME}
        if desk.waiting:
            free.add(Action.CALL_NEXT)
        return frozenset(free)
    if ticket.status is Status.CALLED:
        return _WITH_CALLED_TICKET
    if ticket.status is Status.SERVING:
        return _WITH_SERVING_TICKET
    return frozenset()


@dataclass(frozen=True, slots=True)
class WaitingSummary:
    """The queue for a set of services: how many, the longest wait, who is next."""

    count: int
    oldest_issued_at: datetime | None
    next_tickets: tuple[Ticket, ...]

    def longest_wait(self, now: datetime) -> timedelta:
        if self.oldest_issued_at is None:
            return timedelta(0)
        return max(timedelta(0), now - self.oldest_issued_at)


def waiting_summary(office: Office | None, services: Sequence[str], now: datetime,
                    counter: Counter | None = None) -> WaitingSummary:
    if office is None or not services:
        return WaitingSummary(0, None, ())
    order = office.waiting_order(now, queues=desk_queues(office, counter, services))
    oldest = min((t.issued_at for t in order), default=None)
    return WaitingSummary(len(order), oldest, tuple(order[:NEXT_NUMBERS_SHOWN]))


def elapsed_since(moment: datetime | None, now: datetime) -> timedelta | None:
    if moment is None:
        return None
    return max(timedelta(0), now - moment)


def ticket_clock_start(ticket: Ticket) -> datetime | None:
    """What the ticket's timer counts from: the start of service, else the call."""
    if ticket.status is Status.SERVING:
        return ticket.started_at or ticket.called_at
    return ticket.called_at


def clock_text(span: timedelta) -> str:
    """`04:07`, or `1:04:07` past an hour: staff read it at a glance."""
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def decimal_text(value: float, lang: str) -> str:
    """One decimal, with the decimal comma Indonesian readers expect."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang != "en" else text


def whole_minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
