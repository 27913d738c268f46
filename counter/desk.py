"""What the counter can do right now, worked out from the office mirror.

Plain Python (no Qt), so the rules that enable and disable the console's
buttons read in one place and are tested without a screen. The server still
decides: these rules only keep buttons that make no sense out of the way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from antrean.core.lifecycle import TicketAction, allows
from antrean.core.model import Counter, CounterState, Status, Ticket
from antrean.core.office import Office
from antrean.i18n import error_text, tr
from antrean.views import DeskAnswer

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

# The buttons that move the ticket the counter holds, and the move each asks
# for: which of them are enabled is read from the lifecycle table.
TICKET_MOVES: dict[Action, TicketAction] = {
    Action.RECALL: TicketAction.RECALL,
    Action.START: TicketAction.START,
    Action.COMPLETE: TicketAction.COMPLETE,
    Action.NO_SHOW: TicketAction.NO_SHOW,
    Action.TRANSFER: TicketAction.TRANSFER,
}


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
    return frozenset(
        action for action, move in TICKET_MOVES.items() if allows(move, ticket.status)
    )


# ------------------------------------------------------------------ requests
class Ask(StrEnum):
    """An action that needs a dialog before anything is sent."""

    NUMBER = "number"  # call a specific ticket: which number, and why
    SERVICE = "service"  # transfer: to which service


@dataclass(frozen=True, slots=True)
class DeskRequest:
    """One request the console sends, and the catalogue key that confirms it."""

    type: str
    fields: Mapping[str, Any]
    done: str

    @property
    def changes_figures(self) -> bool:
        """A finished ticket changes today's own figures."""
        return self.type in ("ticket.complete", "ticket.no_show")


# The held ticket's one-key moves: request and confirmation.
_TICKET_REQUESTS: dict[Action, tuple[str, str]] = {
    Action.RECALL: ("ticket.recall", "counter.done.recalled"),
    Action.START: ("ticket.start", "counter.done.started"),
    Action.COMPLETE: ("ticket.complete", "counter.done.completed"),
    Action.NO_SHOW: ("ticket.no_show", "counter.done.no_show"),
}


def request_for(action: Action, desk: Desk, counter_id: str) -> DeskRequest | Ask | None:
    """What pressing `action` sends (or which dialog it opens); None when it
    makes no sense at this desk."""
    counter, ticket = desk.counter, desk.ticket
    if action is Action.CALL_NEXT:
        return DeskRequest("ticket.call_next", {"counter": counter_id}, "counter.done.called")
    if action is Action.CALL_SPECIFIC:
        return Ask.NUMBER
    if action is Action.PAUSE_RESUME:
        if counter is None:
            return None
        if counter.state is CounterState.PAUSED:
            steps = list(counter.steps)  # a counter serving chosen steps resumes with them
            return DeskRequest("counter.open", {"counter": counter_id,
                                                "services": list(counter.services),
                                                **({"steps": steps} if steps else {})},
                               "counter.done.resumed")
        return DeskRequest("counter.pause", {"counter": counter_id}, "counter.done.paused")
    if ticket is None:
        return None
    if action is Action.TRANSFER:
        return Ask.SERVICE
    request, done = _TICKET_REQUESTS[action]
    if action is Action.COMPLETE and ticket.step < ticket.steps:
        done = "counter.done.advanced"  # on to the visit's next step
    return DeskRequest(request, {"ticket": ticket.id}, done)


def call_request(counter_id: str, number: str, reason: str) -> DeskRequest:
    return DeskRequest("ticket.call", {"counter": counter_id, "ticket": number,
                                       "reason": reason}, "counter.done.called_specific")


def transfer_request(ticket: Ticket, service: str) -> DeskRequest:
    return DeskRequest("ticket.transfer", {"ticket": ticket.id, "service": service},
                       "counter.done.transferred")


def open_request(counter_id: str, counter: Counter, services: Sequence[str],
                 steps: Sequence[str] = ()) -> DeskRequest:
    """Open a closed counter, or save the services (and chosen steps, "D:2") of an
    open one."""
    done = ("counter.done.opened" if counter.state is CounterState.CLOSED
            else "counter.done.services")
    return DeskRequest("counter.open", {"counter": counter_id, "services": list(services),
                                        **({"steps": list(steps)} if steps else {})}, done)


def send_back_request(ticket: Ticket, reason: str) -> DeskRequest:
    return DeskRequest("ticket.send_back", {"ticket": ticket.id, "reason": reason},
                       "counter.done.sent_back")


def close_request(counter_id: str) -> DeskRequest:
    return DeskRequest("counter.close", {"counter": counter_id}, "counter.done.closed")


