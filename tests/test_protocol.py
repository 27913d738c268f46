"""Wire protocol v1: every message type survives encode -> loads -> parse, and
every kind of garbage frame is a ProtocolError with the code to answer
(`bad_request` / `unknown_type`), echoing the request id only when that id
was itself acceptable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antrean import protocol
from antrean.protocol import (
    BOOL,
    COUNTER_ID,
    ERROR_CODES,
    MAX_FRAME_BYTES,
    MAX_STRING,
    OBJECT,
    OPT_INT,
    PROTOCOL_VERSION,
    REQUESTS,
    ROLES,
    STR,
    STR_LIST,
    TEXT,
    FieldSpec,
    Hello,
    ProtocolError,
    Request,
    loads,
    parse_hello,
    parse_request,
)

# A valid value, and values that must be refused, for every field kind.
VALID: dict[str, Any] = {
    STR: "A",
    COUNTER_ID: "3",
    STR_LIST: ["A", "B"],
    TEXT: {"id": "Loket 3 istirahat", "en": "Counter 3 on a break"},
    BOOL: True,
    OPT_INT: 40,
    OBJECT: {"u1": 4, "age": "30", "gender": None},
}
WRONG: dict[str, list[Any]] = {
    STR: [5, 1.5, True, [], {}, ["A"], "\ud800", "a\x00b", "x" * (MAX_STRING + 1)],
    COUNTER_ID: [True, 1.5, [], {}, ["3"], "\udfff", "3\x00", "9" * (MAX_STRING + 1)],
    STR_LIST: ["A", 5, {}, [1], [None], [["A"]], ["\ud800"], ["A\x00"], ["A"] * 101],
    TEXT: [5, [], True, {"id": 5}, {"id": "x", "en": ["y"]}, {"id": "\ud800"}, "a\x00"],
    BOOL: ["true", 1, 0, "yes", [], {}],
    OPT_INT: ["5", 5.0, True, [], {}, 2**31, -(2**31), 10**40],
    OBJECT: [5, "x", [], True, {"a": [1]}, {"a": {"b": 1}}, {"a": "\ud800"}, {"a": 1.5},
             {"a": True}, {str(i): 1 for i in range(51)}],
}


def valid_fields(type_: str) -> dict[str, Any]:
    """Every field of a request type, required and optional, with a valid value."""
    fields: dict[str, Any] = {}
    for spec in REQUESTS[type_].fields:
        fields[spec.name] = spec.choices[-1] if spec.choices else VALID[spec.kind]
    return fields


def refused(frame: str | bytes, code: str = "bad_request", hello: bool = False) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        message = loads(frame)
        parse_hello(message) if hello else parse_request(message)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    return caught.value


def fill(template: str, value: str) -> str:
    """A raw frame with `value` spliced in at @ (for text json.dumps cannot make)."""
    return template.replace("@", value)


def frame(**message: Any) -> str:
    return json.dumps(message)


FIELDS = [(t, f) for t, spec in REQUESTS.items() for f in spec.fields]
FIELD_IDS = [f"{t}.{f.name}" for t, f in FIELDS]


# ------------------------------------------------------------- round trips
@pytest.mark.parametrize("type_", sorted(REQUESTS))
def test_every_request_round_trips(type_: str) -> None:
    request = Request(type_, f"{type_}-1", valid_fields(type_))
    assert parse_request(loads(request.encode())) == request


@pytest.mark.parametrize("type_", sorted(REQUESTS))
def test_every_request_round_trips_with_only_required_fields(type_: str) -> None:
    required = {s.name: VALID[s.kind] for s in REQUESTS[type_].fields if s.required}
    request = Request(type_, "7", required)
    assert parse_request(loads(request.encode())) == request


@settings(max_examples=60, deadline=None)
@given(
    type_=st.sampled_from(sorted(REQUESTS)),
    request_id=st.text(min_size=1, max_size=200).filter(lambda s: "\x00" not in s
                                                        and not _has_surrogate(s)),
    text=st.text(max_size=50).filter(lambda s: "\x00" not in s and not _has_surrogate(s)),
)
def test_any_valid_id_and_text_round_trip(type_: str, request_id: str, text: str) -> None:
    fields = {
        s.name: (text if s.kind == STR and not s.choices else
                 s.choices[0] if s.choices else VALID[s.kind])
        for s in REQUESTS[type_].fields
    }
    request = Request(type_, request_id, fields)
    assert parse_request(loads(request.encode())) == request


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def test_normalised_forms() -> None:
    """A number as counter id and a plain string as announcement text."""
    opened = parse_request(loads(frame(type="counter.open", id="r", counter=3, services=["A"])))
    assert opened.args["counter"] == "3"
    said = parse_request(loads(frame(type="announce", id="r", text="Istirahat")))
    assert said.args["text"] == {"id": "Istirahat", "en": "Istirahat"}
    quota = parse_request(loads(frame(type="service.update", id="r", service="A", quota=None)))
    assert quota.args == {"service": "A", "quota": None}  # null clears the quota
    plain = parse_request(loads(frame(type="ticket.issue", id="r", service="A", extra=[1, 2])))
    assert plain.args == {"service": "A"}  # unknown fields are ignored


@pytest.mark.parametrize("since", [None, 0, 17])
@pytest.mark.parametrize("role", ROLES)
def test_hello_round_trips(role: str, since: int | None) -> None:
    hello = Hello(role=role, device=f"{role}-1", token="secret", since=since)
    assert parse_hello(loads(hello.encode())) == hello


def test_hello_without_optional_fields() -> None:
    assert parse_hello(loads(frame(type="hello", protocol=1, role="display", device="tv-1"))) == (
        Hello(role="display", device="tv-1", token="")
    )


def test_welcome_ok_error_event() -> None:
    snapshot = {"office": {"name": "Kanim", "timezone": "Asia/Jakarta", "day": "2026-03-02"},
                "services": [], "counters": [], "tickets": []}
    assert loads(protocol.welcome("1.2.3", 41, snapshot)) == {
        "type": "welcome", "protocol": PROTOCOL_VERSION, "server": "antrean/1.2.3", "seq": 41,
        "snapshot": snapshot,
    }
    assert loads(protocol.welcome("1.2.3", 41, None))["snapshot"] is None
    assert loads(protocol.ok("r1", {"ticket": None})) == {
        "type": "ok", "id": "r1", "result": {"ticket": None}
    }
    assert loads(protocol.error(None, "bad_request", "not JSON")) == {
        "type": "error", "id": None, "code": "bad_request", "message": "not JSON"
    }
    data = {"ticket": {"id": "2026-03-02-A001", "number": "A001"}, "via": "next"}
    at = "2026-03-02T07:30:00.000+07:00"
    assert loads(protocol.event(42, "ticket.called", at, data)) == {
        "type": "event", "seq": 42, "name": "ticket.called", "at": at, "data": data
    }
    # The pre-encoded form (what the store keeps) is the same frame.
    assert protocol.event_frame(42, "ticket.called", at, protocol.dumps(data)) == protocol.event(
        42, "ticket.called", at, data
    )


def test_frames_are_compact_strict_json() -> None:
    # UTF-8 as it is (a text frame is UTF-8), no spaces.
    assert protocol.dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    # NaN and Infinity are not JSON: never sent as such.
    assert protocol.dumps({"x": float("nan"), "y": float("inf")}) == '{"x":null,"y":null}'
    # Keys are always strings on the wire.
    assert protocol.dumps({1: "one"}) == '{"1":"one"}'


def test_every_error_code_is_documented_once() -> None:
    assert len(set(ERROR_CODES)) == len(ERROR_CODES)
    assert {"bad_request", "unknown_type", "unauthorized", "forbidden", "not_found", "conflict",
            "service_closed", "quota_exhausted", "rate_limited", "internal"} <= set(ERROR_CODES)


def test_every_event_name_is_one_the_domain_applies_and_the_doc_names() -> None:
    """The wire's event list, the core's appliers and docs/protocol.md agree."""
    from antrean.core.office import _APPLIERS

    assert len(set(protocol.EVENT_NAMES)) == len(protocol.EVENT_NAMES)
    assert set(protocol.EVENT_NAMES) == set(_APPLIERS)
    documented = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    for name in protocol.EVENT_NAMES:
        assert f"`{name}`" in documented, name


# ------------------------------------------------------------ garbage frames
@pytest.mark.parametrize(
    "text",
    [
        "", " ", "hello", "{", "}", "{'type': 'ping'}", '{"type": "ping", "id": "r1"',
        '{"type": "ping", "id": "r1",}', '{"type": "ping" "id": "r1"}', "\x00", "\ufeff{}",
        '{"type": "ping", "id": "r1"} {}',
    ],
)
def test_not_json(text: str) -> None:
    assert refused(text).request_id is None


@pytest.mark.parametrize("text", ["[]", '[{"type": "ping", "id": "r1"}]', "1", "-2.5", "1e400",
                                  '"ping"', "null", "true", "false"])
def test_json_that_is_not_an_object(text: str) -> None:
    error = refused(text)
    assert error.request_id is None and "object" in error.message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(literal: str) -> None:
    refused(literal)
    refused(fill('{"type": "service.update", "id": "r1", "service": "A", "quota": @}', literal))
    refused(fill('{"type": "ping", "id": "r1", "padding": [@]}', literal))


def test_binary_frames() -> None:
    refused(b'{"type": "ping", "id": "r1"}')
    refused(b"\x00\xff")


def test_deep_nesting() -> None:
    refused("[" * 100_000)
    refused("[" * 30_000 + "]" * 30_000)
    refused('{"type": "ping", "id": "r1", "x": ' + "[" * 30_000 + "]" * 30_000 + "}")
    refused('{"a":' * 12_000 + "1" + "}" * 12_000)


def test_huge_integers() -> None:
    huge = "9" * 5000  # 10**5000 - 1: beyond what the parser converts
    refused(huge)
    refused(fill('{"type": "ping", "id": @}', huge))
    refused(fill('{"type": "service.update", "id": "r1", "service": "A", "quota": @}', huge))
    # A big number the parser does convert is still not an acceptable value.
    big = "1" + "0" * 4000
    assert refused(fill('{"type": "ping", "id": @}', big)).request_id is None
    error = refused(fill('{"type": "service.update", "id": "r1", "service": "A", "quota": @}', big))
    assert error.request_id == "r1"
    hello = fill('{"type": "hello", "protocol": @, "role": "kiosk", "device": "k"}', big)
    refused(hello, hello=True)


def test_frames_over_64_kib() -> None:
    padding = "x" * (MAX_FRAME_BYTES - len('{"type":"ping","id":"r1","p":""}'))
    at_limit = fill('{"type":"ping","id":"r1","p":"@"}', padding)
    assert len(at_limit.encode()) == MAX_FRAME_BYTES
    assert parse_request(loads(at_limit)).type == "ping"
    refused(at_limit[:-2] + 'x"}')
    refused(" " * (10 * MAX_FRAME_BYTES))
    # The limit is in bytes: 40,000 two-byte letters are 80,000 bytes.
    refused(fill('{"type":"ping","id":"r1","p":"@"}', "é" * 40_000))


@pytest.mark.parametrize(
    ("text", "code", "echo"),
    [
        ('{"id": "r1"}', "bad_request", "r1"),
        ('{"type": null, "id": "r1"}', "bad_request", "r1"),
        ('{"type": 5, "id": "r1"}', "bad_request", "r1"),
        ('{"type": ["ping"], "id": "r1"}', "bad_request", "r1"),
        ('{"type": "ticket.eat", "id": "r1"}', "unknown_type", "r1"),
        ('{"type": "", "id": "12"}', "unknown_type", "12"),
        ('{"type": "", "id": 12}', "unknown_type", None),  # a number is never an id
        ('{"type": "ticket.eat", "id": ""}', "unknown_type", None),
        ('{"type": "PING", "id": "r1"}', "unknown_type", "r1"),
        ('{"type": "welcome", "id": "r1"}', "unknown_type", "r1"),
        ('{"type": "hello", "id": "r1"}', "bad_request", "r1"),
        ('{"type": "ticket.eat", "id": "\\ud800"}', "unknown_type", None),
        ('{"type": "%s", "id": "r1"}' % ("x" * 5000), "unknown_type", "r1"),
    ],
)
def test_type_problems(text: str, code: str, echo: Any) -> None:
    assert refused(text, code).request_id == echo


@pytest.mark.parametrize(
    "bad_id",
    [None, "", "x" * 201, 1.5, True, False, [], {}, ["r1"], {"id": "r1"}, 2**53, -(2**53),
     "\ud800", "r\x001", 0, 7, -1, 2**53 - 1],
    ids=repr,
)
def test_unacceptable_ids_are_not_echoed(bad_id: Any) -> None:
    message: dict[str, Any] = {"type": "ping"}
    if bad_id is not None:
        message["id"] = bad_id
    error = refused(json.dumps(message))
    assert error.request_id is None
    assert error.code == "bad_request"


def test_an_id_at_the_limits_is_accepted() -> None:
    for good in ("x" * 200, "é", "0", "7", " ", "ID with spaces"):
        assert parse_request(loads(json.dumps({"type": "ping", "id": good}))).id == good


@pytest.mark.parametrize(("type_", "field"), FIELDS, ids=FIELD_IDS)
def test_wrong_types_for_every_field(type_: str, field: FieldSpec) -> None:
    for wrong in WRONG[field.kind]:
        message = {"type": type_, "id": "r-7", **valid_fields(type_), field.name: wrong}
        error = refused(json.dumps(message))
        assert error.request_id == "r-7", (field.name, wrong)
        assert field.name in error.message, (error.message, wrong)


@pytest.mark.parametrize(("type_", "field"), [(t, f) for t, f in FIELDS if f.required],
                         ids=[i for i, (_, f) in zip(FIELD_IDS, FIELDS, strict=True) if f.required])
def test_missing_required_fields(type_: str, field: FieldSpec) -> None:
    message = {"type": type_, "id": "r-8", **valid_fields(type_)}
    del message[field.name]
    error = refused(json.dumps(message))
    assert error.request_id == "r-8" and field.name in error.message
    message[field.name] = None  # null is as good as missing for a required field
    assert refused(json.dumps(message)).request_id == "r-8"


@pytest.mark.parametrize(("type_", "field"), [(t, f) for t, f in FIELDS if f.choices],
                         ids=[i for i, (_, f) in zip(FIELD_IDS, FIELDS, strict=True) if f.choices])
def test_choice_fields_refuse_other_values(type_: str, field: FieldSpec) -> None:
    for wrong in ["", "REGULAR", "urgent", "fr", "id ", field.choices[0].upper() + "x"]:
        message = {"type": type_, "id": "r-9", **valid_fields(type_), field.name: wrong}
        assert refused(json.dumps(message)).request_id == "r-9"
    for choice in field.choices:
        message = {"type": type_, "id": "r-9", **valid_fields(type_), field.name: choice}
        assert parse_request(loads(json.dumps(message))).args[field.name] == choice


def test_lone_surrogates_and_nul_in_json_escape_form() -> None:
    for escaped in ("\\ud800", "\\udfff", "x\\ud83d", "\\u0000", "a\\u0000b"):
        text = fill('{"type": "ticket.get", "id": "r1", "ticket": "@"}', escaped)
        assert refused(text).request_id == "r1"
        text = fill('{"type": "announce", "id": "r2", "text": {"id": "ok", "en": "@"}}', escaped)
        assert refused(text).request_id == "r2"
    # A proper surrogate pair is a real character and fine.
    pair = parse_request(loads('{"type": "ticket.get", "id": "r3", "ticket": "\\ud83d\\ude00"}'))
    assert pair.args["ticket"] == "\U0001f600"


# ------------------------------------------------------------------- hello
GOOD_HELLO: dict[str, Any] = {
    "type": "hello", "protocol": 1, "role": "kiosk", "device": "kiosk-1", "token": "t",
}


@pytest.mark.parametrize(
    "change",
    [
        {"type": "ping"},
        {"type": None},
        {"protocol": 2},
        {"protocol": 0},
        {"protocol": "1"},
        {"protocol": True},
        {"protocol": 1.0},
        {"protocol": None},
        {"protocol": [1]},
        {"device": None},
        {"device": ""},
        {"device": "   "},
        {"device": 5},
        {"device": "k\x00"},
        {"device": "\ud800"},
        {"device": "k" * (MAX_STRING + 1)},
        {"role": None},
        {"role": ["kiosk"]},
        {"role": 1},
        {"role": True},
        {"role": {"kiosk": 1}},
        {"token": 1234},
        {"token": ["t"]},
        {"token": "t\x00"},
        {"since": -1},
        {"since": "3"},
        {"since": 1.5},
        {"since": True},
        {"since": [3]},
    ],
    ids=repr,
)
def test_hello_validation(change: dict[str, Any]) -> None:
    message = {**GOOD_HELLO, **change}
    if change.get("device", "") is None:
        del message["device"]
    refused(json.dumps(message), hello=True)


@pytest.mark.parametrize("role", ["admin", "Kiosk", "", " kiosk", "\ud800", "x" * 5000],
                         ids=repr)
def test_a_hello_naming_no_role_is_unauthorized(role: str) -> None:
    """A role that is text but no role is a credential problem, like a wrong
    token (4401); a role that is not text is a malformed hello (4400)."""
    error = refused(json.dumps({**GOOD_HELLO, "role": role}), "unauthorized", hello=True)
    assert error.message == "unknown role: one of " + ", ".join(ROLES)  # never the role sent


def test_a_bad_shape_wins_over_an_unknown_role() -> None:
    """A hello with an unknown role and a malformed field is bad_request."""
    for change in ({"device": 5}, {"token": 5}, {"since": -1}, {"protocol": 2}):
        refused(json.dumps({**GOOD_HELLO, "role": "admin", **change}), hello=True)


def test_hello_device_length() -> None:
    longest = {**GOOD_HELLO, "device": "k" * protocol.MAX_DEVICE}
    assert parse_hello(loads(json.dumps(longest))).device == longest["device"]
    refused(json.dumps({**longest, "device": longest["device"] + "k"}), hello=True)


@pytest.mark.parametrize("missing", ["type", "protocol", "device", "role"])
def test_hello_missing_fields(missing: str) -> None:
    message = dict(GOOD_HELLO)
    del message[missing]
    refused(json.dumps(message), hello=True)


@pytest.mark.parametrize(
    "text", ["", "[]", "null", '"hello"', "{", b"hello", "NaN", "[" * 100_000],
    ids=["empty", "array", "null", "string", "truncated", "binary", "nan", "deep"],
)
def test_a_garbage_first_frame_is_not_a_hello(text: str | bytes) -> None:
    refused(text, hello=True)


def test_every_request_is_documented_with_the_roles_that_may_send_it() -> None:
    """docs/protocol.md's request tables (`| type | role | ...`) agree with the
    one definition of each request in `protocol.REQUESTS`."""
    documented = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    for type_ in protocol.REQUESTS:
        assert f"`{type_}`" in documented, type_
    staff_and_devices = frozenset({"kiosk", "display", "counter", "supervisor"})
    checked: set[str] = set()
    in_table = False
    for line in documented.splitlines():
        if line.startswith("| type | role |"):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
        if not in_table or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        roles = (staff_and_devices if cells[1] == "any"
                 else frozenset(role.strip() for role in cells[1].split(",")))
        for type_ in re.findall(r"`([a-z_.]+)`", cells[0]):
            assert type_ in protocol.REQUESTS, f"{type_} is documented but not a request"
            assert protocol.REQUESTS[type_].roles == roles, type_
            checked.add(type_)
    assert {"ticket.issue", "ticket.call_next", "ping", "stats.today"} <= checked
