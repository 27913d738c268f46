"""Fixtures for the kiosk: a real window on a real server link, driven by taps.

Nothing is faked but the printer's hardware: tickets go to PNG previews in a temporary
folder, or to `FakeNetworkPrinter`, a loopback port-9100 printer that can be broken.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from antrean.qt.link import ServerLink
from kiosk.printing import TicketPrinter, TicketSink
from kiosk.window import KioskWindow
from server.config import OfficeConfig
from tests.kiosk.fake_printer import FakeNetworkPrinter
from tests.support import Links, ServerThread, WireClient

FULL_HD = (1920, 1080)
KIOSK_DEVICE = "kiosk-test"
_devices = itertools.count(1)

MakeKiosk = Callable[..., KioskWindow]
StartServer = Callable[[OfficeConfig], ServerThread]


def tap(qtbot: QtBot, widget: QWidget) -> None:
    """A finger on the middle of `widget`."""
    assert widget.isVisible(), f"{widget!r} is not on screen"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton,
                     pos=QPoint(widget.width() // 2, widget.height() // 2))


def server_tickets(server: ServerThread) -> list[dict[str, Any]]:
    """Today's tickets as the server holds them (what was really issued)."""
    assert server.server is not None
    office = server.server.office
    tickets: list[dict[str, Any]] = server.call(
        lambda: [t.to_wire() for t in office.tickets.values()]
    )
    return tickets


def device_status(server: ServerThread, device: str = KIOSK_DEVICE) -> tuple[str, str] | None:
    assert server.server is not None
    office = server.server.office
    report = server.call(lambda: office.devices.get(device))
    return (report.status, report.detail) if report is not None else None


def staff_client(server: ServerThread, role: str = "supervisor") -> WireClient:
    """A logged-in supervisor console (a new device each time: request ids restart)."""
    client = WireClient(server.url, role, f"{role}-{next(_devices)}")
    client.login()
    return client


@pytest.fixture
def previews(tmp_path: Path) -> Path:
    return tmp_path / "tickets"


@pytest.fixture
def fake_printer() -> Iterator[FakeNetworkPrinter]:
    printer = FakeNetworkPrinter()
    yield printer
    printer.unplug()


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, live_server: ServerThread, previews: Path
) -> Iterator[MakeKiosk]:
    """`make_kiosk(printer=..., size=..., **window options)`: a kiosk window shown at
    `size`, connected to the live server. `printer` is a TicketSink, a printer URI, or
    None for a kiosk without one; by default tickets go to `previews`."""
    windows: list[KioskWindow] = []
    links = Links(qtbot.waitUntil)

    def make(
        printer: TicketSink | str | None = "preview",
        size: tuple[int, int] = FULL_HD,
        server: ServerThread | None = None,
        device: str = KIOSK_DEVICE,
        token: str = "demo-kiosk",
        connect: bool = True,
        **options: Any,
    ) -> KioskWindow:
        target = server or live_server
        link = ServerLink(target.url, "kiosk", device, token)
        if printer == "preview":
            printer = TicketPrinter(f"preview://{previews}")
        elif isinstance(printer, str):
            printer = TicketPrinter(printer)
        window = KioskWindow(link, printer, **options)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        windows.append(window)
        links.start(link, connect)
        return window

    yield make
    links.stop()
    for window in windows:
        window.shutdown()
    links.wait_closed()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """A server for an office other than the demo's (request it before `make_kiosk`,
    so that it stops after the kiosks have let go of it)."""
    started: list[ServerThread] = []

    def start(config: OfficeConfig) -> ServerThread:
        server = ServerThread(config, f"sqlite:///{tmp_path / f'office{len(started)}.db'}")
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
