"""The kiosk and its server link: plain words while disconnected, tiles that cannot be
tapped, and a ticket asked for around a dropped connection issued exactly once."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from tests.kiosk.conftest import MakeKiosk, server_tickets, tap
from tests.kiosk.test_path import walk_to_priority
from tests.support import ServerThread

OFFLINE_ID = "Kios tidak tersambung ke server. Nomor belum bisa diambil, mohon tunggu."


def test_disconnected_kiosk_says_so_and_its_tiles_cannot_be_tapped(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    tap(qtbot, window.start_screen.take_button)
    assert not window.banner.isVisible()
    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert window.banner.text() == OFFLINE_ID
    tiles = window.services_screen.tiles
    assert not any(tile.isEnabled() for tile in tiles.values())
    tap(qtbot, tiles["A"])
    assert window.current_screen() is window.services_screen
    tap(qtbot, window.language_button)
    assert window.banner.text() == (
        "Not connected to the server. Numbers cannot be taken yet, please wait."
    )

    restarted = live_server.restart()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
    assert all(tile.isEnabled() for tile in tiles.values())
    tap(qtbot, tiles["A"])
    assert window.current_screen() is window.requirements_screen
    window.link.stop()
    restarted.stop_while(qtbot.waitUntil)


def test_ticket_asked_for_while_disconnected_is_issued_once_after_reconnect(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk(idle_seconds=0.5)
    walk_to_priority(qtbot, window, "B")
    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: not window.link.connected, timeout=5000)
    tap(qtbot, window.priority_screen.no_button)
    assert window.current_screen() is window.issuing_screen
    assert window.issuing_screen.message_label.text() == (
        "Koneksi terputus. Nomor Anda dibuat begitu tersambung kembali. Mohon jangan pergi."
    )
    qtbot.wait(800)  # longer than the idle time: a visitor waiting for a ticket stays
    assert window.current_screen() is window.issuing_screen

    restarted = live_server.restart()
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen, timeout=15000)
    assert window.ticket_screen.number_label.text() == "B001"
    assert [t["number"] for t in server_tickets(restarted)] == ["B001"]
    window.link.stop()
    restarted.stop_while(qtbot.waitUntil)


def test_ticket_request_cut_off_in_flight_is_retried_with_its_id_not_duplicated(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    """The request reaches the server, which cannot answer before the connection dies
    (its loop is held up, as on a stalled machine); the kiosk reconnects and sends the
    same request id again. One ticket, shown once."""
    window = make_kiosk()
    walk_to_priority(qtbot, window, "D")
    hold = threading.Event()
    live_server.loop.call_soon_threadsafe(hold.wait, 20)
    try:
        tap(qtbot, window.priority_screen.no_button)
        request_id = window.visit.request_id
        # No pong comes back: the link gives up on this connection and starts another.
        qtbot.waitUntil(lambda: not window.link.connected, timeout=8000)
        assert window.issuing_screen.message_label.text().startswith("Koneksi terputus")
    finally:
        hold.set()
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen, timeout=15000)
    assert window.visit.request_id == request_id
    tickets: list[dict[str, Any]] = server_tickets(live_server)
    assert [t["number"] for t in tickets] == ["D001"]
    assert window.ticket_screen.number_label.text() == "D001"


def test_refused_token_is_explained(
    qtbot: QtBot, live_server: ServerThread, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(token="not-the-kiosk-token", connect=False)
    qtbot.waitUntil(lambda: window.banner.text() == (
        "Kios ini ditolak oleh server. Silakan hubungi petugas."), timeout=5000)
