"""Regenerates docs/screenshots/kiosk-*.png: every kiosk screen, in Indonesian and
English, at 1920x1080, 1024x768 and 1080x1920 (portrait), against a real demo server.

    .venv/bin/python docs/screenshots/make_kiosk.py [--size 1920x1080] [--lang id] [--out DIR]

The kiosk is driven the way a visitor drives it (taps on its buttons); only the
"please wait" screen, shown when an answer takes longer than usual, is held on screen
by hand. Exits with 1 and names them if any text is cut off (tests/kiosk/layout_check.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from antrean.qt.link import ServerLink  # noqa: E402
from antrean.qt.theme import ensure_app  # noqa: E402
from kiosk.printing import TicketPrinter  # noqa: E402
from kiosk.window import KioskWindow  # noqa: E402
from tests.kiosk.layout_check import clipped_text  # noqa: E402
from tests.support import ServerThread, WireClient, cached_demo_config, open_counter  # noqa: E402

SIZES = ((1920, 1080), (1024, 768), (1080, 1920))
LANGS = ("id", "en")
OUT = Path(__file__).resolve().parent


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    app = QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there")
        app.processEvents()
        time.sleep(0.005)


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(widget.width() // 2,
                                                                   widget.height() // 2))
    QApplication.processEvents()


def busy_office(server: ServerThread) -> None:
    """Some visitors waiting, two counters open, service C closed, D's quota used up."""
    kiosk = WireClient(server.url, "kiosk", "kiosk-shots")
    for service, count in (("A", 7), ("B", 3), ("D", 1), ("E", 2)):
        for _ in range(count):
            kiosk.ok("ticket.issue", service=service)
    counter = WireClient(server.url, "counter", "counter-shots")
    open_counter(counter, "1", ["A", "B"])
    supervisor = WireClient(server.url, "supervisor", "supervisor-shots")
    supervisor.login()
    supervisor.ok("service.update", service="C", open=False)
    supervisor.ok("service.update", service="D", quota=1)
    for client in (kiosk, counter, supervisor):
        client.close()


