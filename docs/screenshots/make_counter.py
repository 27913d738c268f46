"""Regenerate the counter console screenshots (docs/screenshots/counter-*.png).

Runs a real demo server on a free port with a throw-away SQLite file, drives a
real console through login, lockout, the ticket cycle, the dialogs, a break,
the supervisor tab and a lost connection, and saves each screen offscreen in
Indonesian and English at 1366x768 (a desk laptop) and 1920x1080.

    .venv/bin/python docs/screenshots/make_counter.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop  # noqa: E402
from PySide6.QtGui import QColor, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from antrean.qt.theme import apply_theme, ensure_app  # noqa: E402
from counter.desk import Action  # noqa: E402
from counter.window import ConsoleSettings, CounterWindow  # noqa: E402
from server.demo import demo_config  # noqa: E402
from tests.support import FakeClock, ServerThread, WireClient, open_counter  # noqa: E402

OUT = Path(__file__).resolve().parent
SIZES = ((1366, 768), (1920, 1080))


def pump(seconds: float = 0.05) -> None:
    deadline = QDeadlineTimer(int(seconds * 1000))
    while not deadline.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = QDeadlineTimer(int(timeout * 1000))
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError("the console did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def shoot(window: CounterWindow, name: str, sizes: tuple[tuple[int, int], ...] = SIZES,
          langs: tuple[str, ...] = ("id", "en"), dialog: QWidget | None = None) -> None:
    """Save the console (with `dialog` drawn over its centre, as staff see it)."""
    for lang in langs:
        window.set_language(lang)
        for width, height in sizes:
            window.resize(width, height)
            pump(0.15)
            image = window.grab()
            if (image.width(), image.height()) != (width, height):
                raise RuntimeError(f"{name}: the console needs {image.width()}x"
                                   f"{image.height()}, more than {width}x{height}")
            if dialog is not None:
                over = dialog.grab()
                painter = QPainter(image)
                painter.fillRect(image.rect(), QColor(0, 0, 0, 90))
                painter.drawPixmap((width - over.width()) // 2, (height - over.height()) // 2,
                                   over)
                painter.end()
            image.save(str(OUT / f"counter-{name}-{lang}-{width}x{height}.png"))


def main() -> int:
    app = ensure_app(["make_counter"])
    assert isinstance(app, QApplication)
    apply_theme(app)
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=26))
    with tempfile.TemporaryDirectory() as folder:
        server = ServerThread(demo_config(), f"sqlite:///{folder}/shots.db", clock).start()
        kiosk = WireClient(server.url, "kiosk", "kiosk-1")
        for service, priority, minutes_later in (
            ("A", "regular", 0), ("A", "regular", 3), ("B", "regular", 5), ("A", "priority", 9),
            ("B", "regular", 12), ("A", "regular", 15), ("C", "regular", 17),
            ("A", "regular", 21), ("B", "priority", 23),
        ):
            clock.now = datetime.now(UTC) - timedelta(minutes=26 - minutes_later)
            kiosk.ok("ticket.issue", service=service, priority=priority)
        clock.now = datetime.now(UTC) - timedelta(seconds=83)
        kiosk.ok("device.status", status="printer_error", detail="no_paper")
        display = WireClient(server.url, "display", "display-1")
        display.ok("device.status", status="silent",
                   detail="No audio device: announcements are silent")
        other = WireClient(server.url, "counter", "counter-2")
        open_counter(other, "2", ["A", "B"])
        called = other.ok("ticket.call_next", counter="2")["ticket"]
        other.ok("ticket.start", ticket=called["id"])

        window = CounterWindow(ConsoleSettings(
            server=server.url, device="counter-1", token="demo-counter", counter="1",
            supervisor_token="demo-supervisor", lang="id"))
        window.resize(*SIZES[0])
        window.show()
        window.start()
        wait_for(lambda: window.link.connected)
        shoot(window, "login")

        view = window.login_view
        for attempt in range(5):
            view.username.setText("budi")
            view.pin.setText("0000")
            view.submit.click()
            wait_for(lambda: not view._checking)
            if attempt == 0:
                shoot(window, "login-wrong", SIZES[:1])
        shoot(window, "login-locked", SIZES[:1])

        view.username.setText("demo")
        view.pin.setText("1234")
        view.submit.click()
        wait_for(lambda: window.logged_in and window.supervisor is not None)
        wait_for(lambda: window.desk.figures is not None)
        shoot(window, "closed")
        for lang in ("id", "en"):  # F1 on a closed counter says why in the message bar
            window.set_language(lang)
            window.press(Action.CALL_NEXT)
            shoot(window, "closed-why", SIZES[:1], langs=(lang,))
        window.show_message("clear", "")

        desk = window.desk
        desk.open_button.click()
        wait_for(lambda: not desk.busy and desk.buttons[Action.CALL_NEXT].isEnabled())
        desk.buttons[Action.CALL_NEXT].click()
        wait_for(lambda: desk.buttons[Action.START].isEnabled())
        shoot(window, "called")

        clock.now = datetime.now(UTC) - timedelta(seconds=247)
        desk.buttons[Action.START].click()
        wait_for(lambda: desk.buttons[Action.COMPLETE].isEnabled()
                 and not desk.buttons[Action.START].isEnabled())
        shoot(window, "serving")

        for lang in ("id", "en"):
            window.set_language(lang)
            desk.buttons[Action.TRANSFER].click()
            transfer = desk.transfer_dialog
            assert transfer is not None
            wait_for(transfer.isVisible)
            transfer.select("C")
            shoot(window, "transfer", SIZES[:1], (lang,), dialog=transfer)
            transfer.reject()
            pump()
        window.set_language("id")
        clock.now = datetime.now(UTC)
        desk.buttons[Action.COMPLETE].click()
        wait_for(lambda: desk.buttons[Action.CALL_SPECIFIC].isEnabled())

        for lang in ("id", "en"):
            window.set_language(lang)
            desk.buttons[Action.CALL_SPECIFIC].click()
            call = desk.call_dialog
            assert call is not None
            wait_for(call.isVisible)
            call.number.setText("A005")
            call.reason.setText("Lansia, sudah menunggu di depan loket"
                                if lang == "id" else "Elderly visitor waiting at the desk")
            shoot(window, "call-specific", SIZES[:1], (lang,), dialog=call)
            call.reject()
            pump()
        window.set_language("id")

        desk.buttons[Action.PAUSE_RESUME].click()
        wait_for(lambda: desk.buttons[Action.PAUSE_RESUME].isEnabled()
                 and not desk.buttons[Action.CALL_SPECIFIC].isEnabled() and not desk.busy)
        shoot(window, "paused")
        desk.buttons[Action.PAUSE_RESUME].click()
        wait_for(lambda: desk.buttons[Action.CALL_SPECIFIC].isEnabled())

        # Calling a number another counter already has: the server refuses,
        # the message bar says why, nothing changes.
        window.set_language("id")
        desk.buttons[Action.CALL_SPECIFIC].click()
        call = desk.call_dialog
        assert call is not None
        call.number.setText(called["number"])
        call.reason.setText("Dicari di ruang tunggu")
        call.ok_button.click()
        wait_for(lambda: not desk.busy and window.message.objectName() == "messageError")
        shoot(window, "error-already-called", SIZES[:1], ("id",))
        window.set_language("en")
        desk.buttons[Action.CALL_SPECIFIC].click()
        call = desk.call_dialog
        assert call is not None
        call.number.setText(called["number"])
        call.reason.setText("Looked for in the waiting room")
        call.ok_button.click()
        wait_for(lambda: not desk.busy and window.message.objectName() == "messageError")
        shoot(window, "error-already-called", SIZES[:1], ("en",))
        window.set_language("id")

        desk.buttons[Action.CALL_NEXT].click()
        wait_for(lambda: desk.buttons[Action.START].isEnabled())

        supervisor = window.supervisor
        assert supervisor is not None
        window.tabs.setCurrentWidget(supervisor)
        supervisor.announce_id.setText("Loket 5 sementara tutup untuk istirahat siang.")
        supervisor.announce_en.setText("Counter 5 is closed for the lunch break.")
        shoot(window, "supervisor")
        window.set_language("id")
        window.tabs.setCurrentWidget(desk)

        other.close()
        server.stop_while(wait_for)
        wait_for(lambda: not window.link.connected)
        pump(0.3)
        shoot(window, "disconnected")
        window.stop()
        window.close()
        kiosk.close()
        display.close()
    print(f"saved screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
