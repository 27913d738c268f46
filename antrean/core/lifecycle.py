"""Every allowed move of a ticket and of a counter, in one place.

Rules:
- A ticket goes waiting -> called -> serving -> done. A called ticket may also
  end as done or no_show; a called or serving ticket may be transferred back
  to waiting (for another service), keeping its number and first arrival.
- Multi-step visits (issue 12): completing a called or serving ticket at a
  step that is not its service's last ADVANCEs it to waiting at the next
  step; a counter may SEND_BACK a called or serving ticket to waiting at the
  step before. Both keep its number and first arrival.
- Recall keeps a ticket `called` and raises its call count.
- At the end of the office day, open tickets are closed: waiting and called
  ones as no_show, serving ones as done, each with a recorded reason.
- A counter goes closed -> open <-> paused, and open|paused -> closed.
  Opening an open or paused counter again (from the device holding it)
  replaces its services, and resumes it from a pause.
- Anything not in these tables is illegal: it raises `DomainError("conflict")`
  and nothing changes.
"""

from __future__ import annotations

from enum import StrEnum

from antrean.core.model import CounterState, DomainError, Status


class TicketAction(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CLOSE_DAY = "close_day"
    ADVANCE = "advance"  # multi-step visits (issue 12)
    SEND_BACK = "send_back"


class CounterAction(StrEnum):
    OPEN = "open"
    PAUSE = "pause"
    CLOSE = "close"


TICKET_TRANSITIONS: dict[tuple[Status, TicketAction], Status] = {
    (Status.WAITING, TicketAction.CALL): Status.CALLED,
    (Status.CALLED, TicketAction.RECALL): Status.CALLED,
    (Status.CALLED, TicketAction.START): Status.SERVING,
    (Status.CALLED, TicketAction.COMPLETE): Status.DONE,
    (Status.SERVING, TicketAction.COMPLETE): Status.DONE,
    (Status.CALLED, TicketAction.NO_SHOW): Status.NO_SHOW,
    (Status.CALLED, TicketAction.TRANSFER): Status.WAITING,
    (Status.SERVING, TicketAction.TRANSFER): Status.WAITING,
    (Status.WAITING, TicketAction.CLOSE_DAY): Status.NO_SHOW,
    (Status.CALLED, TicketAction.CLOSE_DAY): Status.NO_SHOW,
    (Status.SERVING, TicketAction.CLOSE_DAY): Status.DONE,
    # multi-step visits (issue 12)
    (Status.CALLED, TicketAction.ADVANCE): Status.WAITING,
    (Status.SERVING, TicketAction.ADVANCE): Status.WAITING,
    (Status.CALLED, TicketAction.SEND_BACK): Status.WAITING,
    (Status.SERVING, TicketAction.SEND_BACK): Status.WAITING,
}

COUNTER_TRANSITIONS: dict[tuple[CounterState, CounterAction], CounterState] = {
    (CounterState.CLOSED, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.OPEN, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.PAUSED, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.OPEN, CounterAction.PAUSE): CounterState.PAUSED,
    (CounterState.OPEN, CounterAction.CLOSE): CounterState.CLOSED,
    (CounterState.PAUSED, CounterAction.CLOSE): CounterState.CLOSED,
}

_TICKET_REFUSALS: dict[Status, str] = {
    Status.WAITING: "the ticket has not been called yet",
    Status.CALLED: "the ticket is already called",
    Status.SERVING: "the ticket is already being served",
    Status.DONE: "the ticket is already finished",
    Status.NO_SHOW: "the ticket was marked as not present",
}


def next_ticket_status(status: Status, action: TicketAction) -> Status:
    """The status after `action`, or a `conflict` naming why it is not allowed."""
    try:
        return TICKET_TRANSITIONS[(status, action)]
    except KeyError:
        raise DomainError(
            "conflict", f"cannot {action.value.replace('_', ' ')}: {_TICKET_REFUSALS[status]}"
        ) from None


def next_counter_state(state: CounterState, action: CounterAction) -> CounterState:
    try:
        return COUNTER_TRANSITIONS[(state, action)]
    except KeyError:
        raise DomainError(
            "conflict", f"cannot {action.value} a counter that is {state.value}"
        ) from None
