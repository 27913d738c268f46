"""A port-9100 thermal printer on loopback that tests can break and mend.

It answers the kiosk's real-time status query (DLE EOT 2, DLE EOT 4) the way an ESC/POS
printer does — healthy, out of paper or cover open, or held back until the test lets it
answer — keeps every job it
prints, and can be unplugged (connection refused) and plugged in again on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Literal

from tests.escpos_reader import read_escpos

PrinterState = Literal["ok", "no_paper", "cover_open"]

STATUS_QUERY = b"\x10\x04\x02\x10\x04\x04"
STATUS_ANSWERS: dict[str, bytes] = {
    "ok": b"\x12\x12",
    "no_paper": b"\x12\x72",  # paper-end sensor
    "cover_open": b"\x16\x12",  # offline because the cover is open
}


class FakeNetworkPrinter:
    def __init__(self) -> None:
        self.state: PrinterState = "ok"
        self.answers = threading.Event()  # cleared: status answers wait for `answer()`
        self.answers.set()
        self.jobs: list[bytes] = []
        self.port = 0
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.plug()

    @property
    def uri(self) -> str:
        return f"network://127.0.0.1:{self.port}"

    def printed_text(self) -> list[str]:
        """The text lines of every job printed so far."""
        with self._lock:
            jobs = list(self.jobs)
        return [line for job in jobs for line in read_escpos(job).text]

    def hold_answers(self) -> None:
        """A printer that takes its time: every status answer waits for `answer()`."""
        self.answers.clear()

    def answer(self) -> None:
        self.answers.set()

    def plug(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._serve, args=(listener,), daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """Nobody listens any more: the kiosk's connection is refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self.answer()  # a held answer must not keep the serving thread alive
        if self._thread is not None:
            self._thread.join(5)

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                with contextlib.suppress(OSError):
                    self._one_job(conn)

    def _one_job(self, conn: socket.socket) -> None:
        received = b""
        while len(received) < len(STATUS_QUERY):
            chunk = conn.recv(len(STATUS_QUERY) - len(received))
            if not chunk:
                return
            received += chunk
        self.answers.wait(30)
        state = self.state
        conn.sendall(STATUS_ANSWERS[state])
        job = bytearray()
        while chunk := conn.recv(65536):
            job += chunk
        if job:
            with self._lock:
                self.jobs.append(bytes(job))
