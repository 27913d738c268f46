"""What each request does to the office: one entry per request type in
`office_handlers`, most of them one call into the domain core through the
one wrapper `command` (its arguments by name, the device and the time, and
the shape of its answer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from antrean import protocol
from antrean.core.bookings import Booking
from antrean.core.model import Priority, Text
from antrean.core.office import Event, Office
from server.bookings import DIRECT_REQUESTS, check_skills
from server.config import OfficeConfig

if TYPE_CHECKING:
    from server.session import Session

Result = tuple[dict[str, Any], list[Event]]
Handler = Callable[["Session", protocol.Request, datetime], Result]
Answer = Callable[[Office, list[Event]], dict[str, Any]]


class VisitorLinks(Protocol):
    """The visitor pages' addresses a handler may hand out (server/web.py)."""

    def url_for(self, ticket_id: str) -> str: ...


class HandlerHost(Protocol):
    """What the handlers read from the server: the office as it now is
    (a restore replaces it) and the visitor pages."""

    @property
    def office(self) -> Office: ...

    @property
    def web(self) -> VisitorLinks: ...

    @property
    def config(self) -> OfficeConfig: ...

    def take_check_in(self) -> Booking | None:
        """The booking the dispatcher looked up for the check-in now executed."""


@dataclass(frozen=True, slots=True)
class Route:
    """A request type's one definition as the server runs it: its spec from
    `antrean.protocol.REQUESTS` (fields and kinds, the roles that may send it,
    login, whether it changes the state) and its handler."""

    spec: protocol.RequestSpec
    handler: Handler | None  # None: DISPATCHER_REQUESTS, which the dispatcher runs itself


# Requests the dispatcher runs itself: `login` waits on a PIN check off the loop,
# the supervisor's booking requests on the bookings table (server/bookings.py).
DISPATCHER_REQUESTS = frozenset({"login"}) | DIRECT_REQUESTS


def routes(handlers: dict[str, Handler]) -> dict[str, Route]:
    """The dispatch table: every request of the protocol with its handler.
    A request without a handler (or a handler for no request) stops the
    server at start-up, not at the first such request."""
    missing = set(protocol.REQUESTS) - set(handlers) - DISPATCHER_REQUESTS
    unknown = set(handlers) - set(protocol.REQUESTS)
    if missing or unknown:
        raise ValueError(f"request handlers do not match the protocol: missing "
                         f"{sorted(missing)}, unknown {sorted(unknown)}")
    return {type_: Route(spec, handlers.get(type_)) for type_, spec in protocol.REQUESTS.items()}


def ticket_answer(office: Office, events: list[Event]) -> dict[str, Any]:
    """The ticket as the last event left it (None when nothing changed)."""
    ticket = events[-1].ticket if events else None
    return {"ticket": ticket.to_wire() if ticket else None}


def counter_answer(office: Office, events: list[Event]) -> dict[str, Any]:
    """The counter as the last event left it."""
    counter = office.counters[events[-1].counter.id if events[-1].counter else ""]
    return {"counter": office.counter_wire(counter)}


@dataclass(frozen=True, slots=True)
class Command:
    """A request that is one domain command: `Office.<method>(*args named by
    fields, device, now)`, answered by `answer`."""

    method: str
    fields: tuple[str, ...]
    answer: Answer


# Every request that is one domain command, in the protocol's order.
COMMANDS: dict[str, Command] = {
    "counter.pause": Command("pause_counter", ("counter",), counter_answer),
    "counter.close": Command("close_counter", ("counter",), counter_answer),
    "ticket.call_next": Command("call_next", ("counter",), ticket_answer),
    "ticket.call": Command("call", ("counter", "ticket", "reason"), ticket_answer),
    "ticket.recall": Command("recall", ("ticket",), ticket_answer),
    "ticket.start": Command("start", ("ticket",), ticket_answer),
    "ticket.complete": Command("complete", ("ticket",), ticket_answer),
    "ticket.no_show": Command("no_show", ("ticket",), ticket_answer),
    "ticket.transfer": Command("transfer", ("ticket", "service"), ticket_answer),
    "ticket.send_back": Command("send_back", ("ticket", "reason"), ticket_answer),
}


def office_handlers(host: HandlerHost) -> dict[str, Handler]:
    """The handler of every office request (the visitor desk adds its own)."""

    def command(spec: Command) -> Handler:
        def handle(session: Session, request: protocol.Request, now: datetime) -> Result:
            office = host.office
            args = [request.args[name] for name in spec.fields]
            events: list[Event] = getattr(office, spec.method)(*args, session.device, now)
            return spec.answer(office, events), events
        return handle

    def issue(session: Session, request: protocol.Request, now: datetime) -> Result:
        office, args = host.office, request.args
        events = office.issue(args["service"], Priority(args.get("priority", "regular")),
                              args.get("lang", "id"), now)
        ticket = events[0].ticket
        assert ticket is not None
        return {"ticket": office.view(ticket, now).to_wire()}, events

    def counter_open(session: Session, request: protocol.Request, now: datetime) -> Result:
        office, args = host.office, request.args
        check_skills(office, host.config, session.staff, args["services"], args.get("steps", []))
        events = office.open_counter(args["counter"], args["services"], session.device,
                                     session.staff, now, steps=args.get("steps", ()))
        return counter_answer(office, events), events

    def check_in(session: Session, request: protocol.Request, now: datetime) -> Result:
        office = host.office
        events = office.check_in(host.take_check_in(), request.args.get("lang", "id"), now)
        ticket = events[0].ticket
        assert ticket is not None
        return {"ticket": office.view(ticket, now).to_wire()}, events

    def get(session: Session, request: protocol.Request, now: datetime) -> Result:
        office = host.office
        ticket = office.find_ticket(request.args["ticket"])
        wire = office.view(ticket, now).to_wire()
        if session.role == "supervisor":
            wire["url"] = host.web.url_for(ticket.id)
        return {"ticket": wire}, []

    def announce(session: Session, request: protocol.Request, now: datetime) -> Result:
        text = request.args["text"]
        return {}, host.office.announce(Text(text["id"], text["en"]), now)

    def ping(session: Session, request: protocol.Request, now: datetime) -> Result:
        return {}, []

    def logout(session: Session, request: protocol.Request, now: datetime) -> Result:
        session.staff = None
        session.staff_roles = ()
        return {}, []

    def service_update(session: Session, request: protocol.Request, now: datetime) -> Result:
        office, args = host.office, request.args
        events = office.update_service(
            args["service"], now, open=args.get("open"), quota=args.get("quota"),
            clear_quota="quota" in args and args["quota"] is None,
        )
        service = office.services[args["service"]]
        return {"service": service.to_wire(office.local(now))}, events

    def device_status(session: Session, request: protocol.Request, now: datetime) -> Result:
        events = host.office.report_device(session.device, session.role,
                                           request.args["status"],
                                           request.args.get("detail", ""), now)
        return {}, events

    def stats(session: Session, request: protocol.Request, now: datetime) -> Result:
        return {"figures": host.office.figures()}, []

    # The table: request type -> handler (`login` is the dispatcher's, being async).
    return {
        "ticket.issue": issue,
        "counter.open": counter_open,
        "booking.check_in": check_in,
        **{request_type: command(spec) for request_type, spec in COMMANDS.items()},
        "ticket.get": get,
        "announce": announce,
        "ping": ping,
        "logout": logout,
        "service.update": service_update,
        "device.status": device_status,
        "stats.today": stats,
    }
