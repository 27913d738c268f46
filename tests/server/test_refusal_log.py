"""Issue 15: the server logs each refused hello with the device and the reason,
never the token."""

from __future__ import annotations

import json
import logging
from typing import Any

from tests.server.test_handshake import _raw, _refusal
from tests.support import ServerThread


def _refusals(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "antrean.server" and "refused" in r.getMessage()]


def test_a_wrong_token_is_logged_with_device_and_reason(server: ServerThread,
                                                       caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="antrean.server")
    with _raw(server) as ws:
        answer, code = _refusal(ws, json.dumps({
            "type": "hello", "protocol": 1, "role": "kiosk", "device": "kiosk-lobby",
            "token": "s3cret-wrong-token"}))
    assert answer["code"] == "unauthorized" and code == 4401
    (line,) = _refusals(caplog)
    assert "kiosk 'kiosk-lobby'" in line and "unknown device token for this role" in line
    assert "127.0.0.1:" in line
    assert "s3cret-wrong-token" not in caplog.text


def test_a_malformed_hello_is_logged_with_the_device_it_claims(server: ServerThread,
                                                              caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="antrean.server")
    with _raw(server) as ws:
        answer, _code = _refusal(ws, json.dumps({
            "type": "hello", "protocol": 1, "role": 42, "device": "kiosk-lobby",
            "token": "s3cret"}))  # a role that is not text: malformed, bad_request
    assert answer["code"] == "bad_request"
    (line,) = _refusals(caplog)
    assert "device 'kiosk-lobby'" in line and answer["message"] in line
    assert "s3cret" not in caplog.text
