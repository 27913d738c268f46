"""From a request frame to its handler: parsing, the role table, login and
supervisor checks, the idempotency key, rate limits, then executing it
(login, which checks a PIN off the event loop, is handled here) and queueing
the change for the next group commit."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from antrean import protocol
from antrean.core.model import DomainError, StaffRef
from server import bookings
from server.broadcast import send
from server.commit import Pending, RequestKey, SharedTicket
from server.config import Limits
from server.handlers import Handler
from server.metrics import UNPARSED
from server.security import RateLimiter, staff_may_use

if TYPE_CHECKING:
    from server.app import AntreanServer
    from server.session import Session

log = logging.getLogger("antrean.server")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused before it runs."""

    code: str
    message: str


def gate(session: Session, request: protocol.Request) -> Refusal | None:
    """The role table and the login rules for one request."""
    spec = request.spec
    if session.role not in spec.roles:
        return Refusal("forbidden", f"a {session.role} may not send {request.type}")
    if spec.needs_login and session.staff is None:
        return Refusal("unauthorized", "log in first")
    if spec.needs_login and session.role == "supervisor" and (
        "supervisor" not in session.staff_roles
    ):
        return Refusal("forbidden", "needs a supervisor")
    return None


def request_key(session: Session, request: protocol.Request) -> RequestKey | None:
    """The idempotency key of a request that changes the state."""
    if not request.spec.changes_state:
        return None
    # The role is part of the device's name here: a kiosk calling itself
    # "counter-1" must not be handed that console's answers (staff names).
    return RequestKey(f"{session.role}:{session.device}", json.dumps(request.id))


class Limiter:
    """Flood protection per device: all requests, and ticket issues apart."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.buckets = RateLimiter()

    def allow(self, session: Session, request: protocol.Request, now: float) -> bool:
        limits = self.limits
        if limits.requests_per_second is not None and not self.buckets.allow(
            session.device, "any", limits.requests_per_second, limits.requests_per_second, now
        ):
            return False
        # A check-in issues a ticket too (and must not let a kiosk guess codes fast).
        if request.type in ("ticket.issue", "booking.check_in") and (
            limits.issue_per_minute is not None
        ):
            return self.buckets.allow(
                session.device, "issue", limits.issue_per_minute / 60, limits.issue_per_minute,
                now,
            )
        return True


class Dispatcher:
    """Every request of a welcomed session passes here."""

    def __init__(self, server: AntreanServer) -> None:
        self.server = server
        self.limiter = Limiter(server.config.limits)

    async def frame(self, session: Session, frame: str | bytes) -> None:
        metrics = self.server.metrics
        try:
            request = protocol.parse_request(protocol.loads(frame))
        except protocol.ProtocolError as exc:
            metrics.requests[UNPARSED] += 1
            metrics.error(UNPARSED, exc.code)
            send(session.ws, protocol.error(exc.request_id, exc.code, exc.message))
            return
        metrics.requests[request.type] += 1
        refusal = gate(session, request)
        if refusal is not None:
            self.error(session, request, refusal.code, refusal.message)
            return
        key = request_key(session, request)
        if key is not None and self.server.commits.answered(session, key):
            return
        if not self.limiter.allow(session, request, time.monotonic()):
            self.error(session, request, "rate_limited", "too many requests: slow down")
            return
        if request.type in bookings.DIRECT_REQUESTS:
            send(session.ws, await bookings.answer(self.server, request, session.staff))
            return
        handler = self.server.routes[request.type].handler
        if handler is None:
            await self.login(session, request)
            return
        if request.type == "booking.check_in":
            self.server.checking_in = await bookings.find_booking(self.server.store,
                                                                  request.args["code"])
        self.execute(session, request, key, handler)

    def error(self, session: Session, request: protocol.Request, code: str, text: str,
              key: RequestKey | None = None, **extra: Any) -> None:
        self.server.metrics.error(request.type, code)
        answer = protocol.error(request.id, code, text)
        if extra:
            answer = protocol.dumps({**json.loads(answer), **extra})
        if key is not None:
            self.server.commits.answers[key] = answer
        send(session.ws, answer)

    def execute(self, session: Session, request: protocol.Request,
                key: RequestKey | None, handler: Handler) -> None:
        server = self.server
        now = server.clock()
        if server.office.needs_roll(now):
            server.roll(now)
        try:
            result, events = handler(session, request, now)
        except DomainError as exc:
            self.error(session, request, exc.code, exc.message, key, **exc.extra)
            return
        except Exception:
            log.exception("request %s failed", request.type)
            self.error(session, request, "internal", "internal error")
            return
        if not request.spec.changes_state:
            send(session.ws, protocol.ok(request.id, result))
            return
        # The event carries the answer's very ticket (for an issue, with its
        # ahead and ETA): one wire form, encoded once, serves both.
        shared = SharedTicket.of(result)
        answer = (protocol.ok_json(request.id, f'{{"ticket":{shared.json}}}')
                  if shared is not None else protocol.ok(request.id, result))
        if request.type == "ticket.issue" and shared is not None:
            # The page's address is the visitor's key: in this answer only, never the event.
            url = server.web.url_for(shared.wire["id"])
            answer = protocol.ok(request.id, {"ticket": {**shared.wire, "url": url}})
        elif request.type == "ticket.complete" and shared is not None:
            # The survey's own address, for the QR the counter shows: this counter only.
            answer = protocol.ok(request.id, {"ticket": shared.wire,
                                              "survey_url": server.web.survey_url_for(
                                                  shared.wire["id"])})
        server.commits.queue(Pending([session], answer, key), events, session, shared)

    async def login(self, session: Session, request: protocol.Request) -> None:
        server = self.server
        guard = server.lockouts
        username, pin = request.args["username"], request.args["pin"]
        now = server.clock().timestamp()  # wall clock: a lock is kept across restarts
        locked = await guard.locked_for(username, now)
        if locked:
            self.error(session, request, "unauthorized",
                       f"too many wrong PINs: locked for {int(locked // 60) + 1} more minutes",
                       locked_seconds=math.ceil(locked))
            return
        member = server.config.staff_by_username(username)
        stored = member.pin_hash if member else server.config.staff[0].pin_hash
        good = await server.handshake.verify(pin, stored)
        if member is None or not good:
            lock = await guard.failed(username, server.clock().timestamp())
            if lock:
                self.error(session, request, "unauthorized",
                           f"wrong PIN: locked for {int(lock // 60)} minutes",
                           locked_seconds=int(lock))
            else:
                self.error(session, request, "unauthorized", "wrong username or PIN")
            return
        if not staff_may_use(member, session.role):
            self.error(session, request, "forbidden", "this console needs a supervisor")
            return
        await guard.succeeded(username)
        session.staff = StaffRef(member.username, member.name)
        session.staff_roles = member.roles
        staff: dict[str, Any] = {"username": member.username, "name": member.name,
                                 "roles": list(member.roles)}
        if member.skills is not None:  # what they may serve, when the office file says
            staff["skills"] = list(member.skills)
        send(session.ws, protocol.ok(request.id, {"staff": staff}))
