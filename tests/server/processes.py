"""`antrean server` as a real process, started with the documented command,
for the tests that kill it or signal it."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_ADDRESS = re.compile(r"at (wss?)://([^:]+):(\d+)/ws")


def antrean_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "antrean", *args]


def run_antrean(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run an `antrean` command to the end: exit code, stdout and stderr."""
    return subprocess.run(antrean_command(*args), cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=_environment())


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ServerProcess:
    """`python -m antrean server ...` on a free port; the URL it printed."""

    def __init__(self, *args: str, log_file: Path) -> None:
        self.log_file = log_file
        self._log = log_file.open("a")
        self.process = subprocess.Popen(
            antrean_command("server", "--port", "0", "--log-level", "WARNING", *args),
            cwd=REPO, stdout=subprocess.PIPE, stderr=self._log, text=True, env=_environment(),
        )
        self.scheme, self.host, self.port = self._address(timeout=20)

    def _address(self, timeout: float) -> tuple[str, str, int]:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if ready:
                line = self.process.stdout.readline()
                if not line and self.process.poll() is not None:
                    break
                found = _ADDRESS.search(line)
                if found:
                    return found.group(1), found.group(2), int(found.group(3))
        self.kill()
        raise AssertionError(f"the server did not start: {self.log_file.read_text()}")

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/ws"

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut of the process."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._close()

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM and wait: the exit code."""
        self.process.terminate()
        code = self.process.wait(timeout)
        self._close()
        return code

    def _close(self) -> None:
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
