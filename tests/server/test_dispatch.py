"""server/dispatch.py: the gate before a handler (roles, login, supervisor),
the idempotency key and the per-device limits."""

from __future__ import annotations

from typing import Any, cast

from websockets.asyncio.server import ServerConnection

from antrean import protocol
from antrean.core.model import StaffRef
from server.config import Limits
from server.dispatch import Limiter, Refusal, gate, request_key
from server.session import Session

DEMO = StaffRef("demo", "Petugas Demo")


def session(role: str, device: str = "dev-1", staff: StaffRef | None = None,
            roles: tuple[str, ...] = ()) -> Session:
    return Session(cast(ServerConnection, None), role, device, staff=staff, staff_roles=roles)


def request(type_: str, request_id: Any = "r1", **args: Any) -> protocol.Request:
    return protocol.parse_request({"type": type_, "id": request_id, **args})


def test_a_role_may_send_only_its_requests() -> None:
    assert gate(session("kiosk"), request("ticket.issue", service="A")) is None
    assert gate(session("display"), request("ticket.issue", service="A")) == Refusal(
        "forbidden", "a display may not send ticket.issue")


def test_staff_requests_need_a_login_and_supervisor_ones_a_supervisor() -> None:
    call = request("ticket.call_next", counter="1")
    assert gate(session("counter"), call) == Refusal("unauthorized", "log in first")
    assert gate(session("counter", staff=DEMO, roles=("counter",)), call) is None
    update = request("service.update", service="A", open=False)
    clerk = session("supervisor", staff=StaffRef("clerk", "Clerk"), roles=("counter",))
    assert gate(clerk, update) == Refusal("forbidden", "needs a supervisor")
    assert gate(session("supervisor", staff=DEMO, roles=("counter", "supervisor")),
                update) is None


def test_only_changes_have_a_key_and_the_role_is_part_of_it() -> None:
    assert request_key(session("kiosk"), request("ping")) is None
    issue = request("ticket.issue", "k-7", service="A")
    kiosk_key = request_key(session("kiosk", "counter-1"), issue)
    assert kiosk_key is not None
    assert (kiosk_key.device, kiosk_key.request_id) == ("kiosk:counter-1", '"k-7"')
    # a console named the same holds other answers
    assert request_key(session("counter", "counter-1"), issue) != kiosk_key


def test_the_limiter_counts_every_request_and_issues_apart() -> None:
    limiter = Limiter(Limits(issue_per_minute=2, requests_per_second=3))
    kiosk, issue, ping = session("kiosk"), request("ticket.issue", service="A"), request("ping")
    assert [limiter.allow(kiosk, issue, 0.0) for _ in range(3)] == [True, True, False]
    assert limiter.allow(kiosk, ping, 0.0) is False  # the fourth in the same second
    assert limiter.allow(session("kiosk", "other"), ping, 0.0)  # per device
    assert limiter.allow(kiosk, ping, 1.0)  # a second later the bucket refilled
    assert not limiter.allow(kiosk, issue, 1.0)  # one issue back only after 30 s
    assert limiter.allow(kiosk, issue, 31.0)


def test_limits_switched_off_let_everything_through() -> None:
    limiter = Limiter(Limits(issue_per_minute=None, requests_per_second=None))
    kiosk, issue = session("kiosk"), request("ticket.issue", service="A")
    assert all(limiter.allow(kiosk, issue, 0.0) for _ in range(1000))
