"""The client side of the Antrean protocol, without I/O.

`ClientSession` is what a device's link does, as a state machine: it says
hello, keeps a mirror of the office (the core `Office`, fed by the welcome
snapshot and the event stream, applied by the same code the server runs),
notices a `seq` gap and asks for a resynchronisation, keeps the requests not
yet answered and sends them again with the same id after a reconnect (the
server answers each id once), logs staff in again after a reconnect, and
chooses where and how soon to reconnect (the next server of the list after
a standby's refusal, close 4503).

It opens no socket and starts no timer, like the sans-I/O core of
python-websockets: an adapter (the Qt link, a test client, a benchmark
client) tells it what happened (`connect`, `opened`, `receive`, `closed`,
the timers' `open_timed_out`, `beat`, `pong`, `pong_missing`) and then
carries out `outputs()` in order: frames to send and effects (answers to
deliver, state to announce, the connection to drop, a reconnect to
schedule). Time is what the adapter passes in: the delays it is told to wait
and the timeouts it reports.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from antrean import protocol
from antrean.core.model import DomainError
from antrean.core.office import Event, Office
from antrean.views import StaffView, WireError

log = logging.getLogger("antrean.link")

# A wrong token or device name will not fix itself: after a refusal the link
# asks again only this often (an administrator may fix the office file).
REFUSED_RETRY_S = 60.0
# After a blip on a server that had welcomed us: reconnect at once.
QUICK_RETRY_S = 0.05


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to one request (or a local failure to deliver it)."""

    ok: bool
    result: dict[str, Any]
    code: str = ""
    message: str = ""
    raw: dict[str, Any] | None = None


Callback = Callable[[Answer], None]


# ------------------------------------------------------------------ outputs
@dataclass(frozen=True, slots=True)
class Send:
    """Send this text frame on the open connection."""

    frame: str


@dataclass(frozen=True, slots=True)
class Abort:
    """Drop the connection now (a resync, or a server that stopped answering);
    the adapter reports `closed` when it is gone."""


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Call `connect` again after this many seconds."""

    delay: float


@dataclass(frozen=True, slots=True)
class ConnectedChanged:
    connected: bool


@dataclass(frozen=True, slots=True)
class SnapshotLoaded:
    """The mirror was replaced by the welcome's snapshot."""


@dataclass(frozen=True, slots=True)
class EventApplied:
    """`event` (core) is applied to the mirror; `message` is it as sent."""

    event: Event
    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventReceived:
    """An event as sent, for a session that keeps no mirror."""

    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answered:
    """Deliver `answer` to `callback` (the caller's, once)."""

    callback: Callback
    answer: Answer


@dataclass(frozen=True, slots=True)
class LoginChanged:
    staff: StaffView | None


@dataclass(frozen=True, slots=True)
class Refused:
    """The server will not let this device in (code, message)."""

    code: str
    message: str


Output = (Send | Abort | Reconnect | ConnectedChanged | SnapshotLoaded | EventApplied
          | EventReceived | Answered | LoginChanged | Refused)


def backoff_delays(
    initial: float = 0.5, factor: float = 1.6, maximum: float = 10.0,
    rng: random.Random | None = None,
) -> Iterator[float]:
    """Seconds to wait before each reconnect: a random first delay, so that a
    room full of screens does not reconnect in one burst, then growing."""
    first = (rng or random).uniform(0, initial)
    growing = (min(maximum, initial * factor**n) for n in itertools.count())
    return itertools.chain([first], growing)


@dataclass(slots=True)
class _Outstanding:
    frame: str
    callback: Callback | None
    changes_state: bool
    purpose: str = ""  # "login" (the caller's) or "relogin" (after a reconnect)
    credentials: tuple[str, str] | None = None


