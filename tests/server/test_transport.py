"""PROTOCOL.md, Transport: /healthz, text frames only, the 64 KiB limit, and
any JSON the parser accepts answered without harm to the server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from server.demo import DEMO_PIN, DEMO_TOKENS, DEMO_USERNAME
from tests.server.servers import app
from tests.server.wire import RawClient, fetch, health, wait_until
from tests.support import ServerThread

Connect = Callable[..., RawClient]


def test_healthz_reports_status_seq_day_and_clients(server: ServerThread,
                                                    connect: Connect) -> None:
    status, body = fetch(server.port, "/healthz")
    assert status == 200
    first = json.loads(body)
    assert set(first) == {"status", "seq", "day", "clients", "role"}
    assert first["status"] == "ok"
    assert first["role"] == "leader"  # a lone server (hot standby: docs/protocol.md)
    assert first["seq"] == 0
    assert first["day"] == app(server).office.day.isoformat()
    assert len(first["day"]) == 10 and first["day"][4] == "-" and first["day"][7] == "-"
    assert first["clients"] == {"kiosk": 0, "display": 0, "counter": 0, "supervisor": 0,
                                "visitor": 0, "survey": 0}

    kiosk = connect(server, "kiosk", "kiosk-1")
    connect(server, "display", "display-1")
    connect(server, "display", "display-2")
    counter = connect(server, "counter", "counter-1")
    counter.login()
    connect(server, "supervisor", "supervisor-1")
    wait_until(lambda: health(server.port)["clients"] == {
        "kiosk": 1, "display": 2, "counter": 1, "supervisor": 1, "visitor": 0, "survey": 0})

    kiosk.ok("ticket.issue", service="A")
    assert health(server.port)["seq"] == 1

    kiosk.close()
    counter.close()
    wait_until(lambda: health(server.port)["clients"] == {
        "kiosk": 0, "display": 2, "counter": 0, "supervisor": 1, "visitor": 0, "survey": 0})


def test_healthz_names_no_person_and_no_token(server: ServerThread, connect: Connect) -> None:
    counter = connect(server, "counter", "counter-1")
    counter.login()
    counter.ok("counter.open", counter="1", services=["A"])
    text = fetch(server.port, "/healthz")[1].decode()
    for secret in (*DEMO_TOKENS.values(), DEMO_USERNAME, DEMO_PIN, "Petugas Demo", "counter-1"):
        assert secret not in text


def test_unknown_path_is_404(server: ServerThread) -> None:
    assert fetch(server.port, "/nothing-here")[0] == 404
    assert fetch(server.port, "/healthz/extra")[0] == 404


def test_binary_frame_gets_bad_request_and_the_connection_stays(
    server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk")
    kiosk.ws.send(b'{"type":"ping","id":"p1"}')
    answer = kiosk.recv()
    assert answer["type"] == "error" and answer["code"] == "bad_request"
    assert kiosk.request("ping", "p2") == {"type": "ok", "id": "p2", "result": {}}


def test_frame_over_64_kib_closes_with_1009(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    padding = "x" * (64 * 1024 + 1)
    kiosk.send({"type": "ping", "id": "big", "padding": padding})
    assert kiosk.expect_close() == 1009
    # Just under the limit is an ordinary frame.
    other = connect(server, "kiosk", "kiosk-2")
    frame = json.dumps({"type": "ping", "id": "fits", "padding": ""})
    fits = frame.replace('""', '"' + "x" * (64 * 1024 - len(frame)) + '"')
    assert len(fits.encode()) == 64 * 1024
    other.send(fits)
    assert other.answer("fits")["type"] == "ok"


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param("[" * 30_000 + "]" * 30_000, id="deep-array"),
        pytest.param('{"type":"ping","id":"d","x":' + "[" * 20_000 + "]" * 20_000 + "}",
                     id="deep-inside-request"),
        pytest.param('{"type":"ping","id":"d","x":' + '{"a":' * 5_000 + "1" + "}" * 5_000
                     + "}", id="deep-objects-in-request"),
        pytest.param('{"type":"ping","id":"\\ud800"}', id="lone-surrogate-id"),
        pytest.param('{"type":"\\udfff","id":"s"}', id="lone-surrogate-type"),
        pytest.param('{"type":"ticket.issue","id":"s","service":"\\ud83d"}',
                     id="lone-surrogate-field"),
        pytest.param('{"type":"ping","id":' + "9" * 4_000 + "}", id="huge-int-id"),
        pytest.param('{"type":"ping","id":' + "9" * 5_000 + "}", id="int-beyond-parser-limit"),
        pytest.param('{"type":"ping","id":1e400}', id="float-overflow-id"),
        pytest.param('{"type":"ping","id":NaN}', id="nan-id"),
        pytest.param('{"type":"ticket.issue","id":"q","service":-Infinity}', id="infinity"),
        pytest.param('{"type":"ticket.get","id":"n","ticket":123456789012345678901234567890}',
                     id="huge-int-field"),
        pytest.param('{"type":"ping","id":"' + "i" * 5_000 + '"}', id="very-long-id"),
        pytest.param('{"type":"ping","id":true}', id="bool-id"),
        pytest.param("null", id="null"),
        pytest.param('"ping"', id="string"),
        pytest.param("[]", id="array"),
        pytest.param("{}", id="empty-object"),
        pytest.param("{not json", id="not-json"),
        pytest.param("", id="empty-frame"),
        pytest.param('{"type":"ping","id":"dup","id":"dup"}', id="duplicate-keys-accepted"),
    ],
)
def test_any_json_is_answered_and_the_server_lives(
    frame: str, server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk")
    kiosk.send(frame)
    answer = kiosk.recv()
    assert answer["type"] in ("error", "ok"), answer
    if answer["type"] == "error":
        assert answer["code"] in ("bad_request", "unknown_type"), answer
        assert isinstance(answer["message"], str) and answer["message"]
    # The connection and the server both carry on.
    assert kiosk.request("ping", "after")["type"] == "ok"
    assert connect(server, "display").request("ping", "other")["type"] == "ok"
    assert health(server.port)["seq"] == 0


def test_bad_frames_change_nothing(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    for frame in ('{"type":"ticket.issue","id":"x"}',
                  '{"type":"ticket.issue","id":"y","service":"A","priority":"vip"}',
                  '{"type":"ticket.issue","id":"z","service":["A"]}',
                  '{"type":"ticket.issue","service":"A"}',
                  '{"type":"ticket.fly","id":"w"}'):
        kiosk.send(frame)
        answer = kiosk.recv()
        assert answer["type"] == "error", answer
    assert health(server.port)["seq"] == 0
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    assert ticket["number"] == "A001"
    assert kiosk.event("ticket.issued")["seq"] == 1
