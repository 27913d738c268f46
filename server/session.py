"""A connection's first moments: the hello (read within a time limit,
parsed, its device token checked), then the welcome (the missed events, or
a snapshot) joined to the event stream so that no event slips past or
arrives twice, and nothing uncommitted is shown."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from antrean import __version__, protocol
from antrean.core.model import StaffRef
from server.broadcast import Joiner, send
from server.config import verify_secret
from server.security import TokenCache, candidate_grants

if TYPE_CHECKING:
    from server.app import AntreanServer

log = logging.getLogger("antrean.server")


@dataclass(eq=False, slots=True)
class Session:
    """One connected device after its hello."""

    ws: ServerConnection
    role: str
    device: str
    staff: StaffRef | None = None
    staff_roles: tuple[str, ...] = ()
    ticket: str | None = None  # a visitor's page: the one ticket it may read

    @property
    def sees_staff(self) -> bool:
        return self.role in protocol.STAFF_ROLES


@dataclass(frozen=True, slots=True)
class HeldWelcome:
    """A welcome whose snapshot is ahead of the last commit, and the future
    its handshake waits on: True once sent, False if that commit failed."""

    text: str
    sent: asyncio.Future[bool]


@dataclass(frozen=True, slots=True)
class CachedWelcome:
    """A snapshot welcome, reused for the same seq within a second."""

    seq: int
    made: float  # time.monotonic()
    text: str


class Handshake:
    """Hello, device token and welcome for one server."""

    def __init__(self, server: AntreanServer, hello_timeout: float) -> None:
        self.server = server
        self.hello_timeout = hello_timeout
        self.tokens = TokenCache()
        self.token_checks: dict[tuple[str, str, str], asyncio.Future[bool]] = {}
        self.secrets = ThreadPoolExecutor(1, thread_name_prefix="antrean-secrets")
        self.welcomes: dict[bool, CachedWelcome] = {}

    def close(self) -> None:
        self.secrets.shutdown(wait=False)

    async def greet(self, ws: ServerConnection) -> Session | None:
        """The session of a device that said a good hello and was welcomed."""
        server = self.server
        try:
            first = await asyncio.wait_for(ws.recv(), self.hello_timeout)
        except TimeoutError:
            await ws.close(protocol.CLOSE_HELLO_TIMEOUT,
                           f"hello expected within {self.hello_timeout:g} s")
            return None
        except ConnectionClosed:
            return None
        server.metrics.requests["hello"] += 1
        try:
            hello = protocol.parse_hello(protocol.loads(first))
        except protocol.ProtocolError as exc:
            log.warning("refused a hello from %s (device %r): %s", peer(ws),
                        claimed_device(first), exc.message)
            await self.refuse(ws, exc.code, exc.message, protocol.CLOSE_UNAUTHORIZED
                              if exc.code == "unauthorized" else protocol.CLOSE_BAD_HELLO)
            return None
        if hello.role in protocol.PUBLIC_ROLES:
            return await server.web.join(ws, hello)
        if not await self.token_ok(hello):
            # The device and the reason, never the token.
            log.warning("refused %s %r from %s: unknown device token for this role",
                        hello.role, hello.device, peer(ws))
            await self.refuse(ws, "unauthorized", "unknown device token for this role",
                              protocol.CLOSE_UNAUTHORIZED)
            return None
        session = Session(ws, hello.role, hello.device)
        while not await self.welcome(session, hello.since):
            pass  # the commit the snapshot waited for failed: describe the state anew
        return session

    async def refuse(self, ws: ServerConnection, code: str, message: str, close: int) -> None:
        self.server.metrics.error("hello", code)
        with contextlib.suppress(ConnectionClosed):
            await ws.send(protocol.error(None, code, message))
            await ws.close(close, message[:120])

    async def token_ok(self, hello: protocol.Hello) -> bool:
        if self.tokens.known(hello.role, hello.device, hello.token):
            return True
        # A room of screens sharing one token says hello at once: check it once,
        # the others wait for that answer.
        key = (hello.role, hello.device, hello.token)
        check = self.token_checks.get(key)
        if check is None:
            check = asyncio.ensure_future(self._check_token(hello))
            self.token_checks[key] = check
            check.add_done_callback(lambda _: self.token_checks.pop(key, None))
        return await asyncio.shield(check)

    async def _check_token(self, hello: protocol.Hello) -> bool:
        for grant in candidate_grants(self.server.config.devices, hello.role, hello.device):
            if await self.verify(hello.token, grant.token_hash):
                self.tokens.remember(hello.role, grant.device, hello.token)
                return True
        return False

    async def verify(self, secret: str, stored: str) -> bool:
        """scrypt needs 16 MB while it runs: one at a time, on one thread, off
        the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.secrets, verify_secret, secret, stored)

    async def welcome(self, session: Session, since: int | None) -> bool:
        """Snapshot (or the missed events) and joining the stream.

        The missed events are all committed. A snapshot describes the state in
        memory, which may be ahead of the last commit: then the welcome waits
        and the writer sends it right after that commit (this client's frames
        are not read until then, so nothing can overtake it). False when that
        commit failed and the welcome must be made again."""
        server = self.server
        stream = server.broadcast
        committed = server.committed_seq
        if since is not None and stream.can_replay(since, committed):
            send(session.ws, protocol.welcome(__version__, since, None))
            stream.replay(session, since, committed)
            stream.joiners.append(Joiner(session, committed, None))
            return True
        text = self.welcome_text(session.sees_staff)
        if server.office.seq <= committed:
            send(session.ws, text)
            stream.joiners.append(Joiner(session, server.office.seq, None))
            return True
        held = HeldWelcome(text, asyncio.get_running_loop().create_future())
        stream.joiners.append(Joiner(session, server.office.seq, held))
        return await held.sent

    def welcome_text(self, with_staff: bool) -> str:
        """The welcome with a snapshot, built once per seq (and second) for a
        whole room of screens connecting at once."""
        office = self.server.office
        cached = self.welcomes.get(with_staff)
        now = time.monotonic()
        if cached and cached.seq == office.seq and now - cached.made < 1.0:
            return cached.text
        snapshot = office.snapshot(self.server.clock(), with_staff)
        text = protocol.welcome(__version__, office.seq, snapshot)
        self.welcomes[with_staff] = CachedWelcome(office.seq, now, text)
        return text


def peer(ws: ServerConnection) -> str:
    """The remote address of a connection, for a log line."""
    address = ws.remote_address
    return f"{address[0]}:{address[1]}" if address else "?"


def claimed_device(frame: str | bytes) -> str | None:
    """The device a hello that could not be read says it is, if it says."""
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        return None
    device = message.get("device") if isinstance(message, dict) else None
    return device if isinstance(device, str) else None