class Shooter:
    def __init__(self, server: ServerThread, out: Path, printer_dir: Path) -> None:
        self.server = server
        self.out = out
        self.printer_dir = printer_dir
        self.made: list[Path] = []
        self.round = 0
        self.problems: list[str] = []

    def window(self, size: tuple[int, int], lang: str, printer: str = "preview",
               device: str = "kiosk-1") -> KioskWindow:
        link = ServerLink(self.server.url, "kiosk", device, "demo-kiosk")
        sink = (TicketPrinter(f"preview://{self.printer_dir}") if printer == "preview"
                else TicketPrinter("network://127.0.0.1:9?timeout=0.5&status=off"))
        window = KioskWindow(link, sink, lang=lang, idle_seconds=600)
        window.resize(*size)
        window.show()
        link.start()
        wait_until(lambda: link.connected)
        QApplication.processEvents()
        return window

    def save(self, window: KioskWindow, name: str, size: tuple[int, int], lang: str) -> None:
        QApplication.processEvents()
        path = self.out / f"kiosk-{name}-{lang}-{size[0]}x{size[1]}.png"
        window.grab().save(str(path))
        self.made.append(path)
        for problem in clipped_text(window):
            self.problems.append(f"{path.name}: {problem}")

    def close(self, window: KioskWindow) -> None:
        window.link.stop()
        window.close()
        window.deleteLater()
        QApplication.processEvents()

    def path_screens(self, size: tuple[int, int], lang: str) -> None:
        """start, services, requirements, priority, please-wait, ticket."""
        window = self.window(size, lang)
        self.save(window, "start", size, lang)
        tap(window.start_screen.take_button)
        self.save(window, "services", size, lang)
        tap(window.services_screen.tiles["A"])
        self.save(window, "requirements", size, lang)
        tap(window.requirements_screen.continue_button)
        self.save(window, "priority", size, lang)
        # The wait lasts milliseconds; hold it on screen for the picture.
        window.issuing_screen.show_state(True, lang)
        window.stack.setCurrentWidget(window.issuing_screen)
        self.save(window, "issuing", size, lang)
        window.stack.setCurrentWidget(window.priority_screen)
        tap(window.priority_screen.yes_button)
        wait_until(lambda: window.ticket_screen.status_label.property("state") == "printed")
        self.save(window, "ticket-printed", size, lang)
        if size == SIZES[0]:  # the paper ticket itself, as printed (80 mm)
            ticket = window.visit.ticket or {}
            printed = self.printer_dir / f"{ticket.get('id')}.png"
            path = self.out / f"ticket-{lang}-80mm.png"
            shutil.copyfile(printed, path)
            self.made.append(path)
        self.close(window)

    def waiting_screens(self, size: tuple[int, int], lang: str) -> None:
        """A kiosk that has not reached its server yet: the office name from its
        device file, the start button disabled and the banner saying why."""
        link = ServerLink("ws://127.0.0.1:9/ws", "kiosk", "kiosk-9", "demo-kiosk")
        window = KioskWindow(link, None, lang=lang, idle_seconds=600,
                             office_name="Kantor Imigrasi Kelas II Demo")
        window.resize(*size)
        window.show()
        link.start()
        QApplication.processEvents()
        self.save(window, "start-connecting", size, lang)
        self.close(window)

    def fault_screens(self, size: tuple[int, int], lang: str) -> None:
        """A printer fault on the ticket, a refused ticket, the kiosk offline."""
        window = self.window(size, lang, printer="broken")
        tap(window.start_screen.take_button)
        tap(window.services_screen.tiles["E"])
        tap(window.requirements_screen.continue_button)
        tap(window.priority_screen.no_button)
        wait_until(lambda: window.ticket_screen.status_label.property("state") == "fault")
        self.save(window, "ticket-printer-fault", size, lang)
        tap(window.ticket_screen.done_button)
        # A service closed between choosing it and asking for the ticket.
        tap(window.start_screen.take_button)
        tap(window.services_screen.tiles["B"])
        tap(window.requirements_screen.continue_button)
        self.round += 1  # request ids restart with each client: a new device name each time
        supervisor = WireClient(self.server.url, "supervisor", f"supervisor-{self.round}")
        supervisor.login()
        supervisor.ok("service.update", service="B", open=False)
        tap(window.priority_screen.no_button)
        wait_until(lambda: window.services_screen.notice_label.isVisible())
        wait_until(lambda: not window.services_screen.tiles["B"].isEnabled())
        self.save(window, "services-refused", size, lang)
        supervisor.ok("service.update", service="B", open=True)
        supervisor.close()
        tap(window.services_screen.back_button)
        self.close(window)

    def offline_screens(self, size: tuple[int, int], lang: str) -> None:
        """The server gone: one kiosk on its service grid (tiles disabled), another with
        a ticket asked for meanwhile (it waits, and is issued after the reconnect)."""
        browsing = self.window(size, lang, device="kiosk-2")
        tap(browsing.start_screen.take_button)
        asking = self.window(size, lang)
        tap(asking.start_screen.take_button)
        tap(asking.services_screen.tiles["E"])
        tap(asking.requirements_screen.continue_button)
        self.server.stop_while(lambda condition: wait_until(condition, 30))
        wait_until(lambda: not asking.link.connected and not browsing.link.connected)
        self.save(browsing, "services-offline", size, lang)
        tap(asking.priority_screen.no_button)
        self.save(asking, "issuing-offline", size, lang)
        self.server = self.server.restart()
        wait_until(lambda: asking.current_screen() is asking.ticket_screen, 30)
        self.close(asking)
        self.close(browsing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--size", help="only this size, e.g. 1920x1080")
    parser.add_argument("--lang", choices=LANGS, help="only this language")
    args = parser.parse_args()
    sizes = [s for s in SIZES if not args.size or f"{s[0]}x{s[1]}" == args.size]
    langs = [args.lang] if args.lang else list(LANGS)
    ensure_app()
    work = Path(tempfile.mkdtemp(prefix="antrean-shots-"))
    server = ServerThread(cached_demo_config(), f"sqlite:///{work / 'shots.db'}").start()
    busy_office(server)
    shooter = Shooter(server, args.out, work / "tickets")
    try:
        for size in sizes:
            for lang in langs:
                shooter.path_screens(size, lang)
                shooter.waiting_screens(size, lang)
                shooter.fault_screens(size, lang)
                shooter.offline_screens(size, lang)
    finally:
        shooter.server.stop()
        shutil.rmtree(work, ignore_errors=True)
    for path in shooter.made:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    for problem in shooter.problems:
        print(f"CUT OFF: {problem}", file=sys.stderr)
    return 1 if shooter.problems else 0


if __name__ == "__main__":
    sys.exit(main())
