"""DESIGN.md, roles enforced on the server: PIN lockout after five wrong
tries, and flood limits per device that refuse without issuing anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.config import Limits
from server.security import LoginGuard, RateLimiter
from tests.server.offices import CLERK_PIN, CLERK_USERNAME, config_with_clerk, config_with_limits
from tests.server.servers import Servers
from tests.server.wire import RawClient, health

Connect = Callable[..., RawClient]
LOCKOUT_SECONDS = 5 * 60


def _login(client: RawClient, username: str, pin: str) -> dict[str, Any]:
    return client.request("login", username=username, pin=pin)


def test_five_wrong_pins_lock_the_user_out_for_five_minutes(
    servers: Servers, connect: Connect
) -> None:
    server = servers.start(config_with_clerk())
    counter = connect(server, "counter", "counter-1")
    for attempt in range(1, 5):
        wrong = _login(counter, "demo", "0000")
        assert wrong["type"] == "error" and wrong["code"] == "unauthorized", attempt
        assert "locked_seconds" not in wrong
    fifth = _login(counter, "demo", "0000")
    assert fifth["code"] == "unauthorized" and fifth["locked_seconds"] == LOCKOUT_SECONDS
    # Now even the right PIN is refused, on this console and on any other.
    right = _login(counter, "demo", "1234")
    assert right["type"] == "error" and right["code"] == "unauthorized"
    assert LOCKOUT_SECONDS - 10 <= right["locked_seconds"] <= LOCKOUT_SECONDS + 1
    other = connect(server, "supervisor", "supervisor-1")
    again = _login(other, "demo", "1234")
    assert again["code"] == "unauthorized" and again["locked_seconds"] > LOCKOUT_SECONDS - 10
    assert counter.request("counter.open", counter="1", services=["A"])["code"] == (
        "unauthorized")
    # Other members of staff are not locked out.
    assert counter.ok("login", username=CLERK_USERNAME, pin=CLERK_PIN)["staff"]["username"] == (
        CLERK_USERNAME)


def test_a_right_pin_before_the_fifth_wrong_one_resets_the_count(
    servers: Servers, connect: Connect
) -> None:
    server = servers.start()
    counter = connect(server, "counter")
    for _ in range(4):
        assert _login(counter, "demo", "0000")["code"] == "unauthorized"
    counter.login()
    for _ in range(4):
        assert "locked_seconds" not in _login(counter, "demo", "0000")
    counter.login()


def test_the_lockout_ends_after_five_minutes() -> None:
    """The lock's clock, moved by hand (the server passes in monotonic time)."""
    guard = LoginGuard(Limits())
    for second in range(4):
        assert guard.failed("demo", float(second)) == 0
    assert guard.failed("demo", 4.0) == LOCKOUT_SECONDS
    assert guard.locked_for("demo", 5.0) == LOCKOUT_SECONDS - 1
    assert guard.locked_for("demo", 4.0 + LOCKOUT_SECONDS - 0.5) == 0.5
    assert guard.locked_for("demo", 4.0 + LOCKOUT_SECONDS) == 0
    assert guard.locked_for("someone-else", 5.0) == 0
    # After the lock, a single wrong PIN does not lock again.
    assert guard.failed("demo", 10.0 + LOCKOUT_SECONDS) == 0


def test_the_fourth_issue_within_the_minute_is_rate_limited(
    servers: Servers, connect: Connect
) -> None:
    server = servers.start(config_with_limits(issue_per_minute=3, requests_per_second=50))
    kiosk = connect(server, "kiosk", "kiosk-1")
    numbers = [kiosk.ok("ticket.issue", service="A")["ticket"]["number"] for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    fourth = kiosk.request("ticket.issue", service="A")
    assert fourth["type"] == "error" and fourth["code"] == "rate_limited"
    assert health(server.port)["seq"] == 3
    assert kiosk.ok("ticket.get", ticket="A003")["ticket"]["number"] == "A003"
    # The limit is per device, and the refused request used no number.
    other = connect(server, "kiosk", "kiosk-2")
    assert other.ok("ticket.issue", service="A")["ticket"]["number"] == "A004"


def test_requests_per_second_are_limited_per_device(servers: Servers,
                                                    connect: Connect) -> None:
    server = servers.start(config_with_limits(issue_per_minute=None, requests_per_second=5))
    display = connect(server, "display", "display-1")
    for n in range(12):
        display.send({"type": "ping", "id": str(n)})
    codes = [answer.get("code", "ok") for answer in display.answers([str(n) for n in range(12)])]
    assert 5 <= codes.count("ok") <= 7, codes
    assert set(codes) == {"ok", "rate_limited"}
    assert codes[:5] == ["ok"] * 5
    calm = connect(server, "display", "display-2")
    assert calm.ok("ping") == {}


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter()
    assert [limiter.allow("k", "issue", 3 / 60, 3, 0.0) for _ in range(4)] == [
        True, True, True, False]
    assert limiter.allow("k", "issue", 3 / 60, 3, 10.0) is False
    assert limiter.allow("k", "issue", 3 / 60, 3, 21.0) is True
    assert limiter.allow("other", "issue", 3 / 60, 3, 21.0) is True


def test_made_up_usernames_cannot_grow_the_guard_without_end() -> None:
    from server.config import Limits
    from server.security import MAX_TRACKED_USERNAMES, LoginGuard

    guard = LoginGuard(Limits(login_attempts=2, lockout_minutes=5))
    guard.failed("siti", 0.0)
    assert guard.failed("siti", 1.0) == 300  # locked
    for index in range(MAX_TRACKED_USERNAMES + 50):
        guard.failed(f"made-up-{index}", 2.0)
    assert len(guard._failures) <= MAX_TRACKED_USERNAMES
    assert guard.locked_for("siti", 3.0) > 0  # a real lock survives the pruning
