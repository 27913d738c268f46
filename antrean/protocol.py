"""Antrean wire protocol v1: message types, the role table, encode/decode.

Everything a frame may carry is declared here once. Decoding validates and
raises `ProtocolError` with the code to answer (`bad_request`,
`unknown_type`); encoding returns the text frame to send. The server and the
Qt clients both use this module, so they cannot disagree on a field name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024
MAX_STRING = 2000
# A device name is part of the key that remembers its answers in the database
# (an index row there is limited to a few KB).
MAX_DEVICE = 100
MAX_ID = 200  # a request id: 1 to 200 characters of text

ROLES = ("kiosk", "display", "counter", "supervisor", "visitor", "survey")
# A visitor's phone (one ticket, by its key) and a survey point at the exit:
# they read their own ticket and send feedback, nothing else (docs/visitor.md).
PUBLIC_ROLES = frozenset({"visitor", "survey"})
STAFF_ROLES = frozenset({"counter", "supervisor"})

ERROR_CODES = (
    "bad_request",
    "unknown_type",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "service_closed",
    "quota_exhausted",
    "rate_limited",
    "internal",
    # bookings (issue 12)
    "booking_used",
    "booking_early",
    "booking_late",
    "booking_other_day",
)

CLOSE_BAD_HELLO = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_STANDBY = 4503  # a hot standby: try the next server in the list (docs/protocol.md)
CLOSE_SERVER_SHUTDOWN = 1001

EVENT_NAMES = (
    "ticket.issued",
    "ticket.called",
    "ticket.started",
    "ticket.completed",
    "ticket.no_show",
    "ticket.transferred",
    "counter.opened",
    "counter.paused",
    "counter.closed",
    "announcement",
    "day.rolled",
    # extensions (docs/protocol.md)
    "service.updated",
    "device.status",
    # the visitor's phone (docs/visitor.md)
    "survey.submitted",
    "complaint.filed",
    "complaint.updated",
    # multi-step visits (issue 12)
    "ticket.advanced",
    "ticket.sent_back",
)

JSON = dict[str, Any]


class ProtocolError(Exception):
    """A frame that cannot be executed; answered with `error` and no change."""

    def __init__(self, code: str, message: str, request_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


# Field kinds: how a value is checked.
STR, INT, BOOL, STR_LIST, TEXT, COUNTER_ID, OPT_INT = (
    "str", "int", "bool", "str_list", "text", "counter_id", "optional_int",
)
OBJECT = "object"  # a flat object of short strings, numbers and nulls (form answers)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """Who may send a request, whether staff must be logged in, and its fields."""

    type: str
    roles: frozenset[str]
    fields: tuple[FieldSpec, ...] = ()
    needs_login: bool = False
    changes_state: bool = True


def _spec(
    type_: str, roles: str, *fields: FieldSpec, login: bool = False, changes: bool = True
) -> RequestSpec:
    return RequestSpec(type_, frozenset(roles.split()), fields, login, changes)


_ANY = "kiosk display counter supervisor"

REQUESTS: dict[str, RequestSpec] = {
    s.type: s
    for s in (
        _spec(
            "ticket.issue",
            "kiosk",
            FieldSpec("service", STR),
            FieldSpec("priority", STR, False, ("regular", "priority")),
            FieldSpec("lang", STR, False, ("id", "en")),
        ),
        _spec("counter.open", "counter", FieldSpec("counter", COUNTER_ID),
              FieldSpec("services", STR_LIST), FieldSpec("steps", STR_LIST, False), login=True),
        _spec("counter.pause", "counter", FieldSpec("counter", COUNTER_ID), login=True),
        _spec("counter.close", "counter", FieldSpec("counter", COUNTER_ID), login=True),
        _spec("ticket.call_next", "counter", FieldSpec("counter", COUNTER_ID), login=True),
        _spec("ticket.call", "counter", FieldSpec("counter", COUNTER_ID),
              FieldSpec("ticket", STR), FieldSpec("reason", STR), login=True),
        _spec("ticket.recall", "counter", FieldSpec("ticket", STR), login=True),
        _spec("ticket.start", "counter", FieldSpec("ticket", STR), login=True),
        _spec("ticket.complete", "counter", FieldSpec("ticket", STR), login=True),
        _spec("ticket.no_show", "counter", FieldSpec("ticket", STR), login=True),
        _spec("ticket.transfer", "counter", FieldSpec("ticket", STR),
              FieldSpec("service", STR), login=True),
        _spec("ticket.get", _ANY, FieldSpec("ticket", STR), changes=False),
        _spec("announce", "supervisor", FieldSpec("text", TEXT), login=True),
        _spec("ping", _ANY, changes=False),
        # extensions (docs/protocol.md)
        _spec("login", "counter supervisor", FieldSpec("username", STR), FieldSpec("pin", STR),
              changes=False),
        _spec("logout", "counter supervisor", changes=False),
        _spec("service.update", "supervisor", FieldSpec("service", STR),
              FieldSpec("open", BOOL, False), FieldSpec("quota", OPT_INT, False), login=True),
        _spec("device.status", "kiosk display counter",
              FieldSpec("status", STR), FieldSpec("detail", STR, False)),
        _spec("stats.today", "counter supervisor", login=True, changes=False),
        # the visitor's phone and the survey point (docs/visitor.md)
        _spec("visitor.ping", "visitor survey", changes=False),
        _spec("survey.submit", "visitor survey", FieldSpec("answers", OBJECT),
              FieldSpec("profile", OBJECT, False), FieldSpec("comment", STR, False),
              FieldSpec("ticket", STR, False)),
        _spec("complaint.file", "visitor survey", FieldSpec("category", STR),
              FieldSpec("text", STR), FieldSpec("name", STR, False),
              FieldSpec("contact", STR, False), FieldSpec("consent", BOOL, False)),
        _spec("complaint.list", "supervisor", login=True, changes=False),
        _spec("complaint.update", "supervisor", FieldSpec("code", STR),
              FieldSpec("status", STR), FieldSpec("reply", STR, False), login=True),
        # multi-step visits and bookings (issue 12)
        _spec("ticket.send_back", "counter", FieldSpec("ticket", STR), FieldSpec("reason", STR),
              login=True),
        _spec("booking.check_in", "kiosk", FieldSpec("code", STR),
              FieldSpec("lang", STR, False, ("id", "en"))),
        # Idempotent by their code and written to the bookings table at once.
        _spec("booking.add", "supervisor", FieldSpec("code", STR), FieldSpec("service", STR),
              FieldSpec("date", STR), FieldSpec("start", STR), FieldSpec("end", STR),
              FieldSpec("name", STR, False), login=True, changes=False),
        _spec("booking.cancel", "supervisor", FieldSpec("code", STR), login=True,
              changes=False),
        _spec("booking.list", "supervisor", FieldSpec("date", STR, False), login=True,
              changes=False),
    )
}


@dataclass(frozen=True, slots=True)
class Hello:
    role: str
    device: str
    token: str
    since: int | None = None
    protocol: int = PROTOCOL_VERSION

    def encode(self) -> str:
        return dumps({"type": "hello", "protocol": self.protocol, "role": self.role,
                      "device": self.device, "token": self.token, "since": self.since})


@dataclass(frozen=True, slots=True)
class Request:
    type: str
    id: str
    args: JSON = field(default_factory=dict)

    @property
    def spec(self) -> RequestSpec:
        return REQUESTS[self.type]

    def encode(self) -> str:
        return dumps({"type": self.type, "id": self.id, **self.args})


def dumps(message: Any) -> str:
    """Compact JSON, UTF-8 as it is. orjson, because encoding and decoding were
    ~8 % of the server's CPU per ticket with the standard library."""
    return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(frame: str | bytes) -> JSON:
    """A frame as a JSON object, or `bad_request`."""
    if isinstance(frame, bytes):
        raise ProtocolError("bad_request", "binary frames are not accepted: send JSON text")
    # The limit is in bytes; a character takes at most 4 of them in UTF-8.
    if len(frame) > MAX_FRAME_BYTES or (
        len(frame) > MAX_FRAME_BYTES // 4
        and len(frame.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES
    ):
        raise ProtocolError("bad_request", "frame too large")
    try:
        message = orjson.loads(frame)
    except orjson.JSONDecodeError:
        # orjson also refuses JSON that is only odd (a lone surrogate escape, a
        # number beyond a double): the standard parser reads it, so the request's
        # id is known and its answer can name the field that is wrong.
        message = _loads_slowly(frame)
    if not isinstance(message, dict):
        raise ProtocolError("bad_request", "a frame must be a JSON object")
    return message


def _loads_slowly(frame: str) -> Any:
    try:
        return json.loads(frame, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_request", f"not valid JSON: {str(exc)[:80]}") from None


def _not_json(literal: str) -> Any:
    """NaN and Infinity are Python's extensions, not JSON: refuse them."""
    raise ValueError(f"{literal} is not a JSON value")


def parse_hello(message: JSON) -> Hello:
    if message.get("type") != "hello":
        raise ProtocolError("bad_request", "the first frame must be hello")
    protocol = message.get("protocol")
    if type(protocol) is not int or protocol != PROTOCOL_VERSION:
        raise ProtocolError("bad_request", f"unsupported protocol {protocol!r}: this server "
                            f"speaks {PROTOCOL_VERSION}")
    device = _string(message.get("device"), "device")
    if not device.strip():
        raise ProtocolError("bad_request", "device must not be empty")
    if len(device) > MAX_DEVICE:
        raise ProtocolError("bad_request", f"device must be at most {MAX_DEVICE} characters")
    role = message.get("role")
    if not isinstance(role, str):
        raise ProtocolError("bad_request", f"role must be one of {', '.join(ROLES)}")
    token = message.get("token", "")
    if not isinstance(token, str):
        raise ProtocolError("bad_request", "token must be a string")
    _check_text(token, "token")
    since = message.get("since")
    if since is not None and (type(since) is not int or since < 0):
        raise ProtocolError("bad_request", "since must be a non-negative integer or null")
    if role not in ROLES:
        # Well-formed, but no grant can match: refused like a wrong token.
        raise ProtocolError("unauthorized", f"unknown role: one of {', '.join(ROLES)}")
    return Hello(role=role, device=device, token=token, since=since)


def parse_request(message: JSON) -> Request:
    """Validate a request frame against its declared fields."""
    request_id = message.get("id")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("bad_request", "type must be a string", _safe_id(request_id))
    if kind == "hello":
        raise ProtocolError("bad_request", "already said hello", _safe_id(request_id))
    spec = REQUESTS.get(kind)
    if spec is None:
        raise ProtocolError("unknown_type", f"unknown request type {kind[:40]!r}",
                            _safe_id(request_id))
    if not isinstance(request_id, str) or not 0 < len(request_id) <= MAX_ID:
        raise ProtocolError("bad_request", f"id must be a string of 1 to {MAX_ID} characters",
                            None)
    _check_text(request_id, "id")
    args: JSON = {}
    for spec_field in spec.fields:
        if spec_field.name not in message or (
            message[spec_field.name] is None and spec_field.kind != OPT_INT
        ):
            if spec_field.required:
                raise ProtocolError("bad_request", f"missing field {spec_field.name!r}",
                                    request_id)
            continue
        args[spec_field.name] = _check_field(spec_field, message[spec_field.name], request_id)
    return Request(kind, request_id, args)


def _check_field(spec: FieldSpec, value: Any, request_id: Any) -> Any:
    name = spec.name
    try:
        if spec.kind == STR:
            checked: Any = _string(value, name)
            if spec.choices and checked not in spec.choices:
                raise ProtocolError("bad_request", f"{name} must be one of "
                                    f"{', '.join(spec.choices)}")
            return checked
        if spec.kind == COUNTER_ID:
            if type(value) is int:
                return str(value)
            return _string(value, name)
        if spec.kind == BOOL:
            if type(value) is not bool:
                raise ProtocolError("bad_request", f"{name} must be true or false")
            return value
        if spec.kind in (INT, OPT_INT):
            if value is None and spec.kind == OPT_INT:
                return None
            if type(value) is not int or not -(2**31) < value < 2**31:
                raise ProtocolError("bad_request", f"{name} must be an integer")
            return value
        if spec.kind == STR_LIST:
            if not isinstance(value, list) or len(value) > 100:
                raise ProtocolError("bad_request", f"{name} must be a list of strings")
            return [_string(item, name) for item in value]
        if spec.kind == OBJECT:
            if not isinstance(value, dict) or len(value) > 50:
                raise ProtocolError("bad_request", f"{name} must be an object")
            for key, item in value.items():
                if isinstance(item, str):
                    _string(item, f"{name}.{key}")
                elif item is not None and (type(item) is not int or abs(item) > 2**31):
                    raise ProtocolError("bad_request", f"{name}.{key} must be text or a number")
            return dict(value)
        if spec.kind == TEXT:
            if isinstance(value, str):
                text = _string(value, name)
                return {"id": text, "en": text}
            if not isinstance(value, dict):
                raise ProtocolError("bad_request", f"{name} must be {{\"id\": .., \"en\": ..}}")
            return {lang: _string(value.get(lang, ""), f"{name}.{lang}") for lang in ("id", "en")}
    except ProtocolError as exc:
        exc.request_id = request_id
        raise
    raise AssertionError(f"unknown field kind {spec.kind}")  # pragma: no cover


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ProtocolError("bad_request", f"{name} must be a string")
    if len(value) > MAX_STRING:
        raise ProtocolError("bad_request", f"{name} is too long")
    _check_text(value, name)
    return value


def _check_text(value: str, name: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ProtocolError("bad_request", f"{name} is not valid text") from None
    if "\x00" in value:
        raise ProtocolError("bad_request", f"{name} is not valid text")


def _safe_id(request_id: Any) -> str | None:
    """Echo an id only when it is one we could have accepted (a number never is)."""
    if isinstance(request_id, str) and 0 < len(request_id) <= MAX_ID:
        try:
            _check_text(request_id, "id")
        except ProtocolError:
            return None
        return request_id
    return None


# ------------------------------------------------------------------ encoders
def welcome(server_version: str, seq: int, snapshot: JSON | None) -> str:
    return dumps({"type": "welcome", "protocol": PROTOCOL_VERSION,
                  "server": f"antrean/{server_version}", "seq": seq, "snapshot": snapshot})


def ok(request_id: Any, result: JSON) -> str:
    return ok_json(request_id, dumps(result))


def ok_json(request_id: Any, result_json: str) -> str:
    """An answer around a result already encoded (shared with its event)."""
    return f'{{"type":"ok","id":{dumps(request_id)},"result":{result_json}}}'


def error(request_id: Any, code: str, message: str) -> str:
    return dumps({"type": "error", "id": request_id, "code": code, "message": message})


def event(seq: int, name: str, at: str, data: JSON) -> str:
    return event_frame(seq, name, at, dumps(data))


def event_frame(seq: int, name: str, at: str, data_json: str) -> str:
    """An event around data already encoded (it is also what the store keeps)."""
    return (f'{{"type":"event","seq":{int(seq)},"name":{dumps(name)},'
            f'"at":{dumps(at)},"data":{data_json}}}')

