"""PROTOCOL.md, the role column and logging in: every request type in
`antrean.protocol.REQUESTS` from every role, before and after login."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from antrean.protocol import REQUESTS, ROLES
from tests.server.databases import sqlite_url
from tests.server.offices import CLERK_PIN, CLERK_USERNAME, config_with_clerk, demo_office
from tests.server.servers import Servers
from tests.server.wire import RawClient, health
from tests.support import ServerThread

Connect = Callable[..., RawClient]
STAFF_ROLES = ("counter", "supervisor")


def valid_fields(request_type: str, ticket: str) -> dict[str, Any]:
    """Fields that pass validation for each request type (the request may
    still be refused by the state of the office)."""
    fields: dict[str, dict[str, Any]] = {
        "ticket.issue": {"service": "A"},
        "counter.open": {"counter": "2", "services": ["A", "B"]},
        "counter.pause": {"counter": "2"},
        "counter.close": {"counter": "2"},
        "ticket.call_next": {"counter": "2"},
        "ticket.call": {"counter": "2", "ticket": ticket, "reason": "elderly visitor"},
        "ticket.recall": {"ticket": ticket},
        "ticket.start": {"ticket": ticket},
        "ticket.complete": {"ticket": ticket},
        "ticket.no_show": {"ticket": ticket},
        "ticket.transfer": {"ticket": ticket, "service": "B"},
        "ticket.get": {"ticket": ticket},
        "announce": {"text": {"id": "Selamat pagi", "en": "Good morning"}},
        "ping": {},
        "login": {"username": "demo", "pin": "1234"},
        "logout": {},
        "service.update": {"service": "C", "quota": 50},
        "device.status": {"status": "ok"},
        "stats.today": {},
        "visitor.ping": {},
        "survey.submit": {"answers": {f"u{i}": 4 for i in range(1, 10)}, "ticket": ticket},
        "complaint.file": {"category": "waktu", "text": "Antrean terlalu lama"},
        "complaint.list": {},
        "complaint.update": {"code": "PGD-AAAAA-AAAAA", "status": "diproses"},
        "ticket.send_back": {"ticket": ticket, "reason": "documents missing"},
        "booking.add": {"code": "MP-ROLE1", "service": "A", "date": "2026-03-04",
                        "start": "08:00", "end": "08:30"},
        "booking.cancel": {"code": "MP-ROLE1"},
        "booking.list": {},
        "booking.check_in": {"code": "MP-NONE"},
    }
    assert set(fields) == set(REQUESTS), "a request type without test fields"
    return fields[request_type]


def _connection(server: ServerThread, connect: Connect, role: str, logged_in: bool
                ) -> RawClient:
    client = connect(server, role, f"{role}-{'in' if logged_in else 'out'}")
    if logged_in and role in STAFF_ROLES:
        client.login()
    return client


@pytest.fixture
def ticket_id(server: ServerThread, connect: Connect) -> str:
    issued = connect(server, "kiosk", "kiosk-seed").ok("ticket.issue", service="A")
    return str(issued["ticket"]["id"])


@dataclass
class Matrix:
    """One server and a logged-in connection per role, shared by the matrix."""

    server: ServerThread
    clients: dict[str, RawClient]
    ticket_id: str


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    server = ServerThread(demo_office(),
                          sqlite_url(tmp_path_factory.mktemp("matrix"))).start()
    clients = {role: RawClient(server.url, role, f"{role}-matrix") for role in ROLES
               if role != "visitor"}
    for role in STAFF_ROLES:
        clients[role].login()
    ticket = clients["kiosk"].ok("ticket.issue", service="A")["ticket"]
    # A visitor's page says hello with its ticket's key (the end of the ticket's url).
    clients["visitor"] = RawClient(server.url, "visitor", "phone",
                                   token=ticket["url"].rsplit("/", 1)[-1])
    yield Matrix(server, clients, ticket["id"])
    for client in clients.values():
        client.close()
    server.stop()


@pytest.mark.parametrize("request_type", sorted(REQUESTS))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str, request_type: str, matrix: Matrix) -> None:
    client = matrix.clients[role]
    answer = client.request(request_type, **valid_fields(request_type, matrix.ticket_id))
    if request_type == "logout" and answer["type"] == "ok":
        client.login()  # the rest of the matrix runs logged in
    if role in REQUESTS[request_type].roles:
        assert answer.get("code") != "forbidden", answer
        assert answer["type"] == "ok" or answer["code"] not in (
            "bad_request", "unknown_type", "unauthorized"), answer
    else:
        assert answer["type"] == "error" and answer["code"] == "forbidden", answer


def test_every_allowed_request_succeeds_in_a_fitting_state(server: ServerThread,
                                                           connect: Connect) -> None:
    """Not only "not forbidden": each role's requests actually work."""
    kiosk = _connection(server, connect, "kiosk", True)
    counter = _connection(server, connect, "counter", True)
    supervisor = _connection(server, connect, "supervisor", True)
    display = _connection(server, connect, "display", True)
    first = kiosk.ok("ticket.issue", service="A")["ticket"]["id"]
    second = kiosk.ok("ticket.issue", service="A")["ticket"]["id"]
    counter.ok("counter.open", counter="2", services=["A", "B"])
    counter.ok("ticket.call_next", counter="2")
    counter.ok("ticket.recall", ticket=first)
    counter.ok("ticket.start", ticket=first)
    counter.ok("ticket.transfer", ticket=first, service="B")
    counter.ok("ticket.call", counter="2", ticket=second, reason="elderly visitor")
    counter.ok("ticket.no_show", ticket=second)
    counter.ok("ticket.call_next", counter="2")
    counter.ok("ticket.complete", ticket=first)
    counter.ok("counter.pause", counter="2")
    counter.ok("counter.close", counter="2")
    counter.ok("stats.today")
    counter.ok("device.status", status="ok")
    supervisor.ok("announce", text={"id": "Selamat pagi", "en": "Good morning"})
    supervisor.ok("service.update", service="C", quota=50)
    supervisor.ok("stats.today")
    supervisor.ok("booking.add", code="MP-ROLE2", service="A", date="2099-01-01",
                  start="08:00", end="08:30")
    supervisor.ok("booking.list", date="2099-01-01")
    assert kiosk.request("booking.check_in", code="MP-ROLE2")["code"] == "booking_other_day"
    supervisor.ok("booking.cancel", code="MP-ROLE2")
    for client in (kiosk, counter, supervisor, display):
        client.ok("ticket.get", ticket=first)
        client.ok("ping")
    display.ok("device.status", status="ok")
    counter.ok("logout")
    supervisor.ok("logout")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_requests_before_login_are_unauthorized(
    role: str, server: ServerThread, connect: Connect, ticket_id: str
) -> None:
    client = _connection(server, connect, role, logged_in=False)
    allowed = [t for t, spec in REQUESTS.items() if role in spec.roles and t != "login"]
    for request_type in allowed:
        if REQUESTS[request_type].needs_login:
            answer = client.request(request_type, **valid_fields(request_type, ticket_id))
            assert answer["type"] == "error" and answer["code"] == "unauthorized", (
                request_type, answer)
    assert health(server.port)["seq"] == 1  # only the seed ticket: nothing changed
    for request_type in allowed:
        if not REQUESTS[request_type].needs_login:
            answer = client.request(request_type, **valid_fields(request_type, ticket_id))
            assert answer["type"] == "ok", (request_type, answer)


