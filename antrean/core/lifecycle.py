"""Every allowed move of a ticket and of a counter, in one place.

Rules:
- Everything that moves a ticket or a counter from one status to another lives
  in this file: the two tables say where an (action, from-status) pair lands,
  `advance` makes the moved ticket, and `event_action`/`check_ticket_event`/
  `check_counter_event` hold every arriving event to the same tables.
- A ticket goes waiting -> called -> serving -> done. A called ticket may also
  end as done or no_show; a called or serving ticket may be transferred back
  to waiting (for another service), keeping its number and first arrival.
- Multi-step visits (issue 12): completing a called or serving ticket at a
  step that is not its service's last ADVANCEs it to waiting at the next
  step; a counter may SEND_BACK a called or serving ticket to waiting at the
  step before. Both keep its number and first arrival.
- Recall keeps a ticket `called` and raises its call count.
- At the end of the office day, open tickets are closed: waiting and called
  ones as no_show, serving ones as done, each with a recorded reason. The
  closures travel inside the `day.rolled` event, checked against this table
  by every office that applies it.
- A counter goes closed -> open <-> paused, and open|paused -> closed.
  Opening an open or paused counter again (from the device holding it)
  replaces its services, and resumes it from a pause.
- Anything not in these tables is illegal: it raises `DomainError("conflict")`
  and nothing changes, whether it comes as a command or as an event (the
  server's own, a restart's replay, or a client mirror's).
- Who may move what (which device holds the counter, whether a counter is free)
  is the office's business (`office.py`); only the moves themselves are here.

Extending: a new move is a row in the table, a branch in `advance` for the
fields that move with it, and its event in `EVENT_ACTIONS`; the appliers and
the console's buttons read these tables. Multi-step visits were added so:
ADVANCE and SEND_BACK rows, one `advance` branch (`step`), the office's
`complete` choosing ADVANCE while steps are left.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from antrean.core.model import CounterState, DomainError, Status, Ticket


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


# (action, from-status) -> to-status: the whole ticket state machine.
TICKET_TRANSITIONS: dict[tuple[TicketAction, Status], Status] = {
    (TicketAction.CALL, Status.WAITING): Status.CALLED,
    (TicketAction.RECALL, Status.CALLED): Status.CALLED,
    (TicketAction.START, Status.CALLED): Status.SERVING,
    (TicketAction.COMPLETE, Status.CALLED): Status.DONE,
    (TicketAction.COMPLETE, Status.SERVING): Status.DONE,
    (TicketAction.NO_SHOW, Status.CALLED): Status.NO_SHOW,
    (TicketAction.TRANSFER, Status.CALLED): Status.WAITING,
    (TicketAction.TRANSFER, Status.SERVING): Status.WAITING,
    (TicketAction.CLOSE_DAY, Status.WAITING): Status.NO_SHOW,
    (TicketAction.CLOSE_DAY, Status.CALLED): Status.NO_SHOW,
    (TicketAction.CLOSE_DAY, Status.SERVING): Status.DONE,
    # multi-step visits (issue 12): on to the next step, or back one
    (TicketAction.ADVANCE, Status.CALLED): Status.WAITING,
    (TicketAction.ADVANCE, Status.SERVING): Status.WAITING,
    (TicketAction.SEND_BACK, Status.CALLED): Status.WAITING,
    (TicketAction.SEND_BACK, Status.SERVING): Status.WAITING,
}

# (action, from-state) -> to-state: the whole counter state machine.
COUNTER_TRANSITIONS: dict[tuple[CounterAction, CounterState], CounterState] = {
    (CounterAction.OPEN, CounterState.CLOSED): CounterState.OPEN,
    (CounterAction.OPEN, CounterState.OPEN): CounterState.OPEN,
    (CounterAction.OPEN, CounterState.PAUSED): CounterState.OPEN,
    (CounterAction.PAUSE, CounterState.OPEN): CounterState.PAUSED,
    (CounterAction.CLOSE, CounterState.OPEN): CounterState.CLOSED,
    (CounterAction.CLOSE, CounterState.PAUSED): CounterState.CLOSED,
}

# The event each move is published as. The day's closures have no event of
# their own: they ride in `day.rolled`.
EVENT_ACTIONS: dict[str, TicketAction] = {
    "ticket.called": TicketAction.CALL,  # RECALL when its `via` is "recall"
    "ticket.started": TicketAction.START,
    "ticket.completed": TicketAction.COMPLETE,
    "ticket.no_show": TicketAction.NO_SHOW,
    "ticket.transferred": TicketAction.TRANSFER,
    "ticket.advanced": TicketAction.ADVANCE,
    "ticket.sent_back": TicketAction.SEND_BACK,
}
TICKET_EVENTS: dict[TicketAction, str] = {
    TicketAction.RECALL: "ticket.called",
    **{action: name for name, action in EVENT_ACTIONS.items()},
}
COUNTER_EVENTS: dict[str, CounterAction] = {
    "counter.opened": CounterAction.OPEN,
    "counter.paused": CounterAction.PAUSE,
    "counter.closed": CounterAction.CLOSE,
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
        return TICKET_TRANSITIONS[(action, status)]
    except KeyError:
        raise DomainError(
            "conflict", f"cannot {action.value.replace('_', ' ')}: {_TICKET_REFUSALS[status]}"
        ) from None


def allows(action: TicketAction, status: Status) -> bool:
    """Whether the table has a move for `action` from `status`."""
    return (action, status) in TICKET_TRANSITIONS


def next_counter_state(state: CounterState, action: CounterAction) -> CounterState:
    try:
        return COUNTER_TRANSITIONS[(action, state)]
    except KeyError:
        raise DomainError(
            "conflict", f"cannot {action.value} a counter that is {state.value}"
        ) from None


def advance(
    ticket: Ticket,
    action: TicketAction,
    at: datetime,
    *,
    counter: str | None = None,
    service: str | None = None,
    reason: str | None = None,
    step: int | None = None,
) -> Ticket:
    """The ticket after `action` at office time `at`: its new status from the
    table, and the fields that move with it. `counter` is who calls (CALL,
    RECALL), `service` where a transfer goes, `reason` why the day closed it,
    `step` the step an ADVANCE or SEND_BACK leads to.
    Raises `conflict` (and the ticket, being frozen, is untouched)."""
    status = next_ticket_status(ticket.status, action)
    if action is TicketAction.CALL or action is TicketAction.RECALL:
        return replace(ticket, status=status, counter=counter, called_at=at,
                       calls=ticket.calls + 1)
    if action is TicketAction.START:
        return replace(ticket, status=status, started_at=at)
    if action is TicketAction.COMPLETE or action is TicketAction.NO_SHOW:
        return replace(ticket, status=status, finished_at=at)
    if action is TicketAction.TRANSFER:
        if service is None:
            raise DomainError("bad_request", "a transfer needs the service it goes to")
        return replace(
            ticket, status=status, service=service, counter=None, called_at=None,
            started_at=None, calls=0, origin_service=ticket.origin_service or ticket.service,
        )
    if action is TicketAction.ADVANCE or action is TicketAction.SEND_BACK:
        if step is None:
            raise DomainError("bad_request", "a step move needs the step it goes to")
        # Waits again at that step, same number, its place by first arrival.
        return replace(ticket, status=status, step=step, counter=None, called_at=None,
                       started_at=None, calls=0)
    # CLOSE_DAY: a ticket keeps its own end time if it has one.
    return replace(ticket, status=status, closed_reason=reason,
                   finished_at=ticket.finished_at or at)


def event_action(name: str, via: object = None) -> TicketAction | None:
    """The move a ticket event records (None: the event moves no ticket)."""
    action = EVENT_ACTIONS.get(name)
    if action is TicketAction.CALL and via == "recall":
        return TicketAction.RECALL
    return action


def check_ticket_event(before: Ticket | None, action: TicketAction, after: Ticket) -> Ticket:
    """An arriving event's ticket must be a move the table allows from the
    ticket as this office knows it (returned); else `conflict`, and the caller
    changes nothing."""
    if before is None:
        raise DomainError("conflict", f"cannot {action.value.replace('_', ' ')} "
                          f"{after.number}: no such ticket today")
    expected = next_ticket_status(before.status, action)
    if after.status is not expected:
        raise DomainError(
            "conflict", f"{after.number}: {action.value.replace('_', ' ')} leads from "
            f"{before.status.value} to {expected.value}, not {after.status.value}"
        )
    return before


def check_counter_event(before: CounterState, action: CounterAction,
                        after: CounterState) -> None:
    """The same rule for a counter event."""
    expected = next_counter_state(before, action)
    if after is not expected:
        raise DomainError(
            "conflict", f"{action.value} leads a {before.value} counter to "
            f"{expected.value}, not {after.value}"
        )