@dataclass(slots=True)
class ClientSession:
    """One device's session with the Antrean server, I/O-free."""

    urls: list[str]
    role: str
    device: str
    token: str
    rng: random.Random = field(default_factory=random.Random)
    # False: no office mirror (a benchmark's or a test's client that wants its
    # answers and the events as sent); `since` is then what the hello asks for.
    mirror: bool = True
    since: int | None = None
    url: str = ""  # the server tried now
    office: Office | None = None
    connected: bool = False
    staff: StaffView | None = None
    credentials: tuple[str, str] | None = None
    backoff: Iterator[float] = field(init=False)
    welcomed: bool = False
    stopped: bool = True
    refused: bool = False
    awaiting_pong: bool = False
    reconnect_scheduled: bool = False
    dropping: bool = False  # a resync's Abort is out: ignore what still arrives
    state: str = ""  # last logged: connecting, connected, unreachable, refused, lost
    rotations: int = 0  # servers moved on to since the last welcome
    outstanding: dict[str, _Outstanding] = field(default_factory=dict)
    session_prefix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _outputs: list[Output] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.urls = [part for part in self.urls if part] or [self.url]
        self.url = self.url or self.urls[0]
        self.backoff = backoff_delays(rng=self.rng)

    @classmethod
    def for_url(cls, url: str, role: str, device: str, token: str,
                rng: random.Random | None = None, *, mirror: bool = True,
                since: int | None = None) -> ClientSession:
        """A session for `url`, which may list servers comma-separated."""
        urls = [part.strip() for part in url.split(",") if part.strip()] or [url]
        return cls(urls, role, device, token, rng=rng or random.Random(), mirror=mirror,
                   since=since)

    # ---------------------------------------------------------- the outputs
    def outputs(self) -> list[Output]:
        """What to do now, in order; each output is handed out once."""
        taken, self._outputs = self._outputs, []
        return taken

    def next_output(self) -> Output | None:
        """The first output not yet handed out (for adapters whose handling of
        one output may add more, e.g. a callback that sends a request)."""
        return self._outputs.pop(0) if self._outputs else None

    @property
    def ready(self) -> bool:
        """Welcomed on an open connection: requests go out at once."""
        return self.connected and self.welcomed

    # ------------------------------------------------------- the caller's side
    def start(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        self.reconnect_scheduled = False

    def new_request_id(self) -> str:
        return f"{self.device}-{self.session_prefix}-{next(self._counter)}"

    def request(self, type_: str, callback: Callback | None = None, *,
                request_id: str | None = None, purpose: str = "",
                credentials: tuple[str, str] | None = None, **fields: Any) -> str:
        """Queue a request; its answer comes back as `Answered(callback, ...)`.
        While disconnected a state-changing request (or a login) waits and
        goes out after the reconnect; a read-only one fails at once with code
        `disconnected`."""
        request_id = request_id or self.new_request_id()
        spec = protocol.REQUESTS[type_]
        # Held to the one definition the server checks too (antrean.protocol):
        # a request an app builds wrong fails here, naming the field, instead
        # of travelling to the server to come back as `bad_request`.
        try:
            request = protocol.parse_request({**fields, "type": type_, "id": request_id})
        except protocol.ProtocolError as exc:
            raise ValueError(f"{type_}: {exc.message}") from None
        frame = request.encode()
        pending = _Outstanding(frame, callback, spec.changes_state or type_ == "login",
                               purpose, credentials)
        if not self.ready and not pending.changes_state:
            if callback is not None:
                self._outputs.append(Answered(callback, Answer(
                    False, {}, "disconnected", "not connected to the server")))
            return request_id
        self.outstanding[request_id] = pending
        if self.ready:
            self._outputs.append(Send(frame))
        return request_id

    def login(self, username: str, pin: str, callback: Callback | None = None) -> str:
        """Log staff in; the session logs in again by itself after a reconnect."""
        return self.request("login", callback, purpose="login", credentials=(username, pin),
                            username=username, pin=pin)

    def logout(self, callback: Callback | None = None) -> None:
        self.credentials = None
        self.staff = None
        self._outputs.append(LoginChanged(None))
        if self.connected:
            self.request("logout", callback)

    # ------------------------------------------------------ the connection
    def connect(self) -> str | None:
        """The URL to open now (None once stopped)."""
        self.reconnect_scheduled = False
        if self.stopped:
            return None
        self.welcomed = False
        self.dropping = False
        if self.state in ("", "lost"):
            self._note("connecting", "connecting to %s as %s %r", self.url, self.role,
                       self.device)
        return self.url

    def opened(self) -> None:
        """The WebSocket is open: say hello."""
        self._outputs.append(Send(self.hello_frame()))

    def hello_frame(self) -> str:
        """The hello this session says (with `since` when it has a mirror, or
        the caller's `since` without one)."""
        return protocol.Hello(
            role=self.role, device=self.device, token=self.token,
            since=self.office.seq if self.office is not None else self.since,
        ).encode()

    def receive(self, text: str) -> None:
        """A text frame from the server."""
        try:
            message = json.loads(text)
        except ValueError:
            log.warning("server sent a frame that is not JSON")
            return
        if not isinstance(message, dict):
            log.warning("server sent a frame that is not an object")
            return
        kind = message.get("type")
        if kind == "welcome":
            self._on_welcome(message)
        elif kind == "event":
            self._on_event(message)
        elif kind in ("ok", "error"):
            self._on_answer(message)

    def unreachable(self, reason: str) -> None:
        """The connection failed before the welcome (the adapter's error text)."""
        if not self.welcomed:
            self._note("unreachable", "cannot reach the server at %s: %s (retrying)",
                       self.url, reason)

    def open_timed_out(self) -> None:
        """The opening handshake took too long; the adapter drops it and
        reports `closed`."""
        log.warning("no answer from %s: trying again", self.url)

    def beat(self) -> bool:
        """Heartbeat time: True when a ping should go out now."""
        if self.awaiting_pong:
            return False
        self.awaiting_pong = True
        return True

    def pong(self) -> None:
        self.awaiting_pong = False

    def pong_missing(self) -> None:
        log.warning("server stopped answering: reconnecting")
        self._outputs.append(Abort())

    def closed(self, code: int, reason: str = "") -> None:
        """The connection is gone (closed by either side, or never opened)."""
        self.awaiting_pong = False
        self.dropping = False
        was_welcomed = self.welcomed
        self.welcomed = False
        if code in (protocol.CLOSE_UNAUTHORIZED, protocol.CLOSE_BAD_HELLO):
            self.refused = True
            self._note("refused", "the server refused %s %r: %s (asking again every %.0f s)",
                       self.role, self.device, reason or code, REFUSED_RETRY_S)
            self._outputs.append(Refused(
                "unauthorized" if code == protocol.CLOSE_UNAUTHORIZED else "bad_request",
                reason))
        elif was_welcomed and not self.stopped:
            self._note("lost", "connection to %s lost: reconnecting", self.url)
        self._set_connected(False)
        for request_id, pending in list(self.outstanding.items()):
            if not pending.changes_state:
                del self.outstanding[request_id]
                self._answered(pending, Answer(False, {}, "disconnected", "connection lost"))
        if self.stopped or self.reconnect_scheduled:
            return
        delay = REFUSED_RETRY_S if self.refused else self._reconnect_delay(code, was_welcomed)
        self.reconnect_scheduled = True
        self._outputs.append(Reconnect(delay))

    # ------------------------------------------------------------- frames in
    def _on_welcome(self, message: dict[str, Any]) -> None:
        snapshot = message.get("snapshot")
        seq = int(message.get("seq", 0))
        if not self.mirror:
            snapshot = None
        elif snapshot is not None:
            self.office = Office.from_snapshot(snapshot, seq)
        elif self.office is None:
            self._outputs.append(Abort())  # a replay needs a mirror: start over
            return
        self.welcomed = True
        self.refused = False
        self.backoff = backoff_delays(rng=self.rng)
        self.rotations = 0
        self._note("connected", "connected to %s as %s %r", self.url, self.role, self.device)
        if snapshot is not None:
            self._outputs.append(SnapshotLoaded())
        self._set_connected(True)
        self._resume()

    def _resume(self) -> None:
        """After a (re)connect: log in again first, then resend what was not
        answered, each with its original id."""
        if self.credentials is not None and self.role in protocol.STAFF_ROLES:
            username, pin = self.credentials
            request_id = self.new_request_id()
            frame = protocol.Request(
                "login", request_id, {"username": username, "pin": pin}
            ).encode()
            # Answered-only (not resent): if the PIN stopped working
            # meanwhile, the console must show it is logged out.
            self.outstanding[request_id] = _Outstanding(frame, None, False, "relogin")
            self._outputs.append(Send(frame))
        for pending in list(self.outstanding.values()):
            if pending.purpose != "relogin":
                self._outputs.append(Send(pending.frame))

    def _on_event(self, message: dict[str, Any]) -> None:
        if not self.mirror:
            if self.welcomed:
                self._outputs.append(EventReceived(message))
            return
        office = self.office
        if office is None or not self.welcomed or self.dropping:
            return
        seq = message.get("seq")
        if not isinstance(seq, int) or seq <= office.seq:
            return  # already applied (replay overlap)
        if seq != office.seq + 1:
            log.info("missed events %s..%s: resynchronising", office.seq + 1, seq - 1)
            self.dropping = True  # nothing more is applied on this connection
            self._outputs.append(Abort())  # the next hello's `since` asks for them
            return
        try:
            event = office.event_from_wire(
                seq, str(message.get("name")), str(message.get("at")), message.get("data") or {}
            )
            office.apply(event)
        except (DomainError, KeyError, ValueError, TypeError) as exc:
            log.warning("could not apply event %s (%s): resynchronising", seq, exc)
            self.office = None
            self.dropping = True
            self._outputs.append(Abort())
            return
        self._outputs.append(EventApplied(event, message))

    def _on_answer(self, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        if request_id is None and message.get("type") == "error":
            code = str(message.get("code", ""))
            if code in ("unauthorized", "bad_request"):
                self._outputs.append(Refused(code, str(message.get("message", ""))))
            return
        pending = self.outstanding.pop(str(request_id), None)
        if pending is None:
            return
        if message.get("type") == "ok":
            answer = Answer(True, message.get("result") or {}, raw=message)
        else:
            answer = Answer(False, {}, str(message.get("code", "")),
                            str(message.get("message", "")), raw=message)
        self._answered(pending, answer)

    def _answered(self, pending: _Outstanding, answer: Answer) -> None:
        if pending.purpose == "login" and answer.ok:
            try:
                staff = StaffView.from_wire(answer.result.get("staff"))
            except WireError as exc:  # nobody is logged in on an answer not understood
                log.error("the login answer cannot be read: %s", exc)
                answer = Answer(False, {}, "internal", str(exc), raw=answer.raw)
            else:
                self.credentials = pending.credentials
                self.staff = staff
                self._outputs.append(LoginChanged(staff))
        elif pending.purpose == "relogin" and not answer.ok and answer.code != "disconnected":
            log.warning("automatic login after reconnect refused: %s", answer.message)
            self.credentials = None
            self.staff = None
            self._outputs.append(LoginChanged(None))
        if pending.callback is not None:
            self._outputs.append(Answered(pending.callback, answer))

    # ------------------------------------------------------------- helpers
    def _reconnect_delay(self, code: int, was_welcomed: bool) -> float:
        """Where to reconnect (the same server after a blip; the next in the
        list after a standby's refusal or a failed attempt) and how soon."""
        mirrored = self.office is not None or not self.mirror
        if was_welcomed and mirrored and code != protocol.CLOSE_STANDBY:
            return QUICK_RETRY_S
        if len(self.urls) > 1:
            self.rotations += 1
            self.url = self.urls[(self.urls.index(self.url) + 1) % len(self.urls)]
            if code == protocol.CLOSE_STANDBY and self.rotations <= 4 * len(self.urls):
                return self.rng.uniform(0.1, 0.3)  # a standby is up: it leads within seconds
            if self.rotations % len(self.urls):
                return QUICK_RETRY_S  # the others before waiting
        return next(self.backoff)

    def _note(self, state: str, message: str, *args: object) -> None:
        """Log the connection's state when it changes, not at every retry."""
        if state != self.state:
            self.state = state
            log.info(message, *args)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._outputs.append(ConnectedChanged(connected))
