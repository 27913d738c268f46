"""The fan-out shared among threads: every listener gets every event once and
in order, whatever state its connection is in (reading, stalled with a full
socket, gone), and the answer to a change before its event."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from collections.abc import Callable
from typing import Any

from server.demo import DEMO_TOKENS
from server.fanout import FanOut
from tests.server.servers import app
from tests.server.wire import RawClient, health, wait_until
from tests.support import ServerThread

Connect = Callable[..., RawClient]


class BareDisplay:
    """A display on a plain socket, so a test decides when it reads (the
    websockets clients read everything at once in a thread of their own)."""

    def __init__(self, port: int, device: str, receive_buffer: int | None = None) -> None:
        self.sock = socket.socket()
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(5)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          f"Sec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        self.buffer = self.buffer.split(b"\r\n\r\n", 1)[1]
        self.send({"type": "hello", "protocol": 1, "role": "display", "device": device,
                   "token": DEMO_TOKENS["display"]})
        self.welcome = self.messages(1)[0]

    def send(self, message: dict[str, Any]) -> None:
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        assert len(payload) < 126
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def messages(self, count: int) -> list[dict[str, Any]]:
        """Read until `count` text messages have come (pings are not expected)."""
        found: list[dict[str, Any]] = []
        while len(found) < count:
            frame = self._frame()
            if frame is None:
                self.buffer += self.sock.recv(65536)
                continue
            opcode, payload = frame
            assert opcode == 0x1, f"unexpected frame opcode {opcode}"
            found.append(json.loads(payload))
        return found

    def _frame(self) -> tuple[int, bytes] | None:
        if len(self.buffer) < 2:
            return None
        length, start = self.buffer[1] & 0x7F, 2
        if length == 126:
            if len(self.buffer) < 4:
                return None
            length, start = struct.unpack(">H", self.buffer[2:4])[0], 4
        elif length == 127:
            if len(self.buffer) < 10:
                return None
            length, start = struct.unpack(">Q", self.buffer[2:10])[0], 10
        if len(self.buffer) < start + length:
            return None
        frame = (self.buffer[0] & 0x0F, self.buffer[start:start + length])
        self.buffer = self.buffer[start + length:]
        return frame

    def vanish(self) -> None:
        """Gone without a goodbye: the kernel answers the server with a reset."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def _fanout(server: ServerThread) -> FanOut:
    return app(server)._fanout


def _seqs(events: list[dict[str, Any]]) -> list[int]:
    return [event["seq"] for event in events if event.get("type") == "event"]


def test_every_display_gets_every_event_once_and_in_order(
    server: ServerThread, connect: Connect
) -> None:
    displays = [connect(server, "display", f"display-{n}") for n in range(12)]
    kiosks = [connect(server, "kiosk", f"kiosk-{n}") for n in range(3)]
    counter = connect(server, "counter", "counter-1")
    counter.login()
    counter.ok("counter.open", counter="1", services=["A", "B"])
    rounds_before = _fanout(server).shared_rounds
    for n in range(30):
        kiosks[n % 3].send({"type": "ticket.issue", "id": f"t{n}", "service": "AB"[n % 2]})
    for n, kiosk in enumerate(kiosks):
        kiosk.answers([f"t{k}" for k in range(n, 30, 3)])
    called = counter.ok("ticket.call_next", counter="1")["ticket"]
    last = health(server.port)["seq"]
    assert last == 32  # counter.opened, 30 issued, 1 called
    for display in displays:
        assert _seqs(display.stream_through(last)) == list(range(1, last + 1))
    assert displays[0].stream()[-1]["data"]["ticket"]["number"] == called["number"]
    assert _fanout(server).shared_rounds > rounds_before, "the helpers wrote nothing"


def test_the_answer_comes_before_the_event_it_caused(server: ServerThread,
                                                     connect: Connect) -> None:
    [connect(server, "display", f"display-{n}") for n in range(4)]
    kiosk = connect(server, "kiosk", "kiosk-1")
    kiosk.send({"type": "ticket.issue", "id": "first", "service": "A"})
    answer = kiosk.recv()
    assert (answer["type"], answer["id"]) == ("ok", "first")
    event = kiosk.recv()
    assert (event["type"], event["name"], event["seq"]) == ("event", "ticket.issued", 1)


def test_a_display_that_stops_reading_later_gets_everything_in_order(
    server: ServerThread, connect: Connect
) -> None:
    stalled = BareDisplay(server.port, "display-stalled", receive_buffer=4096)
    reading = connect(server, "display", "display-reading")
    kiosk = connect(server, "kiosk", "kiosk-1")

    def shrink_send_buffer() -> None:
        for session in app(server)._sessions:
            if session.device == "display-stalled":
                sock = session.ws.transport.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)

    def stalled_is_buffered() -> bool:
        def size() -> int:
            for session in app(server)._sessions:
                if session.device == "display-stalled":
                    return int(session.ws.transport.get_write_buffer_size())
            return 0
        return bool(server.call(size))

    def burst() -> None:
        """Twenty tickets at once: a commit's frames go out as one write of
        several KiB, more than the stalled socket has room for."""
        nonlocal issued
        ids = [f"t{issued + n}" for n in range(20)]
        for n, request_id in enumerate(ids):
            kiosk.send({"type": "ticket.issue", "id": request_id, "service": "ABCD"[n % 4]})
        kiosk.answers(ids)
        issued += len(ids)

    server.call(shrink_send_buffer)
    issued = 0
    while not stalled_is_buffered():
        assert issued < 3000, "the stalled display's socket never filled"
        burst()
    burst()  # more after the transport took over: they queue behind
    # The display that reads has had everything all along.
    assert _seqs(reading.stream_through(issued)) == list(range(1, issued + 1))
    # The stalled one, once it reads, gets it all: nothing lost, nothing twice.
    assert _seqs(stalled.messages(issued)) == list(range(1, issued + 1))
    assert health(server.port)["clients"]["display"] == 2


def test_a_display_that_vanishes_stops_nobody(server: ServerThread, connect: Connect) -> None:
    gone = [BareDisplay(server.port, f"display-gone-{n}") for n in range(3)]
    staying = [connect(server, "display", f"display-{n}") for n in range(3)]
    kiosk = connect(server, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    for display in gone:
        display.vanish()
    for _ in range(5):
        kiosk.ok("ticket.issue", service="A")
    for display in staying:
        assert _seqs(display.stream_through(6)) == list(range(1, 7))
    wait_until(lambda: health(server.port)["clients"]["display"] == 3,
               what="the vanished displays to be dropped")


def test_a_room_below_the_threshold_is_written_by_the_loop_alone(
    server: ServerThread, connect: Connect
) -> None:
    fanout = FanOut(helpers=1, parallel_min=5)

    def use_it() -> None:
        app(server)._fanout = fanout
    server.call(use_it)
    kiosk = connect(server, "kiosk", "kiosk-1")
    displays = [connect(server, "display", f"display-{n}") for n in range(3)]
    kiosk.ok("ticket.issue", service="A")  # 4 listeners
    assert _seqs(displays[0].stream_through(1)) == [1]
    assert fanout.shared_rounds == 0
    displays.append(connect(server, "display", "display-3"))
    kiosk.ok("ticket.issue", service="A")  # 5 listeners
    for display in displays:
        assert _seqs(display.stream_through(2))[-1] == 2
    assert fanout.shared_rounds == 1
