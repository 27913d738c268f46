"""The one server link every Qt app uses.

It owns the WebSocket (Qt's own QWebSocket on the Qt event loop), says
hello, keeps a mirror of the office (the core `Office`, fed by the welcome
snapshot and the event stream, applied by the same code the server runs),
notices a `seq` gap and resynchronises, and reconnects by itself with
exponential back-off and jitter. Requests still unanswered when the
connection drops are sent again with the same id after the reconnect, so the
server answers them once (idempotency) and nothing is lost or done twice.

The URL may list several servers, comma-separated (a leader and its hot
standby): the link moves to the next one when a server refuses it as a
standby (close 4503) or cannot be reached, and sends its unanswered requests
there with the same ids.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import QAbstractSocket
from PySide6.QtWebSockets import QWebSocket

from antrean import protocol
from antrean.core.model import DomainError
from antrean.core.office import Office

log = logging.getLogger("antrean.link")

Callback = Callable[["Answer"], None]

# A silently dead network is noticed within 0.5 + 2.0 s: under the 3 s in
# which every front end must show that it is disconnected.
HEARTBEAT_MS = 500
HEARTBEAT_TIMEOUT_MS = 2000
# A server whose machine is gone never answers the opening handshake (TCP
# would keep trying for minutes): give up on it after this and try the next.
OPEN_TIMEOUT_MS = 3000
# A wrong token or device name will not fix itself: after a refusal the link
# asks again only this often (an administrator may fix the office file).
REFUSED_RETRY_S = 60.0


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to one request (or a local failure to deliver it)."""

    ok: bool
    result: dict[str, Any]
    code: str = ""
    message: str = ""
    raw: dict[str, Any] | None = None


@dataclass(slots=True)
class _Outstanding:
    frame: str
    callback: Callback | None
    changes_state: bool
    sent_at_ms: int = 0


def backoff_delays(
    initial: float = 0.5, factor: float = 1.6, maximum: float = 10.0
) -> itertools.chain[float]:
    """Seconds to wait before each reconnect: a random first delay, so that a
    room full of screens does not reconnect in one burst, then growing."""
    first = random.uniform(0, initial)
    growing = (min(maximum, initial * factor**n) for n in itertools.count())
    return itertools.chain([first], growing)


