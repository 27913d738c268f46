"""The app as the operator starts it (`antrean display ...`), its keys, its
media area, and a server that is not there yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from antrean.cli import main
from antrean.i18n import tr
from display.media import MediaArea
from display.window import DisplayWindow
from tests.display.fakes import DisplayFactory
from tests.support import ServerThread, WireClient, open_counter


def test_the_command_opens_a_full_screen_display_that_follows_the_server(
    qtbot: QtBot, live_server: ServerThread
) -> None:
    seen: dict[str, Any] = {}
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    for service in "ABC":
        kiosk.ok("ticket.issue", service=service)
    kiosk.close()
    counter = WireClient(live_server.url, "counter", "counter-6")
    open_counter(counter, "6", ["B"])
    counter.ok("ticket.call_next", counter="6")
    counter.close()
    polls = {"n": 0}

    def look() -> None:
        polls["n"] += 1
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, DisplayWindow)]
        window = windows[0] if windows else None
        if window is not None and window.link.connected and window.shown_calls():
            seen["full_screen"] = window.isFullScreen()
            seen["calls"] = window.shown_calls()
            seen["tiles"] = list(window.waiting.tiles)
            seen["device"] = window.link.device
            seen["sound"] = window.announcer.enabled
            window.close()
        elif polls["n"] > 200:  # 10 s: give up, so the test fails instead of hanging
            QApplication.quit()
        else:
            QTimer.singleShot(50, look)

    QTimer.singleShot(50, look)
    code = main(["display", "--server", live_server.url, "--device", "display-hall",
                 "--token", "demo-display", "--services", "b,c", "--no-sound"])
    assert code == 0
    assert seen == {
        "full_screen": True,
        "calls": [("B001", "Loket 6")],
        "tiles": ["B", "C"],
        "device": "display-hall",
        "sound": False,
    }


def test_keys_switch_full_screen_and_quit(qtbot: QtBot, make_display: DisplayFactory) -> None:
    window = make_display().window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert not window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_display_started_before_the_server_says_so_and_then_joins(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    url = live_server.url
    live_server.stop_while(qtbot.waitUntil)  # nothing listens there now
    window = make_display(wait=False, url=url).window
    assert window.banner.isVisible()
    assert window.banner.line.text() == tr("display.connecting", "id")
    qtbot.wait(300)
    assert window.banner.isVisible()
    restarted = live_server.restart()
    try:
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
        assert window.header.office_name.text() == "Kantor Imigrasi Kelas II Demo"
        assert window.waiting.counts() == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 0}
    finally:
        restarted.stop_while(qtbot.waitUntil)


def _picture(path: Path, colour: str) -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


def test_the_media_area_cycles_the_pictures_and_skips_broken_files(
    qtbot: QtBot, tmp_path: Path
) -> None:
    first = _picture(tmp_path / "1-first.png", "#ff0000")
    (tmp_path / "2-broken.png").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    second = _picture(tmp_path / "3-second.jpg", "#00ff00")
    area = MediaArea(tmp_path, interval_ms=100)
    qtbot.addWidget(area)
    area.resize(400, 300)
    area.show()
    assert area.current() == first
    qtbot.waitUntil(lambda: area.current() == second, timeout=2000)
    qtbot.waitUntil(lambda: area.current() == first, timeout=2000)
    third = _picture(tmp_path / "4-third.png", "#0000ff")  # dropped in while running
    qtbot.waitUntil(lambda: area.current() == third, timeout=2000)
    for path in (first, second, third):
        path.unlink()
    qtbot.waitUntil(lambda: area.current() is None, timeout=2000)


def test_no_media_folder_means_no_media_area(
    make_display: DisplayFactory, tmp_path: Path
) -> None:
    assert make_display().window.media is None
    assert make_display(media_dir=tmp_path / "missing").window.media is None
