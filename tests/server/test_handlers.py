"""server/handlers.py: each request's handler against a real office, and the
one command wrapper's table against the domain core and the protocol."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pytest
from websockets.asyncio.server import ServerConnection

from antrean import protocol
from antrean.core.bookings import Booking
from antrean.core.model import DomainError, StaffRef
from antrean.core.office import Office
from server.config import OfficeConfig
from server.demo import DEMO_PIN, DEMO_USERNAME, demo_config
from server.handlers import COMMANDS, DISPATCHER_REQUESTS, Handler, office_handlers, routes
from server.session import Session
from tests.core.builders import OPENING, new_office
from tests.server.servers import app
from tests.server.wire import RawClient
from tests.support import ServerThread

Connect = Callable[..., RawClient]


class NoPages:
    """The handlers under test here hand out no visitor address."""

    def url_for(self, ticket_id: str) -> str:
        raise AssertionError("no page address expected")


@dataclass
class Host:
    office: Office
    web: NoPages
    config: OfficeConfig = field(default_factory=demo_config)
    check_in: Booking | None = None

    def take_check_in(self) -> Booking | None:
        booking, self.check_in = self.check_in, None
        return booking


def session(role: str, device: str, staff: StaffRef | None = None) -> Session:
    return Session(cast(ServerConnection, None), role, device, staff=staff)


def request(type_: str, **args: Any) -> protocol.Request:
    return protocol.parse_request({"type": type_, "id": "r1", **args})


@pytest.fixture
def handlers() -> tuple[Host, dict[str, Handler]]:
    host = Host(new_office(), NoPages())
    return host, office_handlers(host)


def test_every_command_is_an_office_method_taking_its_fields_the_device_and_the_time() -> None:
    for request_type, command in COMMANDS.items():
        assert request_type in protocol.REQUESTS
        method = getattr(Office, command.method)
        names = list(inspect.signature(method).parameters)[1:]
        assert len(names) == len(command.fields) + 2, request_type
        assert names[-2:] == ["device", "now"], request_type


def test_every_office_request_has_a_handler(handlers: tuple[Host, dict[str, Handler]]) -> None:
    _, table = handlers
    visitor = {"visitor.ping", "survey.submit", "complaint.file", "complaint.list",
               "complaint.update"}
    assert set(table) | DISPATCHER_REQUESTS | visitor == set(protocol.REQUESTS)


def test_a_ticket_walks_from_issue_to_complete_through_the_handlers(
        handlers: tuple[Host, dict[str, Handler]]) -> None:
    host, table = handlers
    kiosk = session("kiosk", "kiosk-1")
    console = session("counter", "console-1", StaffRef("demo", "Petugas Demo"))
    now = OPENING + timedelta(hours=1)
    result, events = table["ticket.issue"](kiosk, request("ticket.issue", service="A"), now)
    ticket = result["ticket"]
    assert ticket["number"] == "A001" and [e.name for e in events] == ["ticket.issued"]

    result, events = table["counter.open"](
        console, request("counter.open", counter="1", services=["A"]), now)
    assert result["counter"]["staff"] == {"username": "demo", "name": "Petugas Demo"}

    result, _ = table["ticket.call_next"](console, request("ticket.call_next", counter="1"), now)
    assert result["ticket"]["status"] == "called"
    for step, status in (("ticket.start", "serving"), ("ticket.complete", "done")):
        result, events = table[step](console, request(step, ticket=ticket["id"]), now)
        assert result["ticket"]["status"] == status
        assert events[-1].ticket is not None and events[-1].ticket.status.value == status
    result, events = table["counter.pause"](console, request("counter.pause", counter="1"), now)
    assert result["counter"]["state"] == "paused"
    assert host.office.counters["1"].state.value == "paused"


def test_call_next_on_an_empty_queue_answers_no_ticket(
        handlers: tuple[Host, dict[str, Handler]]) -> None:
    _, table = handlers
    console = session("counter", "console-1", StaffRef("demo", "Petugas Demo"))
    now = OPENING + timedelta(hours=1)
    table["counter.open"](console, request("counter.open", counter="1", services=["A"]), now)
    assert table["ticket.call_next"](
        console, request("ticket.call_next", counter="1"), now) == ({"ticket": None}, [])


def test_a_domain_refusal_changes_nothing(handlers: tuple[Host, dict[str, Handler]]) -> None:
    host, table = handlers
    console = session("counter", "console-1", StaffRef("demo", "Petugas Demo"))
    seq = host.office.seq
    with pytest.raises(DomainError) as refused:
        table["ticket.start"](console, request("ticket.start", ticket="nope"),
                              OPENING + timedelta(hours=1))
    assert refused.value.code == "not_found"
    assert host.office.seq == seq


def test_logout_forgets_the_member_of_staff(handlers: tuple[Host, dict[str, Handler]]) -> None:
    _, table = handlers
    console = session("counter", "console-1", StaffRef("demo", "Petugas Demo"))
    console.staff_roles = ("counter",)
    assert table["logout"](console, request("logout"), OPENING) == ({}, [])
    assert console.staff is None
    assert not console.staff_roles


def test_a_supervisor_gets_the_visitor_page_of_a_ticket(server: ServerThread,
                                                       connect: Connect) -> None:
    """`ticket.get` on the running server: the address is its visitor desk's."""
    kiosk = connect(server, "kiosk")
    issued = json.loads(kiosk.raw_request("ticket.issue", "i1", service="A"))["result"]
    supervisor = connect(server, "supervisor")
    assert json.loads(supervisor.raw_request("login", "l1", username=DEMO_USERNAME,
                                             pin=DEMO_PIN))["type"] == "ok"
    got = json.loads(supervisor.raw_request("ticket.get", "g1", ticket=issued["ticket"]["id"]))
    url = server.call(lambda: app(server).web.url_for(issued["ticket"]["id"]))
    assert got["result"]["ticket"]["url"] == url
    assert "url" not in json.loads(kiosk.raw_request("ticket.get", "g2",
                                                     ticket=issued["ticket"]["id"]))[
        "result"]["ticket"]


def test_the_dispatch_table_pairs_every_request_with_its_handler(server: ServerThread) -> None:
    table = app(server).routes
    assert set(table) == set(protocol.REQUESTS)
    for type_, route in table.items():
        assert route.spec is protocol.REQUESTS[type_]
        assert (route.handler is None) == (type_ in DISPATCHER_REQUESTS)


def test_a_request_without_a_handler_stops_the_server_from_starting(
        handlers: tuple[Host, dict[str, Handler]]) -> None:
    _, table = handlers
    with pytest.raises(ValueError, match=r"missing \['complaint.file'"):
        routes(table)  # the visitor desk's five are not in it
    extra = {**table, "ticket.fly": table["ping"]}
    with pytest.raises(ValueError, match=r"unknown \['ticket.fly'\]"):
        routes(extra)
