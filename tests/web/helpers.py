"""Plain HTTP for the visitor pages (the server answers through websockets'
HTTP hook: one request per connection), and a visitor's WebSocket client."""

from __future__ import annotations

import http.client
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.sync.client import ClientConnection, connect

from tests.support import ServerThread, WireClient, open_counter


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def get(server: ServerThread, path: str, params: dict[str, Any] | None = None,
        cookie: str | None = None) -> Page:
    if params:
        path = f"{path}?{urlencode(params)}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read().decode()
        return Page(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


def path_of(url: str) -> str:
    return urlsplit(url).path


def key_of(url: str) -> str:
    return path_of(url).rsplit("/", 1)[-1]


_devices = itertools.count(1)


def issue(server: ServerThread, service: str = "A") -> dict[str, Any]:
    kiosk = WireClient(server.url, "kiosk", f"kiosk-web-{next(_devices)}")
    try:
        ticket: dict[str, Any] = kiosk.ok("ticket.issue", service=service)["ticket"]
        return ticket
    finally:
        kiosk.close()


def serve(server: ServerThread, ticket: dict[str, Any], *, finish: str = "ticket.complete",
          counter: str = "1") -> None:
    """A counter calls the ticket (out of turn if need be) and ends the visit."""
    console = WireClient(server.url, "counter", f"counter-web-{next(_devices)}")
    try:
        open_counter(console, counter)
        console.ok("ticket.call", counter=counter, ticket=ticket["id"], reason="test")
        console.ok(finish, ticket=ticket["id"])
    finally:
        console.close()


class Visitor:
    """A visitor page's live connection."""

    def __init__(self, server: ServerThread, key: str) -> None:
        self.ws: ClientConnection = connect(server.url, open_timeout=5).__enter__()
        self.ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "visitor",
                                 "device": "phone", "token": key}))
        self.welcome: dict[str, Any] = json.loads(self.ws.recv(5))

    def recv(self, timeout: float = 5) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout))
        return frame

    def request(self, type_: str, request_id: str, **fields: Any) -> dict[str, Any]:
        self.ws.send(json.dumps({"type": type_, "id": request_id, **fields}))
        while True:
            frame = self.recv()
            if frame.get("id") == request_id:
                return frame

    def close(self) -> None:
        self.ws.close()


SURVEY = {f"u{i}": (i % 4) + 1 for i in range(1, 10)}


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
