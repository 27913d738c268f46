"""Who may connect and log in, and how fast a device may ask: device tokens,
staff PINs with lockout, and flood limits. Pure bookkeeping, time passed in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from server.config import DeviceGrant, Limits, StaffMember


@dataclass(slots=True)
class _Failures:
    count: int = 0
    locked_until: float = 0.0


MAX_TRACKED_USERNAMES = 10_000


class LoginGuard:
    """Five wrong PINs lock that user for five minutes (both configurable).
    `now` is wall-clock seconds (locks are kept across restarts). Remembers
    at most MAX_TRACKED_USERNAMES names: someone trying made-up usernames
    all day cannot make the server's memory grow without end."""

    def __init__(self, limits: Limits) -> None:
        self.attempts = limits.login_attempts
        self.lockout_seconds = limits.lockout_minutes * 60
        self._failures: dict[str, _Failures] = {}

    def locked_for(self, username: str, now: float) -> float:
        """Seconds the user stays locked (0 when not locked); never more than
        one lockout, even if the clock went back."""
        failures = self._failures.get(username)
        if failures is None or failures.locked_until <= now:
            return 0.0
        return min(failures.locked_until - now, self.lockout_seconds)

    def state(self, username: str) -> tuple[int, float] | None:
        """(wrong PINs counted, locked until) for keeping; None when clean."""
        failures = self._failures.get(username)
        return None if failures is None else (failures.count, failures.locked_until)

    def restore(self, username: str, count: int, locked_until: float, now: float) -> None:
        """Take back a kept state; a lock ends at most one lockout from now
        (the lockout may have been shortened, or the clock gone back)."""
        until = min(locked_until, now + self.lockout_seconds) if locked_until > now else 0.0
        self._failures.pop(username, None)
        if until or count:
            self._failures[username] = _Failures(max(0, count), until)

    @property
    def tracked(self) -> int:
        return len(self._failures)

    def failed(self, username: str, now: float) -> float:
        """Record a wrong PIN; returns the lock time it caused (0 if none)."""
        if username not in self._failures and len(self._failures) >= MAX_TRACKED_USERNAMES:
            self._forget_unlocked(now)
        failures = self._failures.setdefault(username, _Failures())
        if failures.locked_until and failures.locked_until <= now:
            failures.count = 0
            failures.locked_until = 0.0
        failures.count += 1
        if failures.count >= self.attempts:
            failures.locked_until = now + self.lockout_seconds
            failures.count = 0
            return self.lockout_seconds
        return 0.0

    def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)

    def _forget_unlocked(self, now: float) -> None:
        """Drop the names that are not locked now (their few wrong PINs are
        forgotten); locked names stay locked."""
        self._failures = {name: f for name, f in self._failures.items() if f.locked_until > now}


class RateLimiter:
    """Token buckets per (device, kind): a person cannot tap faster than this."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def allow(self, device: str, kind: str, per_second: float, burst: float, now: float) -> bool:
        tokens, last = self._buckets.get((device, kind), (burst, now))
        tokens = min(burst, tokens + (now - last) * per_second)
        if tokens < 1:
            self._buckets[(device, kind)] = (tokens, now)
            return False
        self._buckets[(device, kind)] = (tokens - 1, now)
        return True


class TokenCache:
    """Checked tokens, so a reconnecting device (or a room of screens sharing a
    token) does not pay for scrypt again. Keeps only a SHA-256 of the token."""

    ANY_DEVICE = "*"

    def __init__(self) -> None:
        self._known: set[tuple[str, str, str]] = set()

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def known(self, role: str, device: str, token: str) -> bool:
        digest = self._digest(token)
        return (role, device, digest) in self._known or (
            role, self.ANY_DEVICE, digest) in self._known

    def remember(self, role: str, grant_device: str | None, token: str) -> None:
        """Remember for the grant's device, or for any device when unbound."""
        self._known.add((role, grant_device or self.ANY_DEVICE, self._digest(token)))


def candidate_grants(
    grants: tuple[DeviceGrant, ...], role: str, device: str
) -> list[DeviceGrant]:
    return [g for g in grants if g.role == role and g.device in (None, device)]


def staff_may_use(member: StaffMember, role: str) -> bool:
    """A supervisor console needs a supervisor; a counter console any staff."""
    return "supervisor" in member.roles if role == "supervisor" else bool(member.roles)
