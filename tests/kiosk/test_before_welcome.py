"""Issue 15: a kiosk that has not heard from its server yet offers nothing to
take, says why, shows the office name and time zone from its device file, and
is called "Antrean — Kios"."""

from __future__ import annotations

import socket
from datetime import timedelta
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from antrean.qt.link import ServerLink
from kiosk.window import KioskWindow
from tests.kiosk.conftest import MakeKiosk, tap


def _unreachable_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{probe.getsockname()[1]}/ws"


def _lonely_kiosk(qtbot: QtBot, **options: object) -> tuple[KioskWindow, ServerLink]:
    link = ServerLink(_unreachable_url(), "kiosk", "kiosk-1", "t")
    window = KioskWindow(link, None, **options)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    link.start()
    return window, link


def test_without_a_server_the_start_button_is_disabled_and_the_banner_says_why(
        qtbot: QtBot) -> None:
    window, link = _lonely_kiosk(qtbot, office_name="Kantor Imigrasi Jayapura")
    start = window.start_screen
    assert not start.take_button.isEnabled()
    tap(qtbot, start.take_button)
    assert window.current_screen() is start  # no empty "Pilih layanan" screen
    assert window.banner.isVisible()
    assert window.banner.text() == (
        "Menyambung ke server… Nomor antrean bisa diambil setelah tersambung.")
    assert start.office_label.text() == "Kantor Imigrasi Jayapura"
    assert start.office_label.isVisible()
    assert start.welcome_label.text() == "Selamat datang di"
    assert window.windowTitle() == "Antrean — Kios"
    tap(qtbot, window.language_button)
    assert window.banner.text().startswith("Connecting to the server… Numbers can be taken")
    assert window.windowTitle() == "Antrean — Kiosk"
    link.stop()
    window.shutdown()


def test_without_an_office_name_nothing_follows_the_welcome(qtbot: QtBot) -> None:
    window, link = _lonely_kiosk(qtbot)
    assert not window.start_screen.office_label.isVisible()
    assert window.start_screen.welcome_label.text() == "Selamat datang"  # no dangling "di"
    tap(qtbot, window.language_button)
    assert window.start_screen.welcome_label.text() == "Welcome"
    link.stop()
    window.shutdown()


def test_the_clock_uses_the_device_files_time_zone_until_the_welcome(qtbot: QtBot) -> None:
    jayapura = ZoneInfo("Asia/Jayapura")  # UTC+9, whatever the machine's zone
    window, link = _lonely_kiosk(qtbot, timezone=jayapura)
    window._tick()
    shown = window.clock_time.text()
    assert shown == window._local_now().strftime("%H:%M")
    assert window._local_now().utcoffset() == timedelta(hours=9)
    link.stop()
    window.shutdown()


def test_once_welcomed_the_start_button_works_and_the_office_name_is_the_servers(
        qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    window = make_kiosk(office_name="Nama dari berkas perangkat")
    assert window.start_screen.take_button.isEnabled()
    assert window.link.office is not None
    assert window.start_screen.office_label.text() == window.link.office.spec.name
    tap(qtbot, window.start_screen.take_button)
    assert window.current_screen() is window.services_screen