def confirmation_key(request: DeskRequest, result: DeskAnswer) -> str:
    """The words for a successful answer (call-next may find nobody waiting)."""
    if request.type == "ticket.call_next" and result.ticket is None:
        return "counter.done.nobody"
    return request.done


def mirror_shows(office: Office | None, result: DeskAnswer) -> bool:
    """Whether the mirror already shows what an answer reported (the event
    follows the answer, and may not have arrived yet)."""
    if office is None:
        return True
    ticket = result.ticket
    if ticket is not None:
        mirrored = office.tickets.get(ticket.id)
        return (
            mirrored is not None
            and mirrored.status is ticket.status
            and mirrored.calls == ticket.calls
            and mirrored.service == ticket.service
        )
    counter = result.counter
    if counter is not None:
        mirrored_counter = office.counters.get(counter.id)
        return (
            mirrored_counter is not None
            and mirrored_counter.state.value == counter.state
            and mirrored_counter.services == counter.services
        )
    return True


@dataclass
class InFlight:
    """The console's one request at a time, then the wait for its echo: the
    actions stay disabled until the mirror shows what the answer reported, so
    a fast second key press cannot act on the old state. The view adds only a
    timer that gives up on the echo (`echo_timed_out`)."""

    request_id: str | None = None
    echo: DeskAnswer | None = field(default=None)

    @property
    def busy(self) -> bool:
        return self.request_id is not None or self.echo is not None

    def sent(self, request_id: str | None) -> None:
        self.request_id = request_id

    def answered(self, ok: bool, result: DeskAnswer, office: Office | None) -> bool:
        """The answer arrived; True when its echo is still to come (start the timer)."""
        self.request_id = None
        if ok and not mirror_shows(office, result):
            self.echo = result
            return True
        return False

    def event_arrived(self, office: Office | None) -> bool:
        """True when this event was the awaited echo (then the wait is over)."""
        if self.echo is not None and mirror_shows(office, self.echo):
            self.echo = None
            return True
        return False

    def echo_timed_out(self) -> bool:
        """Give up waiting; True when there was a wait to end."""
        waiting, self.echo = self.echo is not None, None
        return waiting


def explain(request: DeskRequest, code: str, message: str, office: Office | None,
            counter_id: str, device: str, lang: str, refused: Sequence[str] = ()) -> str:
    """An error answer in the staff's language, with what the mirror knows;
    `refused` names the services or steps a member of staff may not serve."""
    if code == "disconnected":
        return tr("common.disconnected", lang)
    if request.type == "ticket.call" and office is not None:
        number = str(request.fields.get("ticket", ""))
        if code == "not_found":
            return tr("counter.error.no_such_number", lang, number=number)
        known = office.by_number.get(number)
        ticket = office.tickets.get(known) if known else None
        if code == "conflict" and ticket is not None:
            if ticket.counter and ticket.counter != counter_id and ticket.is_open:
                return tr("counter.error.already_called", lang, number=ticket.number,
                          counter=ticket.counter)
            if ticket.status is not Status.WAITING:
                return tr("counter.error.not_waiting", lang, number=ticket.number,
                          status=tr(f"status.{ticket.status.value}", lang))
    if request.type == "counter.open" and code == "forbidden" and refused:
        return tr("counter.error.skills", lang, what=", ".join(refused))
    if request.type == "counter.open" and code == "conflict" and office is not None:
        counter = office.counters.get(counter_id)
        if counter is not None and counter.device not in (None, device):
            return tr("counter.held_elsewhere", lang, device=counter.device or "")
    text = error_text(code, lang)
    if code == "conflict" and message:
        text += " " + tr("counter.error.server_says", lang, detail=message)
    return text


def why_not(desk: Desk, action: Action, *, connected: bool, busy: bool
            ) -> tuple[str, dict[str, str]]:
    """Why `action` cannot act now, as a catalogue key and its parameters, so
    a key or button that does nothing says why instead of staying silent."""
    counter = desk.counter
    ticket = desk.ticket
    number = {"number": ticket.number} if ticket is not None else {}
    if not connected:
        return "counter.why.offline", {}
    if busy:
        return "counter.why.busy", {}
    if counter is None:
        return "counter.why.unknown_counter", {}
    if desk.held_elsewhere:
        return "counter.why.held_elsewhere", {}
    if not desk.held_here:
        return "counter.why.closed", {}
    if counter.state is CounterState.PAUSED:
        return "counter.why.paused", {}
    if ticket is None:
        if action is Action.CALL_NEXT:
            return "counter.why.queue_empty", {}
        return "counter.why.no_ticket", {}
    if action in (Action.CALL_NEXT, Action.CALL_SPECIFIC, Action.PAUSE_RESUME):
        return "counter.why.finish_first", number
    return "counter.why.serving", number


# ------------------------------------------------------------------ figures
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
