"""PROTOCOL.md, Transport: `wss://` when the server is given a certificate
(`--cert/--key`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path

import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from server.app import AntreanServer
from server.config import ConfigError
from server.main import tls_context
from tests.server.offices import demo_office
from tests.server.processes import ServerProcess
from tests.server.wire import fetch, health, hello_frame
from tests.support import ServerThread


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the openssl command is not installed on this CI machine")
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


def _trusting(cert: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.load_verify_locations(cert)
    return context


class TlsServerThread(ServerThread):
    """The in-process test server, serving wss:// with the certificate as
    `antrean server --cert --key` loads it (server.main.tls_context)."""

    def __init__(self, db_url: str, cert: Path, key: Path) -> None:
        super().__init__(demo_office(), db_url)
        self.cert = cert
        context = tls_context(argparse.Namespace(cert=str(cert), key=str(key)))
        assert context is not None
        self.context = context

    def start(self) -> TlsServerThread:
        self._thread.start()
        self.server = AntreanServer(self.settings(port=0, ssl_context=self.context))
        self.run(self.server.start())
        self.port_used = self.server.port
        return self

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/ws"


@pytest.fixture
def tls_server(certificate: tuple[Path, Path], db_url: str) -> Iterator[TlsServerThread]:
    thread = TlsServerThread(db_url, *certificate).start()
    yield thread
    thread.stop()


def test_wss_with_a_trusted_certificate(tls_server: TlsServerThread,
                                        certificate: tuple[Path, Path]) -> None:
    trusting = _trusting(certificate[0])
    with connect(tls_server.url, ssl=trusting, open_timeout=5) as ws:
        ws.send(hello_frame("kiosk", "kiosk-tls"))
        assert json.loads(ws.recv(5))["type"] == "welcome"
        ws.send(json.dumps({"type": "ticket.issue", "id": "t1", "service": "A"}))
        answer = json.loads(ws.recv(5))
        assert answer["result"]["ticket"]["number"] == "A001"
    assert health(tls_server.port, trusting)["seq"] == 1


def test_wss_displays_get_every_event_from_the_shared_fan_out(
    tls_server: TlsServerThread, certificate: tuple[Path, Path]
) -> None:
    trusting = _trusting(certificate[0])
    with contextlib.ExitStack() as stack:
        displays = [stack.enter_context(connect(tls_server.url, ssl=trusting, open_timeout=5))
                    for _ in range(3)]
        for n, ws in enumerate(displays):
            ws.send(hello_frame("display", f"display-tls-{n}"))
            assert json.loads(ws.recv(5))["type"] == "welcome"
        kiosk = stack.enter_context(connect(tls_server.url, ssl=trusting, open_timeout=5))
        kiosk.send(hello_frame("kiosk", "kiosk-tls"))
        kiosk.recv(5)
        for n in range(3):
            kiosk.send(json.dumps({"type": "ticket.issue", "id": f"t{n}", "service": "A"}))
        for ws in displays:
            assert [json.loads(ws.recv(5))["seq"] for _ in range(3)] == [1, 2, 3]
    assert tls_server.server is not None
    assert tls_server.server._fanout.shared_rounds > 0


def test_wss_refuses_plain_and_untrusting_clients(tls_server: TlsServerThread) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(tls_server.url, ssl=ssl.create_default_context(), open_timeout=5)
    with pytest.raises((OSError, WebSocketException)):
        connect(f"ws://127.0.0.1:{tls_server.port}/ws", open_timeout=3)
    with pytest.raises((OSError, HTTPException)):
        fetch(tls_server.port)  # plain http to the TLS port
    # The server carries on serving the clients that do speak TLS.
    assert health(tls_server.port, _trusting(tls_server.cert))["status"] == "ok"


def test_tls_needs_both_cert_and_key(certificate: tuple[Path, Path]) -> None:
    with pytest.raises(ConfigError, match="--cert and --key"):
        tls_context(argparse.Namespace(cert=str(certificate[0]), key=None))
    assert tls_context(argparse.Namespace(cert=None, key=None)) is None


@pytest.mark.slow
def test_antrean_server_with_cert_and_key_serves_wss(certificate: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    cert, key = certificate
    server = ServerProcess("--demo", "--db", f"sqlite:///{tmp_path / 'tls.db'}",
                           "--cert", str(cert), "--key", str(key),
                           log_file=tmp_path / "server.log")
    try:
        assert server.scheme == "wss"
        with connect(server.url, ssl=_trusting(cert), open_timeout=5) as ws:
            ws.send(hello_frame("display", "display-tls"))
            welcome = json.loads(ws.recv(5))
        assert welcome["type"] == "welcome" and welcome["snapshot"]["office"]["name"]
    finally:
        assert server.terminate() == 0


def test_visitor_pages_over_https_with_their_https_address(
    tls_server: TlsServerThread, certificate: tuple[Path, Path]
) -> None:
    """The ticket's page is served on the same port over TLS, and its address
    (the QR's) says https when no public_url is set."""
    import http.client

    trusting = _trusting(certificate[0])
    with connect(tls_server.url, ssl=trusting, open_timeout=5) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "kiosk",
                            "device": "kiosk-tls-web", "token": "demo-kiosk"}))
        ws.recv(5)
        ws.send(json.dumps({"type": "ticket.issue", "id": "w1", "service": "A"}))
        while (answer := json.loads(ws.recv(5))).get("id") != "w1":
            pass
    url = answer["result"]["ticket"]["url"]
    assert url.startswith(f"https://127.0.0.1:{tls_server.port}/t/")
    conn = http.client.HTTPSConnection("127.0.0.1", tls_server.port, context=trusting,
                                       timeout=5)
    conn.request("GET", url.split(str(tls_server.port), 1)[1])
    page = conn.getresponse()
    assert page.status == 200 and "A001" in page.read().decode()
    conn.close()
