"""A visitor's whole way through the kiosk, against a real server, by taps: start,
service, requirements, priority, ticket — in Indonesian and English — and what the
next visitor finds afterwards."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.window import KioskWindow
from tests.kiosk.conftest import MakeKiosk, server_tickets, tap
from tests.support import ServerThread, WireClient


def walk_to_priority(qtbot: QtBot, window: KioskWindow, service: str) -> None:
    tap(qtbot, window.start_screen.take_button)
    tap(qtbot, window.services_screen.tiles[service])
    tap(qtbot, window.requirements_screen.continue_button)
    assert window.current_screen() is window.priority_screen


def decoded_qr(window: KioskWindow) -> list[str]:
    """What a phone reads from the QR code on the screen."""
    image = window.ticket_screen.qr_view.grab().toImage().convertToFormat(
        QImage.Format.Format_Grayscale8)
    picture = Image.frombuffer("L", (image.width(), image.height()), bytes(image.constBits()),
                               "raw", "L", image.bytesPerLine(), 1)
    return [result.text for result in zxingcpp.read_barcodes(picture)]


def test_whole_path_in_indonesian(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread, previews: Path
) -> None:
    window = make_kiosk()
    start = window.start_screen
    assert start.take_main.text() == "Ambil nomor antrean"
    assert start.office_label.text() == "Kantor Imigrasi Kelas II Demo"
    assert window.language_button.text() == "English"
    assert window.office is not None
    assert window.clock_time.text() == datetime.now(window.office.tz).strftime("%H:%M")

    tap(qtbot, start.take_button)
    grid = window.services_screen
    assert window.current_screen() is grid
    assert grid.title_label.text() == "Pilih layanan"
    assert [t.name_label.text() for t in grid.tiles.values()] == [
        "Paspor Baru", "Penggantian Paspor", "Pengambilan Paspor", "Izin Tinggal",
        "Informasi & Pengaduan",
    ]
    assert grid.tiles["A"].waiting_label.text() == "Tidak ada antrean"

    tap(qtbot, grid.tiles["A"])
    requirements = window.requirements_screen
    assert requirements.subtitle_label.text() == "Pastikan dokumen berikut sudah lengkap"
    assert [item.text() for item in requirements.items] == [
        "KTP elektronik (e-KTP) asli", "Kartu Keluarga (KK) asli",
        "Akta kelahiran, ijazah, atau buku nikah asli", "Bukti pembayaran PNBP (kode billing)",
    ]
    assert requirements.continue_button.text() == "Lanjut"
    assert requirements.back_button.text() == "Kembali"

    tap(qtbot, requirements.continue_button)
    priority = window.priority_screen
    assert priority.question_label.text() == (
        "Lansia (60+), penyandang disabilitas, ibu hamil, atau membawa balita?"
    )
    assert (priority.yes_button.text(), priority.no_button.text()) == ("Ya", "Tidak")

    tap(qtbot, priority.no_button)
    ticket_screen = window.ticket_screen
    qtbot.waitUntil(lambda: window.current_screen() is ticket_screen)
    assert ticket_screen.number_label.text() == "A001"
    assert ticket_screen.service_label.text() == "Paspor Baru"
    assert not ticket_screen.priority_label.isVisible()
    assert ticket_screen.ahead_label.text() == "Anda berikutnya"
    assert ticket_screen.eta_label.text() == "Segera dipanggil"
    qtbot.waitUntil(lambda: ticket_screen.status_label.text() == "Silakan ambil tiket Anda")
    assert not ticket_screen.reprint_button.isVisible()

    [issued] = server_tickets(live_server)
    assert (issued["number"], issued["priority"], issued["lang"]) == ("A001", "regular", "id")
    taken_at = datetime.fromisoformat(issued["issued_at"]).strftime("%H:%M")
    assert ticket_screen.time_label.text() == f"Diambil pukul {taken_at}"
    # The ticket's own page (the server's answer gave it), on screen and on paper.
    assert live_server.server is not None
    page = live_server.call(lambda: live_server.server.web.url_for(issued["id"]))
    assert decoded_qr(window) == [page]
    printed = Image.open(previews / f"{issued['id']}.png").convert("L")
    assert [result.text for result in zxingcpp.read_barcodes(printed)] == [page]


def test_whole_path_in_english_with_priority(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread, previews: Path
) -> None:
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-other")
    kiosk.ok("ticket.issue", service="B")
    kiosk.ok("ticket.issue", service="B")
    window = make_kiosk()
    tap(qtbot, window.language_button)
    assert window.start_screen.take_main.text() == "Take a number"
    assert window.language_button.text() == "Bahasa Indonesia"

    tap(qtbot, window.start_screen.take_button)
    tile = window.services_screen.tiles["B"]
    assert window.services_screen.title_label.text() == "Choose a service"
    assert tile.name_label.text() == "Passport Replacement"
    assert tile.waiting_label.text() == "Waiting: 2"
    assert tile.eta_label.text() == "Wait about 20 min"  # 2 x 10 min, no counter open yet

    tap(qtbot, tile)
    requirements = window.requirements_screen
    assert requirements.subtitle_label.text() == "Make sure you have these documents with you"
    assert requirements.items[1].text() == "Old passport"
    assert requirements.continue_button.text() == "Continue"
    tap(qtbot, requirements.continue_button)
    assert window.priority_screen.question_label.text().startswith("Aged 60 or over")
    assert window.priority_screen.yes_button.text() == "Yes"

    tap(qtbot, window.priority_screen.yes_button)
    screen = window.ticket_screen
    qtbot.waitUntil(lambda: screen.status_label.text() == "Please take your ticket")
    assert screen.number_label.text() == "B003"
    assert screen.priority_label.isVisible() and screen.priority_label.text() == "Priority"
    assert screen.ahead_label.text() == "You are next"  # the priority lane goes first
    assert screen.title_label.text() == "Your queue number"
    issued = [t for t in server_tickets(live_server) if t["number"] == "B003"]
    assert [(t["priority"], t["lang"]) for t in issued] == [("priority", "en")]
    assert (previews / f"{issued[0]['id']}.png").is_file()


def test_ticket_shows_people_ahead_and_estimated_wait(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-other")
    for _ in range(3):
        kiosk.ok("ticket.issue", service="D")
    window = make_kiosk(printer=None)
    walk_to_priority(qtbot, window, "D")
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    assert window.ticket_screen.ahead_label.text() == "Di depan Anda: 3 orang"
    assert window.ticket_screen.eta_label.text() == "Perkiraan tunggu ± 45 menit"  # 3 x 15


def test_back_buttons_step_back_one_screen(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    window = make_kiosk()
    walk_to_priority(qtbot, window, "C")
    tap(qtbot, window.priority_screen.back_button)
    assert window.current_screen() is window.requirements_screen
    tap(qtbot, window.requirements_screen.back_button)
    assert window.current_screen() is window.services_screen
    tap(qtbot, window.services_screen.back_button)
    assert window.current_screen() is window.start_screen


def test_ticket_screen_returns_to_start_after_a_few_seconds(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(ticket_seconds=0.3)
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.ticket_screen.status_label.text() == "Silakan ambil tiket Anda")
    qtbot.waitUntil(lambda: window.current_screen() is window.start_screen, timeout=3000)


def test_done_returns_to_start_at_once(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    window = make_kiosk(ticket_seconds=600)
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    tap(qtbot, window.ticket_screen.done_button)
    assert window.current_screen() is window.start_screen


def test_next_visitor_inherits_nothing(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    # The first visitor: English, Stay Permit, priority.
    tap(qtbot, window.language_button)
    walk_to_priority(qtbot, window, "D")
    tap(qtbot, window.priority_screen.yes_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    tap(qtbot, window.ticket_screen.done_button)

    # The second visitor starts in Indonesian, on nothing chosen.
    assert window.start_screen.take_main.text() == "Ambil nomor antrean"
    assert window.language_button.text() == "English"
    tap(qtbot, window.start_screen.take_button)
    assert window.services_screen.title_label.text() == "Pilih layanan"
    assert not window.services_screen.notice_label.isVisible()
    tap(qtbot, window.services_screen.tiles["A"])
    assert window.requirements_screen.service_label.text() == "A · Paspor Baru"
    tap(qtbot, window.requirements_screen.continue_button)
    assert window.priority_screen.no_button.isEnabled()
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.ticket_screen.number_label.text() == "A001")
    assert not window.ticket_screen.priority_label.isVisible()
    second = [t for t in server_tickets(live_server) if t["number"] == "A001"]
    assert [(t["priority"], t["lang"]) for t in second] == [("regular", "id")]


def test_idle_screen_returns_to_start_in_the_default_language(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(idle_seconds=0.4)
    tap(qtbot, window.language_button)
    tap(qtbot, window.start_screen.take_button)
    tap(qtbot, window.services_screen.tiles["B"])
    assert window.current_screen() is window.requirements_screen
    qtbot.waitUntil(lambda: window.current_screen() is window.start_screen, timeout=3000)
    assert window.start_screen.take_main.text() == "Ambil nomor antrean"
    assert window.visit.service is None


def test_touches_keep_the_visitor_where_they_are(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    window = make_kiosk(idle_seconds=0.6)
    tap(qtbot, window.start_screen.take_button)
    tap(qtbot, window.services_screen.tiles["B"])
    for _ in range(4):  # a visitor reading the list, touching the screen now and then
        qtbot.wait(300)
        qtbot.mouseClick(window.requirements_screen.checklist, Qt.MouseButton.LeftButton)
        assert window.current_screen() is window.requirements_screen


def test_english_visitor_left_alone_on_the_start_screen_is_reset(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(idle_seconds=0.3)
    tap(qtbot, window.language_button)
    assert window.start_screen.take_main.text() == "Take a number"
    qtbot.waitUntil(lambda: window.start_screen.take_main.text() == "Ambil nomor antrean",
                    timeout=3000)


def test_a_second_tap_never_issues_a_second_ticket(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    walk_to_priority(qtbot, window, "C")
    no = window.priority_screen.no_button
    tap(qtbot, no)
    window.priority_screen.answered.emit(False)  # a second tap that got through somehow
    window.priority_screen.answered.emit(True)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    qtbot.wait(200)
    assert [t["number"] for t in server_tickets(live_server)] == ["C001"]
