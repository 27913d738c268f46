"""The one server link every Qt app uses: a thin Qt adapter over the I/O-free
`antrean.session.ClientSession`.

The session does the protocol (hello, the office mirror fed by the welcome
snapshot and the event stream, a `seq` gap -> resync, unanswered requests
sent again with the same id after a reconnect, re-login, where and how soon
to reconnect, the 4503 standby close -> next server). This module owns only
what needs Qt: the QWebSocket on the Qt event loop, the timers (reconnect,
open timeout, heartbeat) and the signals the apps connect to.

The URL may list several servers, comma-separated (a leader and its hot
standby): the link moves to the next one when a server refuses it as a
standby (close 4503) or cannot be reached, and sends its unanswered requests
there with the same ids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import QAbstractSocket
from PySide6.QtWebSockets import QWebSocket

from antrean.core.office import Office
from antrean.session import (
    REFUSED_RETRY_S,
    Abort,
    Answer,
    Answered,
    Callback,
    ClientSession,
    ConnectedChanged,
    EventApplied,
    LoginChanged,
    Reconnect,
    Refused,
    Send,
    SnapshotLoaded,
    backoff_delays,
)
from antrean.views import StaffView

__all__ = [
    "HEARTBEAT_MS",
    "HEARTBEAT_TIMEOUT_MS",
    "OPEN_TIMEOUT_MS",
    "REFUSED_RETRY_S",
    "Answer",
    "Callback",
    "ServerLink",
    "backoff_delays",
]

log = logging.getLogger("antrean.link")

# A silently dead network is noticed within 0.5 + 2.0 s: under the 3 s in
# which every front end must show that it is disconnected.
HEARTBEAT_MS = 500
HEARTBEAT_TIMEOUT_MS = 2000
# A server whose machine is gone never answers the opening handshake (TCP
# would keep trying for minutes): give up on it after this and try the next.
OPEN_TIMEOUT_MS = 3000


class ServerLink(QObject):
    """A device's connection to the Antrean server, with its office mirror."""

    connected_changed = Signal(bool)
    snapshot_loaded = Signal()
    event_received = Signal(object)  # core Event, already applied to the mirror
    message_received = Signal(dict)  # the same event as the server sent it (live figures)
    login_changed = Signal(object)  # StaffView or None
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
        self.session = ClientSession.for_url(url, role, device, token)

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
        self._pong_deadline.timeout.connect(self._pong_missing)
        self._open_deadline = QTimer(self)
        self._open_deadline.setSingleShot(True)
        self._open_deadline.setInterval(OPEN_TIMEOUT_MS)
        self._open_deadline.timeout.connect(self._open_timed_out)

    # -------------------------------------------------- the session's state
    @property
    def urls(self) -> list[str]:
        return self.session.urls

    @property
    def url(self) -> str:
        """The server tried now."""
        return self.session.url

    @property
    def role(self) -> str:
        return self.session.role

    @property
    def device(self) -> str:
        return self.session.device

    @property
    def token(self) -> str:
        return self.session.token

    @property
    def office(self) -> Office | None:
        return self.session.office

    @property
    def connected(self) -> bool:
        return self.session.connected

    @property
    def staff(self) -> StaffView | None:
        return self.session.staff

    @property
    def _credentials(self) -> tuple[str, str] | None:
        return self.session.credentials

    @_credentials.setter
    def _credentials(self, credentials: tuple[str, str] | None) -> None:
        self.session.credentials = credentials

    @property
    def _backoff(self) -> Iterator[float]:
        return self.session.backoff

    @_backoff.setter
    def _backoff(self, delays: Iterator[float]) -> None:
        self.session.backoff = delays

    # ------------------------------------------------------------ public API
    def start(self) -> None:
        self.session.start()
        self._open_socket()

    def stop(self) -> None:
        self.session.stop()
        self._retry_timer.stop()
        self._open_deadline.stop()
        self._heartbeat.stop()
        self._pong_deadline.stop()
        self._socket.close()

    def new_request_id(self) -> str:
        return self.session.new_request_id()

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
        request_id = self.session.request(type_, callback, request_id=request_id, **fields)
        self._carry_out()
        return request_id

    def login(self, username: str, pin: str, callback: Callback | None = None) -> str:
        """Log staff in; the link logs in again by itself after a reconnect."""
        request_id = self.session.login(username, pin, callback)
        self._carry_out()
        return request_id

    def logout(self, callback: Callback | None = None) -> None:
        self.session.logout(callback)
        self._carry_out()

    # ------------------------------------------------ the session's outputs
    def _carry_out(self) -> None:
        """Do what the session asks, in order (a callback or a slot may add
        more, which is done in its turn)."""
        while (output := self.session.next_output()) is not None:
            if isinstance(output, Send):
                self._socket.sendTextMessage(output.frame)
            elif isinstance(output, Abort):
                self._socket.abort()
            elif isinstance(output, Reconnect):
                self._retry_timer.start(int(output.delay * 1000))
            elif isinstance(output, ConnectedChanged):
                if output.connected:
                    self._heartbeat.start()
                self.connected_changed.emit(output.connected)
            elif isinstance(output, SnapshotLoaded):
                self.snapshot_loaded.emit()
            elif isinstance(output, EventApplied):
                self.event_received.emit(output.event)
                self.message_received.emit(output.message)
            elif isinstance(output, Answered):
                output.callback(output.answer)
            elif isinstance(output, LoginChanged):
                self.login_changed.emit(output.staff)
            elif isinstance(output, Refused):
                self.refused.emit(output.code, output.message)

    # ------------------------------------------------------------- socket
    def _open_socket(self) -> None:
        url = self.session.connect()
        if url is None:
            return
        self._open_deadline.start()
        self._socket.open(QUrl(url))

    def _open_timed_out(self) -> None:
        self.session.open_timed_out()
        self._socket.abort()
        if not self._retry_timer.isActive():
            self._on_closed()

    def _on_open(self) -> None:
        self._open_deadline.stop()
        self.session.opened()
        self._carry_out()

    def _on_text(self, text: str) -> None:
        self.session.receive(text)
        self._carry_out()

    def _beat(self) -> None:
        if self.session.beat():
            self._pong_deadline.start()
            self._socket.ping(b"antrean")

    def _on_pong(self, *_: object) -> None:
        self.session.pong()
        self._pong_deadline.stop()

    def _pong_missing(self) -> None:
        self.session.pong_missing()
        self._carry_out()

    def _on_error(self, error: QAbstractSocket.SocketError) -> None:
        log.debug("socket error %s: %s", error, self._socket.errorString())
        if error != QAbstractSocket.SocketError.RemoteHostClosedError:
            self.session.unreachable(self._socket.errorString())
        if self._socket.state() == QAbstractSocket.SocketState.UnconnectedState:
            self._on_closed()

    def _on_closed(self) -> None:
        self._open_deadline.stop()
        self._heartbeat.stop()
        self._pong_deadline.stop()
        if self._retry_timer.isActive():
            self.session.reconnect_scheduled = True  # e.g. a late close after a timeout
        self.session.closed(self._socket.closeCode().value, self._socket.closeReason())
        self._carry_out()