class ServerLink(QObject):
    """A device's connection to the Antrean server, with its office mirror."""

    connected_changed = Signal(bool)
    snapshot_loaded = Signal()
    event_received = Signal(object)  # core Event, already applied to the mirror
    message_received = Signal(dict)  # the same event as the server sent it (live figures)
    login_changed = Signal(object)  # staff dict or None
    refused = Signal(str, str)  # code, message: the server will not let us in

    def __init__(
        self,
        url: str,
        role: str,
        device: str,
        token: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.urls = [part.strip() for part in url.split(",") if part.strip()] or [url]
        self.url = self.urls[0]  # the server tried now
        self._rotations = 0  # servers moved on to since the last welcome
        self.role = role
        self.device = device
        self.token = token
        self.office: Office | None = None
        self.connected = False
        self.staff: dict[str, Any] | None = None
        self._credentials: tuple[str, str] | None = None
        self._welcomed = False
        self._outstanding: dict[str, _Outstanding] = {}
        self._backoff = backoff_delays()
        self._stopped = True
        self._awaiting_pong = False
        self._session_prefix = uuid.uuid4().hex[:8]
        self._counter = itertools.count(1)
        self._state = ""  # last logged: connecting, connected, unreachable, refused, lost
        self._refused = False

        self._socket = QWebSocket()
        self._socket.setParent(self)
        self._socket.connected.connect(self._on_open)
        self._socket.disconnected.connect(self._on_closed)
        self._socket.textMessageReceived.connect(self._on_text)
        self._socket.pong.connect(self._on_pong)
        self._socket.errorOccurred.connect(self._on_error)

        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._open_socket)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._beat)
        self._pong_deadline = QTimer(self)
        self._pong_deadline.setSingleShot(True)
        self._pong_deadline.setInterval(HEARTBEAT_TIMEOUT_MS)
        self._pong_deadline.timeout.connect(self._lost)
        self._open_deadline = QTimer(self)
        self._open_deadline.setSingleShot(True)
        self._open_deadline.setInterval(OPEN_TIMEOUT_MS)
        self._open_deadline.timeout.connect(self._open_timed_out)

    # ------------------------------------------------------------ public API
    def start(self) -> None:
        self._stopped = False
        self._open_socket()

    def stop(self) -> None:
        self._stopped = True
        self._retry_timer.stop()
        self._open_deadline.stop()
        self._heartbeat.stop()
        self._pong_deadline.stop()
        self._socket.close()

    def new_request_id(self) -> str:
        return f"{self.device}-{self._session_prefix}-{next(self._counter)}"

    def request(
        self,
        type_: str,
        callback: Callback | None = None,
        *,
        request_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Send a request; `callback` gets the answer once. While disconnected a
        state-changing request waits and goes out after the reconnect; a
        read-only one fails at once with code `disconnected`."""
        request_id = request_id or self.new_request_id()
        spec = protocol.REQUESTS[type_]
        frame = protocol.Request(type_, request_id, fields).encode()
        pending = _Outstanding(frame, callback, spec.changes_state or type_ == "login")
        if not self._ready:
            if not pending.changes_state:
                if callback is not None:
                    callback(Answer(False, {}, "disconnected", "not connected to the server"))
                return request_id
            self._outstanding[request_id] = pending
            return request_id
        self._outstanding[request_id] = pending
        self._send(request_id)
        return request_id

    def login(self, username: str, pin: str, callback: Callback | None = None) -> str:
        """Log staff in; the link logs in again by itself after a reconnect."""

        def done(answer: Answer) -> None:
            if answer.ok:
                self._credentials = (username, pin)
                self.staff = answer.result.get("staff")
                self.login_changed.emit(self.staff)
            if callback is not None:
                callback(answer)

        return self.request("login", done, username=username, pin=pin)

    def logout(self, callback: Callback | None = None) -> None:
        self._credentials = None
        self.staff = None
        self.login_changed.emit(None)
        if self.connected:
            self.request("logout", callback)

    # ------------------------------------------------------------- socket
    def _open_socket(self) -> None:
        if self._stopped:
            return
        self._welcomed = False
        self._open_deadline.start()
        if self._state in ("", "lost"):
            self._note("connecting", "connecting to %s as %s %r", self.url, self.role, self.device)
        self._socket.open(QUrl(self.url))

    def _open_timed_out(self) -> None:
        log.warning("no answer from %s: trying again", self.url)
        self._socket.abort()
        if not self._retry_timer.isActive():
            self._on_closed()

    def _on_open(self) -> None:
        self._open_deadline.stop()
        hello = protocol.Hello(
            role=self.role,
            device=self.device,
            token=self.token,
            since=self.office.seq if self.office is not None else None,
        )
        self._socket.sendTextMessage(hello.encode())

    def _on_text(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            log.warning("server sent a frame that is not JSON")
            return
        kind = message.get("type")
        if kind == "welcome":
            self._on_welcome(message)
        elif kind == "event":
            self._on_event(message)
        elif kind in ("ok", "error"):
            self._on_answer(message)

    def _on_welcome(self, message: dict[str, Any]) -> None:
        snapshot = message.get("snapshot")
        seq = int(message.get("seq", 0))
        if snapshot is not None:
            self.office = Office.from_snapshot(snapshot, seq)
        elif self.office is None:
            self._resync()
            return
        self._welcomed = True
        self._refused = False
        self._backoff = backoff_delays()
        self._rotations = 0
        self._note("connected", "connected to %s as %s %r", self.url, self.role, self.device)
        self._heartbeat.start()
        if snapshot is not None:
            self.snapshot_loaded.emit()
        self._set_connected(True)
        self._resume()

    def _resume(self) -> None:
        """After a (re)connect: log in again first, then resend what was not
        answered, each with its original id."""
        if self._credentials is not None and self.role in protocol.STAFF_ROLES:
            username, pin = self._credentials
            request_id = self.new_request_id()
            frame = protocol.Request(
                "login", request_id, {"username": username, "pin": pin}
            ).encode()
            # Registered as answered-only (not resent): if the PIN stopped
            # working meanwhile, the console must show it is logged out.
            self._outstanding[request_id] = _Outstanding(frame, self._relogin_answered, False)
            self._socket.sendTextMessage(frame)
        for request_id in list(self._outstanding):
            if self._outstanding[request_id].callback == self._relogin_answered:
                continue
            self._send(request_id)

    def _relogin_answered(self, answer: Answer) -> None:
        if answer.ok or answer.code == "disconnected":
            return
        log.warning("automatic login after reconnect refused: %s", answer.message)
        self._credentials = None
        self.staff = None
        self.login_changed.emit(None)

    def _on_event(self, message: dict[str, Any]) -> None:
        office = self.office
        if office is None or not self._welcomed:
            return
        seq = message.get("seq")
        if not isinstance(seq, int) or seq <= office.seq:
            return  # already applied (replay overlap)
        if seq != office.seq + 1:
            log.info("missed events %s..%s: resynchronising", office.seq + 1, seq - 1)
            self._resync()
            return
        try:
            event = office.event_from_wire(
                seq, str(message.get("name")), str(message.get("at")), message.get("data") or {}
            )
            office.apply(event)
        except (DomainError, KeyError, ValueError, TypeError) as exc:
            log.warning("could not apply event %s (%s): resynchronising", seq, exc)
            self.office = None
            self._resync()
            return
        self.event_received.emit(event)
        self.message_received.emit(message)

    def _on_answer(self, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        if request_id is None and message.get("type") == "error":
            code = str(message.get("code", ""))
            if code in ("unauthorized", "bad_request"):
                self.refused.emit(code, str(message.get("message", "")))
            return
        pending = self._outstanding.pop(str(request_id), None)
        if message.get("type") == "ok":
            answer = Answer(True, message.get("result") or {}, raw=message)
        else:
            answer = Answer(False, {}, str(message.get("code", "")),
                            str(message.get("message", "")), raw=message)
        if pending is not None and pending.callback is not None:
            pending.callback(answer)

    def _send(self, request_id: str) -> None:
        pending = self._outstanding.get(request_id)
        if pending is not None and self._ready:
            self._socket.sendTextMessage(pending.frame)

    @property
    def _ready(self) -> bool:
        return self.connected and self._welcomed

    def _resync(self) -> None:
        """Reconnect at once; the hello's `since` asks for what was missed."""
        self._socket.abort()

    def _beat(self) -> None:
        if not self._awaiting_pong:
            self._awaiting_pong = True
            self._pong_deadline.start()
            self._socket.ping(b"antrean")

    def _on_pong(self, *_: object) -> None:
        self._awaiting_pong = False
        self._pong_deadline.stop()

    def _lost(self) -> None:
        log.warning("server stopped answering: reconnecting")
        self._socket.abort()

    def _on_error(self, error: QAbstractSocket.SocketError) -> None:
        log.debug("socket error %s: %s", error, self._socket.errorString())
        if not self._welcomed and error != QAbstractSocket.SocketError.RemoteHostClosedError:
            self._note("unreachable", "cannot reach the server at %s: %s (retrying)",
                       self.url, self._socket.errorString())
        if self._socket.state() == QAbstractSocket.SocketState.UnconnectedState:
            self._on_closed()

    def _on_closed(self) -> None:
        self._open_deadline.stop()
        self._heartbeat.stop()
        self._pong_deadline.stop()
        self._awaiting_pong = False
        was_welcomed = self._welcomed
        self._welcomed = False
        code = self._socket.closeCode().value
        if code in (protocol.CLOSE_UNAUTHORIZED, protocol.CLOSE_BAD_HELLO):
            self._refused = True
            reason = self._socket.closeReason()
            self._note("refused", "the server refused %s %r: %s (asking again every %.0f s)",
                       self.role, self.device, reason or code, REFUSED_RETRY_S)
            self.refused.emit("unauthorized" if code == protocol.CLOSE_UNAUTHORIZED
                              else "bad_request", reason)
        elif was_welcomed and not self._stopped:
            self._note("lost", "connection to %s lost: reconnecting", self.url)
        self._set_connected(False)
        for request_id, pending in list(self._outstanding.items()):
            if not pending.changes_state:
                self._outstanding.pop(request_id)
                if pending.callback is not None:
                    pending.callback(Answer(False, {}, "disconnected", "connection lost"))
        if self._stopped or self._retry_timer.isActive():
            return
        delay = REFUSED_RETRY_S if self._refused else self._reconnect_delay(code, was_welcomed)
        self._retry_timer.start(int(delay * 1000))

    def _reconnect_delay(self, code: int, was_welcomed: bool) -> float:
        """Where to reconnect (the same server after a blip; the next in the
        list after a standby's refusal or a failed attempt) and how soon."""
        if was_welcomed and self.office is not None and code != protocol.CLOSE_STANDBY:
            return 0.05
        if len(self.urls) > 1:
            self._rotations += 1
            self.url = self.urls[(self.urls.index(self.url) + 1) % len(self.urls)]
            if code == protocol.CLOSE_STANDBY and self._rotations <= 4 * len(self.urls):
                return random.uniform(0.1, 0.3)  # a standby is up: it leads within seconds
            if self._rotations % len(self.urls):
                return 0.05  # the others before waiting
        return next(self._backoff)

    def _note(self, state: str, message: str, *args: object) -> None:
        """Log the connection's state when it changes, not at every retry."""
        if state != self._state:
            self._state = state
            log.info(message, *args)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.connected_changed.emit(connected)

