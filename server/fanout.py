"""Writing one commit's frames to every connection, on every core.

A loopback or LAN TCP `send` costs the server 10-17 µs of kernel time on a
small virtual machine (the kernel delivers the segment inside the call), so
one event to 5,000 waiting-room screens is 50-90 ms of one core. The
syscall runs without the GIL, so the writes are shared between the event
loop's thread and helper threads, one per further core. This is safe
because the loop's thread waits for the helpers before it goes on: while
they write, nothing else in the process touches those connections, and
only sockets whose transport has nothing buffered are written directly (so
no byte can overtake another). Whatever a socket did not take at once (a
full send buffer, a broken connection, TLS) is handed back to its
transport on the loop's thread, which buffers it or closes the connection
as usual.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from websockets.asyncio.server import ServerConnection
from websockets.protocol import State

log = logging.getLogger("antrean.server")

# Below this many connections one thread is quicker than waking helpers.
PARALLEL_MIN_CONNECTIONS = 400
MAX_HELPERS = 3
NOT_DIRECT = -1  # a connection whose bytes must go through its transport (TLS)

Member = tuple[ServerConnection, int]  # (connection, its socket's fd or NOT_DIRECT)
Leftover = tuple[ServerConnection, bytes]


class Audience:
    """The connections that receive the same event frames (staff or public),
    each with its socket, found once when it joins rather than per event."""

    def __init__(self) -> None:
        self._members: dict[ServerConnection, int] = {}

    def add(self, ws: ServerConnection) -> None:
        transport = ws.transport
        sock = transport.get_extra_info("socket")
        direct = sock is not None and transport.get_extra_info("sslcontext") is None
        self._members[ws] = int(sock.fileno()) if direct else NOT_DIRECT

    def discard(self, ws: ServerConnection) -> None:
        self._members.pop(ws, None)

    def __contains__(self, ws: object) -> bool:
        return ws in self._members

    def __len__(self) -> int:
        return len(self._members)

    def members(self) -> list[Member]:
        return list(self._members.items())


class FanOut:
    """Writes ready-made frames to many connections at once."""

    def __init__(self, helpers: int | None = None,
                 parallel_min: int = PARALLEL_MIN_CONNECTIONS) -> None:
        if helpers is None:
            helpers = min(MAX_HELPERS, (os.cpu_count() or 1) - 1)
        self.helpers = max(0, helpers)
        self.parallel_min = parallel_min
        self.shared_rounds = 0  # fan-outs shared among threads (diagnostics, tests)
        self._pool = (ThreadPoolExecutor(self.helpers, thread_name_prefix="antrean-fanout")
                      if self.helpers else None)
        if self._pool is not None:  # start the threads now, not in the first big fan-out
            started = threading.Barrier(self.helpers + 1, timeout=5)
            for _ in range(self.helpers):
                self._pool.submit(started.wait)
            with contextlib.suppress(threading.BrokenBarrierError):  # then they start later
                started.wait()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def write(self, own: Mapping[ServerConnection, list[bytes]],
              audiences: Sequence[tuple[Audience, bytes]] = ()) -> None:
        """`own` frames to their connections (answers, welcomes: written
        first, as they are), then each audience's bytes to its members that
        are not in `own`. One write per connection, frames in order; closing
        connections are skipped (as websockets' `broadcast` does) and a
        broken one never stops the others."""
        for ws, frames in own.items():
            _transport_write(ws, frames[0] if len(frames) == 1 else b"".join(frames))
        shares: list[tuple[list[Member], bytes]] = [
            (audience.members(), data) for audience, data in audiences if len(audience)
        ]
        total = sum(len(members) for members, _ in shares)
        if not total:
            return
        pool = self._pool if total >= self.parallel_min else None
        parts = self.helpers + 1 if pool is not None else 1
        futures = [pool.submit(_send_share, shares, part, parts, own)
                   for part in range(1, parts)] if pool is not None else []
        self.shared_rounds += bool(futures)
        leftovers = _send_share(shares, 0, parts, own)
        for future in futures:
            try:
                leftovers.extend(future.result())
            except Exception:  # a bug, not a connection's fault: say so, carry on
                log.exception("a fan-out helper failed; its share of this event is lost "
                              "and those clients will resynchronise on the gap")
        for ws, rest in leftovers:
            _transport_write(ws, rest)


def _send_share(shares: list[tuple[list[Member], bytes]], part: int, parts: int,
                skip: Mapping[ServerConnection, object]) -> list[Leftover]:
    """Every `parts`-th member from `part` on, on any thread: it reads the
    connections' state and calls `os.write`, and touches nothing of asyncio."""
    leftovers: list[Leftover] = []
    for members, data in shares:
        size = len(data)
        for index in range(part, len(members), parts):
            ws, fd = members[index]
            if ws in skip:
                continue
            if not _is_open(ws):
                continue
            transport = ws.transport
            if (fd == NOT_DIRECT or ws.protocol.writes or transport.is_closing()
                    or transport.get_write_buffer_size()):
                leftovers.append((ws, data))
                continue
            try:
                sent = os.write(fd, data)
            except OSError:  # full (EAGAIN) or broken: the transport deals with it
                sent = 0
            if sent < size:
                leftovers.append((ws, data[sent:] if sent else data))
    return leftovers


def _is_open(ws: ServerConnection) -> bool:
    """Open and not in the middle of a fragmented send: else skipped, as
    websockets' `broadcast` skips it."""
    return ws.protocol.state is State.OPEN and ws.send_in_progress is None


def _transport_write(ws: ServerConnection, data: bytes) -> None:
    """On the loop's thread: through websockets' queue and the transport."""
    if not _is_open(ws):
        return
    try:
        if ws.protocol.writes:  # anything websockets itself has queued goes first
            ws.send_data()
        ws.transport.write(data)
    except Exception as exc:  # a broken connection must not stop the others
        log.debug("could not write to a connection: %s", exc)