def test_ticket_get_and_ping_need_no_login(server: ServerThread, connect: Connect,
                                           ticket_id: str) -> None:
    for role in ("kiosk", "display", "counter", "supervisor"):
        client = _connection(server, connect, role, logged_in=False)
        assert client.ok("ticket.get", ticket="A001")["ticket"]["id"] == ticket_id
        assert client.ok("ping") == {}


@pytest.mark.parametrize("role", ["kiosk", "display"])
def test_login_from_kiosk_or_display_is_forbidden(role: str, server: ServerThread,
                                                  connect: Connect) -> None:
    client = connect(server, role)
    answer = client.request("login", username="demo", pin="1234")
    assert answer["type"] == "error" and answer["code"] == "forbidden"


def test_login_answers_the_member_of_staff(server: ServerThread, connect: Connect) -> None:
    counter = connect(server, "counter")
    assert counter.login() == {"staff": {"username": "demo", "name": "Petugas Demo",
                                         "roles": ["counter", "supervisor"]}}
    wrong = counter.request("login", username="demo", pin="9999")
    assert wrong["type"] == "error" and wrong["code"] == "unauthorized"
    nobody = counter.request("login", username="nobody", pin="1234")
    assert nobody["type"] == "error" and nobody["code"] == "unauthorized"


def test_logout_ends_what_staff_may_do(server: ServerThread, connect: Connect) -> None:
    counter = connect(server, "counter")
    counter.login()
    counter.ok("counter.open", counter="1", services=["A"])
    counter.ok("logout")
    answer = counter.request("ticket.call_next", counter="1")
    assert answer["type"] == "error" and answer["code"] == "unauthorized"


@pytest.fixture
def clerk_server(servers: Servers) -> ServerThread:
    return servers.start(config_with_clerk())


def test_supervisor_console_needs_staff_with_the_supervisor_role(
    clerk_server: ServerThread, connect: Connect
) -> None:
    supervisor = connect(clerk_server, "supervisor")
    refused = supervisor.request("login", username=CLERK_USERNAME, pin=CLERK_PIN)
    assert refused["type"] == "error" and refused["code"] == "forbidden", refused
    for request_type in ("announce", "service.update", "stats.today"):
        answer = supervisor.request(request_type, **valid_fields(request_type, "A001"))
        assert answer["type"] == "error" and answer["code"] in ("forbidden", "unauthorized")
    # The same member of staff may work a counter.
    counter = connect(clerk_server, "counter")
    assert counter.ok("login", username=CLERK_USERNAME, pin=CLERK_PIN)["staff"]["roles"] == [
        "counter"]
    counter.ok("counter.open", counter="1", services=["A"])
    # A supervisor logs in on the supervisor console and may act.
    supervisor.login()
    supervisor.ok("announce", text={"id": "Halo", "en": "Hello"})
    assert health(clerk_server.port)["seq"] == 2
