"""Printer trouble at the kiosk: the ticket is issued anyway and stays on screen with its
QR code, the visitor is told what to do, supervisors are told through the server, and a
Reprint works once the printer is mended. Printing never holds up the screen."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.printing import TicketPrinter
from tests.kiosk.conftest import MakeKiosk, device_status, server_tickets, tap
from tests.kiosk.fake_printer import FakeNetworkPrinter
from tests.kiosk.test_path import decoded_qr, walk_to_priority
from tests.support import ServerThread

FAULT_TEXT = {
    "unreachable": "Printer tiket tidak terhubung. Silakan hubungi petugas.",
    "no_paper": "Kertas tiket habis. Silakan hubungi petugas.",
    "cover_open": "Penutup printer tiket terbuka. Silakan hubungi petugas.",
}


def break_printer(printer: FakeNetworkPrinter, fault: str) -> None:
    if fault == "unreachable":
        printer.unplug()
    else:
        printer.state = fault  # type: ignore[assignment]


def mend_printer(printer: FakeNetworkPrinter, fault: str) -> None:
    if fault == "unreachable":
        printer.plug()
    printer.state = "ok"


@pytest.mark.parametrize("fault", ["unreachable", "no_paper", "cover_open"])
def test_printer_fault_keeps_the_ticket_and_offers_a_reprint(
    qtbot: QtBot,
    make_kiosk: MakeKiosk,
    live_server: ServerThread,
    fake_printer: FakeNetworkPrinter,
    fault: str,
) -> None:
    window = make_kiosk(printer=fake_printer.uri, ticket_seconds=0.2, idle_seconds=60)
    break_printer(fake_printer, fault)
    walk_to_priority(qtbot, window, "A")
    tap(qtbot, window.priority_screen.no_button)
    screen = window.ticket_screen
    qtbot.waitUntil(lambda: screen.status_label.text() == FAULT_TEXT[fault], timeout=5000)
    [ticket] = server_tickets(live_server)
    assert screen.number_label.text() == ticket["number"] == "A001"
    assert live_server.server is not None  # the QR on screen: the ticket's own page
    assert decoded_qr(window) == [live_server.call(
        lambda: live_server.server.web.url_for(ticket["id"]))]
    assert screen.advice_label.text() == (
        "Nomor Anda tetap berlaku: catat A001 atau foto kode QR ini."
    )
    assert screen.reprint_button.isVisible() and screen.reprint_button.text() == "Cetak ulang"
    qtbot.waitUntil(lambda: device_status(live_server) == ("printer_error", fault))
    qtbot.wait(400)  # longer than ticket_seconds: a faulty ticket stays on screen
    assert window.current_screen() is screen

    tap(qtbot, window.language_button)  # the visitor may read it in English, too
    assert screen.status_label.text().startswith("The ticket printer")
    assert screen.reprint_button.text() == "Reprint"
    tap(qtbot, window.language_button)

    mend_printer(fake_printer, fault)
    tap(qtbot, screen.reprint_button)
    qtbot.waitUntil(lambda: screen.status_label.text() == "Silakan ambil tiket Anda")
    assert not screen.reprint_button.isVisible()
    qtbot.waitUntil(lambda: device_status(live_server) == ("ok", ""))
    assert "A001" in fake_printer.printed_text()
    assert len(server_tickets(live_server)) == 1  # a reprint is not a new ticket
    qtbot.waitUntil(lambda: window.current_screen() is window.start_screen)


def test_printer_fault_is_reported_once_and_the_next_good_print_clears_it(
    qtbot: QtBot,
    make_kiosk: MakeKiosk,
    live_server: ServerThread,
    fake_printer: FakeNetworkPrinter,
) -> None:
    window = make_kiosk(printer=fake_printer.uri)
    supervisor_view = window.link  # every device sees device.status events
    reports: list[tuple[str, str]] = []
    supervisor_view.event_received.connect(
        lambda event: reports.append((event.device.status, event.device.detail))
        if event.name == "device.status" else None
    )
    fake_printer.state = "no_paper"
    for _ in range(2):
        walk_to_priority(qtbot, window, "E")
        tap(qtbot, window.priority_screen.no_button)
        qtbot.waitUntil(lambda: window.ticket_screen.reprint_button.isVisible())
        tap(qtbot, window.ticket_screen.done_button)
    fake_printer.state = "ok"
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: reports == [("printer_error", "no_paper"), ("ok", "")])
    assert [t["number"] for t in server_tickets(live_server)] == ["E001", "E002", "E003"]


def test_slow_printer_never_freezes_the_screen(
    qtbot: QtBot, make_kiosk: MakeKiosk, fake_printer: FakeNetworkPrinter
) -> None:
    fake_printer.hold_answers()  # the printer takes its time to answer
    window = make_kiosk(printer=TicketPrinter(fake_printer.uri, status_timeout=20))
    walk_to_priority(qtbot, window, "C")
    tap(qtbot, window.priority_screen.no_button)
    screen = window.ticket_screen
    qtbot.waitUntil(lambda: window.current_screen() is screen)
    assert screen.status_label.text() == "Sedang mencetak…"
    # The screen still answers touches while the printer works: Done, and a new visitor.
    tap(qtbot, screen.done_button)
    tap(qtbot, window.start_screen.take_button)
    assert window.current_screen() is window.services_screen
    assert fake_printer.printed_text() == []  # all of that while the printer was busy
    fake_printer.answer()
    # The first visitor's ticket is printed in the end; nothing of it reaches this visitor.
    qtbot.waitUntil(lambda: "C001" in fake_printer.printed_text(), timeout=5000)
    assert window.current_screen() is window.services_screen
    assert window.visit.ticket is None


def test_kiosk_without_printer_asks_to_note_the_number(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(printer=None)
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    screen = window.ticket_screen
    qtbot.waitUntil(lambda: window.current_screen() is screen)
    assert screen.status_label.text() == "Catat nomor Anda atau foto kode QR ini."
    assert not screen.reprint_button.isVisible()
