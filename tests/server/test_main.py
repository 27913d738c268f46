"""`antrean server` as a process: the demo office stays on loopback, and
SIGTERM closes every connection (1001) and exits 0."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.server.processes import ServerProcess, run_antrean
from tests.server.servers import Servers
from tests.server.wire import health, hello_frame, wait_until


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_demo_refuses_a_non_loopback_host(host: str, tmp_path: Path) -> None:
    result = run_antrean("server", "--demo", "--host", host, "--port", "0",
                         "--db", f"sqlite:///{tmp_path / 'demo.db'}")
    assert result.returncode == 2
    assert "loopback" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "demo.db").exists()


def test_server_without_config_or_demo_exits_2(tmp_path: Path) -> None:
    result = run_antrean("server", "--port", "0", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    assert "--config" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("db", "complaint"), [
    ("mysql://root@db/antrean", "unsupported database URL"),
    ("sqlite:///{folder}/x.db?schema=office", "?schema= is for PostgreSQL"),
    ("postgresql://antrean@db/antrean?schema=Kantor-Imigrasi", "bad schema"),
])
def test_a_database_url_that_cannot_be_used_exits_2_with_the_reason(
    db: str, complaint: str, tmp_path: Path
) -> None:
    result = run_antrean("server", "--demo", "--port", "0", "--db", db.format(folder=tmp_path))
    assert result.returncode == 2
    assert "configuration error: --db:" in result.stderr and complaint in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_sigterm_closes_connections_with_1001_and_exits_0(tmp_path: Path) -> None:
    server = ServerProcess("--demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}",
                           log_file=tmp_path / "server.log")
    try:
        clients = [connect(server.url, open_timeout=5).__enter__() for _ in range(3)]
        for n, (role, ws) in enumerate(zip(("kiosk", "display", "counter"), clients,
                                           strict=True)):
            ws.send(hello_frame(role, f"{role}-{n}"))
            assert json.loads(ws.recv(5))["type"] == "welcome"
        clients[0].send(json.dumps({"type": "ticket.issue", "id": "k1", "service": "A"}))
        assert json.loads(clients[0].recv(5))["type"] == "ok"
        silent = connect(server.url, open_timeout=5).__enter__()  # no hello yet
        wait_until(lambda: sum(health(server.port)["clients"].values()) == 3)
        assert server.terminate(timeout=15) == 0
    except BaseException:
        server.kill()
        raise
    for ws in clients:
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(5)
        assert ws.close_code == 1001
    with pytest.raises(ConnectionClosed):
        silent.recv(5)
    assert silent.close_code == 1001
    # What was acknowledged before the signal is still there.
    again = ServerProcess("--demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}",
                          log_file=tmp_path / "server.log")
    try:
        assert health(again.port)["seq"] == 1
    finally:
        assert again.terminate() == 0


def test_stopping_does_not_wait_for_connections_that_never_said_hello(
    servers: Servers,
) -> None:
    server = servers.start()
    silent = connect(server.url, open_timeout=5).__enter__()
    began = time.monotonic()
    server.stop()
    assert time.monotonic() - began < 2  # not the 5 s hello timeout
    with pytest.raises(ConnectionClosed):
        silent.recv(5)
    assert silent.close_code == 1001
