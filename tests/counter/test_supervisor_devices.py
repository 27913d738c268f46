"""Issue 15: the supervisor's device list says a display's sound problem in the
reader's language (from the catalogue), and long text wraps, in full on hover."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.counter.console_driver import Console
from tests.counter.test_supervisor import supervisor_console, table_text
from tests.support import ServerThread, WireClient


def test_a_silent_display_is_reported_in_the_readers_language(
        qtbot: QtBot, console: Console, live_server: ServerThread) -> None:
    window, view = supervisor_console(qtbot, console)
    display = WireClient(live_server.url, "display", "display-1")
    # What a display without an audio device reports (display/window.py).
    display.ok("device.status", status="silent",
               detail="No audio device: announcements are silent")
    qtbot.waitUntil(lambda: view.devices_table.rowCount() == 1)
    assert table_text(view, "devices_table")[0][1:] == [
        "display-1 (Layar)", "Tanpa suara", "Tidak ada perangkat audio: pengumuman tanpa suara"]
    table = view.devices_table
    detail = table.item(0, 3)
    assert detail is not None and detail.toolTip() == detail.text()
    assert table.wordWrap()
    # Narrow enough that the detail needs two lines: the row grows instead of cutting it.
    table.setColumnWidth(3, 120)
    view._show_devices()
    line = table.fontMetrics().lineSpacing()
    assert table.rowHeight(0) >= 2 * line
    window.set_language("en")
    assert table_text(view, "devices_table")[0][2:] == [
        "No sound", "No audio device: announcements are silent"]
    display.close()
