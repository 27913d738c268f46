"""A fleet of raw display connections in a process of its own, as lean as a
load generator on the server's own two cores can be in Python: one epoll
loop, no asyncio, no JSON. bench/fleet.c is the same in C, which the
benchmarks use when there is a C compiler. The benchmark drives it over
stdin/stdout:

    expect SEQ   ->  armed SEQ                (then the benchmark calls)
                 <-  arrived SEQ T            (T: time.perf_counter() when the
                                               last display had the event)
    quit

Each connection does the WebSocket handshake and the hello, waits for its
welcome, answers the server's pings, and looks for `"seq":SEQ,` in every
text frame, without parsing it. time.perf_counter() is CLOCK_MONOTONIC,
one clock for every process on the machine.

    python bench/fleet.py PORT COUNT [PREFIX]
"""

from __future__ import annotations

import base64
import gc
import json
import os
import resource
import select
import socket
import sys
import time

TOKEN = "demo-display"
BATCH = 200
READ_SIZE = 65536


def masked_frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, 0x80 | length])
    elif length < 65536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class Display:
    """One connection: its socket, unparsed bytes and whether it is welcomed."""

    __slots__ = ("buffer", "device", "fd", "sock", "upgraded", "welcomed")

    def __init__(self, sock: socket.socket, device: str) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.buffer = b""
        self.upgraded = False
        self.welcomed = False
        self.device = device

    def frames(self, data: bytes) -> list[tuple[int, bytes]]:
        """The complete frames now in the buffer (handshake reply consumed first)."""
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return []
            buffer = buffer[end + 4:]
            self.upgraded = True
            hello = {"type": "hello", "protocol": 1, "role": "display",
                     "device": self.device, "token": TOKEN}
            self.sock.sendall(masked_frame(0x1, json.dumps(hello).encode()))
        frames: list[tuple[int, bytes]] = []
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            opcode = buffer[offset] & 0x0F
            length = buffer[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if size - offset < 4:
                    break
                length = int.from_bytes(buffer[offset + 2: offset + 4], "big")
                start = offset + 4
            elif length == 127:
                if size - offset < 10:
                    break
                length = int.from_bytes(buffer[offset + 2: offset + 10], "big")
                start = offset + 10
            if size < start + length:
                break
            frames.append((opcode, buffer[start: start + length]))
            offset = start + length
        self.buffer = buffer[offset:] if offset < size else b""
        return frames


def _one_text_frame(data: bytes) -> bool:
    """Whether `data` is exactly one whole, final text frame."""
    if data[0] != 0x81:
        return False
    length = data[1]
    if length < 126:
        return len(data) == 2 + length
    return length == 126 and len(data) == 4 + int.from_bytes(data[2:4], "big")


def connect_all(port: int, count: int, prefix: str) -> dict[int, Display]:
    """Connect, upgrade and say hello, BATCH at a time, until all are welcomed."""
    displays: dict[int, Display] = {}
    poller = select.epoll()
    for start in range(0, count, BATCH):
        group: dict[int, Display] = {}
        for index in range(start, min(count, start + BATCH)):
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock.setblocking(False)
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall(f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                         f"Sec-WebSocket-Version: 13\r\n\r\n".encode())
            display = Display(sock, f"{prefix}-{index}")
            group[display.fd] = display
            poller.register(display.fd, select.EPOLLIN)
        waiting = len(group)
        deadline = time.monotonic() + 60
        while waiting:
            if time.monotonic() > deadline:
                raise SystemExit(f"fleet: {waiting} displays not welcomed within 60 s")
            for fd, _ in poller.poll(1.0):
                display = group[fd]
                for opcode, _payload in display.frames(os.read(fd, READ_SIZE)):
                    if opcode == 0x1 and not display.welcomed:
                        display.welcomed = True
                        waiting -= 1
        displays.update(group)
    poller.close()
    return displays


def serve(displays: dict[int, Display]) -> None:
    poller = select.epoll()
    for fd in displays:
        poller.register(fd, select.EPOLLIN)
    commands = sys.stdin.fileno()
    poller.register(commands, select.EPOLLIN)
    pending: bytes = b""
    marker: bytes | None = None
    seq = 0
    alive = set(displays)
    missing: set[int] = set()
    last = 0.0
    while True:
        for fd, _ in poller.poll():
            if fd == commands:
                pending += os.read(commands, 4096)
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    words = line.split()
                    if not words or words[0] == b"quit":
                        return
                    seq = int(words[1])
                    marker = b'"seq":%d,' % seq
                    missing = set(alive)
                    print(f"armed {seq}", flush=True)
                continue
            display = displays[fd]
            try:
                data = os.read(fd, READ_SIZE)
            except OSError:
                data = b""
            if not data:
                poller.unregister(fd)
                display.sock.close()
                alive.discard(fd)
                missing.discard(fd)
                print(f"fleet: the server closed {display.device} ({len(alive)} left)",
                      file=sys.stderr, flush=True)
                continue
            if not display.buffer and _one_text_frame(data):  # the usual case, parsed fast
                if marker is not None and marker in data:
                    missing.discard(fd)
                    last = time.perf_counter()
                    if not missing:
                        print(f"arrived {seq} {last:.6f}", flush=True)
                        marker = None
                continue
            now = time.perf_counter()
            for opcode, payload in display.frames(data):
                if opcode == 0x9:
                    display.sock.send(masked_frame(0xA, payload))
                elif opcode == 0x1 and marker is not None and marker in payload:
                    missing.discard(fd)
                    last = now
            if marker is not None and not missing:
                print(f"arrived {seq} {last:.6f}", flush=True)
                marker = None


def main() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port, count = int(sys.argv[1]), int(sys.argv[2])
    prefix = sys.argv[3] if len(sys.argv) > 3 else "display"
    displays = connect_all(port, count, prefix)
    print(f"connected {len(displays)}", flush=True)
    gc.freeze()  # nothing here makes cycles: no collector pauses in the measurements
    gc.disable()
    serve(displays)


if __name__ == "__main__":
    main()
