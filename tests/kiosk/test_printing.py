"""The kiosk's ticket: what the ESC/POS bytes print, where they go, and how failures look."""

from __future__ import annotations

import os
import pty
import select
import socket
import threading
import time
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from antrean.core.model import Text
from antrean.i18n import tr
from kiosk.printing import (
    PrinterTarget,
    PrinterUnavailable,
    PrintJobRunner,
    TicketPrint,
    TicketPrinter,
    build_ticket_bytes,
    parse_printer_uri,
    printable_text,
    render_ticket_image,
    render_ticket_png,
    ticket_qr_payload,
)
from tests.escpos_reader import Printout, read_escpos

OFFICE = "Kantor Imigrasi Kelas I TPI Jakarta Selatan"
SERVICE = Text("Paspor Baru (Dewasa)", "New Passport (Adult)")
URL = "https://antrean.example.go.id/tiket"
COLUMNS = {80: 48, 58: 32}


def wire(**changes: Any) -> dict[str, Any]:
    ticket = {
        "id": "2026-11-23-A012",
        "number": "A012",
        "service": "A",
        "priority": "regular",
        "status": "waiting",
        "issued_at": "2026-11-23T09:15:02.123+07:00",
        "lang": "id",
        "ahead": 4,
        "eta_minutes": 20,
    }
    ticket.update(changes)
    return ticket


def make_ticket(
    lang: str = "id", url: str | None = URL, office: str = OFFICE, **changes: Any
) -> TicketPrint:
    return TicketPrint.from_wire(wire(**changes), office, SERVICE, url, lang)


def printed(ticket: TicketPrint, paper_mm: int = 80, *, native_qr: bool = True) -> Printout:
    return read_escpos(build_ticket_bytes(ticket, paper_mm, native_qr=native_qr))


def joined(out: Printout) -> str:
    return " ".join(line.text for line in out.lines if line.text)


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


# --- what is printed ----------------------------------------------------------------


@pytest.mark.parametrize("paper_mm", [80, 58])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_ticket_prints_office_service_and_a_large_number(lang: str, paper_mm: int) -> None:
    out = printed(make_ticket(lang, priority="priority"), paper_mm)
    text = joined(out)
    assert OFFICE in text
    assert SERVICE.get(lang) in text
    assert SERVICE.get("en" if lang == "id" else "id") not in text
    (number,) = [line for line in out.lines if line.text == "A012"]
    assert number.width == number.height == (8 if paper_mm == 80 else 7)
    assert number.bold
    (marker,) = [line for line in out.lines if line.invert]
    assert marker.text.strip() == tr("ticket.priority", lang)
    assert tr("ticket.keep", lang) in text
    assert tr("ticket.feedback_qr", lang) in text
    assert out.qr_prints == 1
    assert out.cuts == 1
    assert "ticket." not in text  # every catalogue key the ticket uses exists


def test_regular_ticket_has_no_priority_marker() -> None:
    out = printed(make_ticket("en"))
    assert not any(line.invert for line in out.lines)
    assert "PRIORITY" not in joined(out)


def test_date_time_ahead_and_wait_in_the_tickets_own_offset() -> None:
    ticket = make_ticket("id", issued_at="2026-11-23T23:59:30+07:00", ahead=7, eta_minutes=35)
    text = joined(printed(ticket))
    assert tr("ticket.issued", "id", date="23-11-2026", time="23:59") in text
    assert tr("ticket.ahead", "id", n=7) in text
    assert tr("ticket.eta", "id", n=35) in text


def test_first_in_line_is_told_so_instead_of_zero() -> None:
    text = joined(printed(make_ticket("en", ahead=0, eta_minutes=0)))
    assert tr("ticket.ahead_none", "en") in text
    assert tr("ticket.eta_soon", "en") in text
    assert tr("ticket.ahead", "en", n=0) not in text


@pytest.mark.parametrize("paper_mm", [80, 58])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_line_fits_the_paper(lang: str, paper_mm: int) -> None:
    office = "Kantor Imigrasi Kelas I Khusus Tempat Pemeriksaan Imigrasi Soekarno-Hatta"
    service = Text(
        "Penerbitan Paspor Baru Elektronik 48 Halaman", "New Electronic Passport, 48 Pages"
    )
    ticket = TicketPrint.from_wire(
        wire(number="A1000", priority="priority"), office, service, URL, lang
    )
    out = printed(ticket, paper_mm)
    assert [line.text for line in out.lines if line.width > 2] == ["A1000"]
    for line in out.lines:
        assert line.cells <= COLUMNS[paper_mm], line
    words = " ".join([office, service.get(lang)]).split()
    assert set(words) <= set(joined(out).split())


def test_text_is_plain_ascii() -> None:
    office = "Kantor Imigrasi Denpasar – Bali “Ngurah Rai” …"
    ticket = TicketPrint.from_wire(wire(), office, Text("Pengaduan", "Complaints"), None, "id")
    out = printed(ticket)
    assert 'Kantor Imigrasi Denpasar - Bali "Ngurah Rai" ...' in joined(out)
    assert all(" " <= char <= "~" for line in out.lines for char in line.text)
    assert printable_text("Café São Paulo\t…") == "Cafe Sao Paulo ..."
    assert printable_text("Rp 10.000 € 漢") == "Rp 10.000 ? ?"


# --- the QR code --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, "2026-11-23-A012"),
        ("https://x.go.id/t/{id}", "https://x.go.id/t/2026-11-23-A012"),
        ("https://x.go.id/status", "https://x.go.id/status?ticket=2026-11-23-A012"),
        (
            "https://x.go.id/s?office=jaksel",
            "https://x.go.id/s?office=jaksel&ticket=2026-11-23-A012",
        ),
        ("https://x.go.id/s?", "https://x.go.id/s?ticket=2026-11-23-A012"),
        ("https://x.go.id/s#top", "https://x.go.id/s?ticket=2026-11-23-A012#top"),
    ],
)
def test_qr_payload_is_stored_in_the_native_qr_command(url: str | None, expected: str) -> None:
    assert ticket_qr_payload("2026-11-23-A012", url) == expected
    out = printed(make_ticket(url=url))
    assert out.qr_payloads == [expected]
    assert out.qr_prints == 1
    assert out.images == []


def test_feedback_line_matches_what_the_qr_holds() -> None:
    without_url = joined(printed(make_ticket("en", url=None)))
    assert tr("ticket.feedback_counter", "en") in without_url
    assert tr("ticket.feedback_qr", "en") not in without_url


@pytest.mark.parametrize("paper_mm", [80, 58])
def test_image_qr_decodes_to_the_payload(paper_mm: int) -> None:
    ticket = make_ticket()
    out = printed(ticket, paper_mm, native_qr=False)
    assert out.qr_payloads == []
    (image,) = out.images
    assert image.width == {80: 576, 58: 384}[paper_mm]
    assert decode_qr(image) == [f"{URL}?ticket=2026-11-23-A012"]


# --- the preview --------------------------------------------------------------------


@pytest.mark.parametrize("paper_mm", [80, 58])
def test_preview_printer_writes_a_png_whose_qr_decodes(tmp_path: Path, paper_mm: int) -> None:
    ticket = make_ticket("en", priority="priority")
    TicketPrinter(f"preview://{tmp_path}/out?paper={paper_mm}").print_ticket(ticket)
    path = tmp_path / "out" / "2026-11-23-A012.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == {80: 576, 58: 384}[paper_mm]
        assert image.height > image.width
        assert decode_qr(image) == [ticket.qr_payload]


def test_render_ticket_png_returns_the_path(tmp_path: Path) -> None:
    path = render_ticket_png(make_ticket(url=None), tmp_path / "t.png", 58)
    with Image.open(path) as image:
        assert decode_qr(image) == ["2026-11-23-A012"]
    assert render_ticket_image(make_ticket(), 80).getextrema() == (0, 255)


# --- network printers ---------------------------------------------------------------


@contextmanager
def listener(*, read: bool = True, answer: bytes | None = None) -> Iterator[Any]:
    """A fake port-9100 printer: accepts one connection, optionally answers the status
    query, then reads everything (or nothing, to stall the sender)."""
    server = socket.socket()
    if not read:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10)
    state: dict[str, Any] = {"port": server.getsockname()[1], "received": bytearray()}
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(10)
            if answer is not None:
                while len(state["received"]) < 6:
                    state["received"] += conn.recv(6 - len(state["received"]))
                conn.sendall(answer)
            if not read:
                stop.wait(10)
                return
            while chunk := conn.recv(65536):
                state["received"] += chunk

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(10)
        server.close()


def test_network_printer_receives_exactly_the_ticket_bytes() -> None:
    ticket = make_ticket()
    with listener() as fake:
        TicketPrinter(f"network://127.0.0.1:{fake['port']}?status=off").print_ticket(ticket)
    assert bytes(fake["received"]) == build_ticket_bytes(ticket)


def test_silent_printer_is_asked_for_status_then_printed_to() -> None:
    ticket = make_ticket()
    with listener() as fake:
        printer = TicketPrinter(f"network://127.0.0.1:{fake['port']}", status_timeout=0.2)
        printer.print_ticket(ticket)
    received = bytes(fake["received"])
    assert received.endswith(build_ticket_bytes(ticket))
    assert read_escpos(received).status_queries == [2, 4]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(b"\x16\x12", "cover_open"), (b"\x12\x72", "no_paper"), (b"\x32\x12", "no_paper")],
)
def test_printer_status_stops_the_print(answer: bytes, reason: str) -> None:
    with listener(answer=answer) as fake:
        printer = TicketPrinter(f"network://127.0.0.1:{fake['port']}")
        with pytest.raises(PrinterUnavailable) as caught:
            printer.print_ticket(make_ticket())
    assert caught.value.reason_code == reason
    assert bytes(fake["received"]) == b"\x10\x04\x02\x10\x04\x04"


@pytest.mark.parametrize("answer", [b"\x12\x12", b"\xff\xff"], ids=["healthy", "not-a-status"])
def test_printer_with_no_complaint_prints(answer: bytes) -> None:
    ticket = make_ticket()
    with listener(answer=answer) as fake:
        TicketPrinter(f"network://127.0.0.1:{fake['port']}").print_ticket(ticket)
    assert bytes(fake["received"]) == b"\x10\x04\x02\x10\x04\x04" + build_ticket_bytes(ticket)


def test_connection_refused_is_unreachable() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter(f"network://127.0.0.1:{port}").print_ticket(make_ticket())
    assert caught.value.reason_code == "unreachable"
    assert f"127.0.0.1:{port}" in caught.value.detail


def test_printer_that_stops_reading_times_out() -> None:
    job = build_ticket_bytes(make_ticket()) * 8000  # megabytes: more than the socket buffers
    with listener(read=False) as fake:
        printer = TicketPrinter(f"network://127.0.0.1:{fake['port']}?timeout=1&status=off")
        started = time.monotonic()
        with pytest.raises(PrinterUnavailable) as caught:
            printer.send(job)
        elapsed = time.monotonic() - started
    assert caught.value.reason_code == "timeout"
    assert 0.9 < elapsed < 4


# --- other printers -----------------------------------------------------------------


def test_file_printer_appends_each_ticket(tmp_path: Path) -> None:
    path = tmp_path / "spool.bin"
    printer = TicketPrinter(f"file://{path}?paper=58")
    first, second = make_ticket(), make_ticket("en", id="2026-11-23-A013", number="A013")
    printer.print_ticket(first)
    printer.print_ticket(second)
    assert path.read_bytes() == build_ticket_bytes(first, 58) + build_ticket_bytes(second, 58)


@contextmanager
def device(answer: bytes | None, *, read: bool = True) -> Iterator[Any]:
    """A fake printer device node (a raw pty): optionally answers the status query,
    then collects what is written to it, or reads nothing so writes stall."""
    controller, node = pty.openpty()
    tty.setraw(node)
    state: dict[str, Any] = {"path": os.ttyname(node), "received": bytearray()}
    stop = threading.Event()

    def serve() -> None:
        while read:
            if select.select([controller], [], [], 0.05)[0]:
                state["received"] += os.read(controller, 65536)
                if answer is not None and len(state["received"]) == 6:
                    os.write(controller, answer)
            elif stop.is_set():
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        os.close(node)
        os.close(controller)


@pytest.mark.parametrize(("answer", "reason"), [(b"\x16\x12", "cover_open"), (None, None)])
def test_device_printer_is_asked_for_status(answer: bytes | None, reason: str | None) -> None:
    ticket = make_ticket()
    with device(answer) as fake:
        printer = TicketPrinter(f"file://{fake['path']}", status_timeout=0.2)
        if reason is None:
            printer.print_ticket(ticket)
        else:
            with pytest.raises(PrinterUnavailable) as caught:
                printer.print_ticket(ticket)
            assert caught.value.reason_code == reason
    expected = b"\x10\x04\x02\x10\x04\x04" + (build_ticket_bytes(ticket) if reason is None else b"")
    assert bytes(fake["received"]) == expected


def test_device_that_stops_taking_data_times_out() -> None:
    with device(None, read=False) as fake:
        printer = TicketPrinter(f"file://{fake['path']}?timeout=0.5&status=off")
        with pytest.raises(PrinterUnavailable) as caught:
            printer.send(build_ticket_bytes(make_ticket()) * 1000)
    assert caught.value.reason_code == "timeout"


@pytest.mark.parametrize(
    "uri",
    ["file:///dev/antrean-no-such-printer", "serial:///dev/antrean-no-such-tty", "usb://ffff:fffe"],
)
def test_missing_device_is_unreachable(tmp_path: Path, uri: str) -> None:
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter(uri).print_ticket(make_ticket())
    assert caught.value.reason_code == "unreachable"


def test_missing_directory_for_a_file_printer_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter(f"file://{tmp_path}/nowhere/spool.bin").print_ticket(make_ticket())
    assert caught.value.reason_code == "unreachable"


def test_none_printer_prints_nothing_and_succeeds(tmp_path: Path) -> None:
    TicketPrinter("none").print_ticket(make_ticket())
    assert list(tmp_path.iterdir()) == []


def test_printer_unavailable_speaks_the_visitors_language() -> None:
    error = PrinterUnavailable("no_paper", "sensor")
    assert error.message("id") == tr("ticket.printer.no_paper", "id")
    assert error.message("en") != error.message("id")
    assert str(error) == "no_paper: sensor"
    with pytest.raises(ValueError):
        PrinterUnavailable("on_fire", "x")  # type: ignore[arg-type]


# --- printer URIs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("network://10.0.0.5", PrinterTarget("network", "10.0.0.5", 9100)),
        (
            "network://printer.lan:9101?paper=58&qr=image&timeout=1.5&status=off",
            PrinterTarget(
                "network",
                "printer.lan",
                9101,
                paper_mm=58,
                native_qr=False,
                timeout=1.5,
                query_status=False,
            ),
        ),
        ("usb://04b8:0e15", PrinterTarget("usb", "04b8:0e15", usb_ids=(0x04B8, 0x0E15))),
        (
            "usb://0416:5011?out_ep=0x03&in_ep=0x81",
            PrinterTarget("usb", "0416:5011", usb_ids=(0x0416, 0x5011), in_ep=0x81, out_ep=3),
        ),
        (
            "serial:///dev/ttyUSB0?baudrate=19200",
            PrinterTarget("serial", "/dev/ttyUSB0", baudrate=19200),
        ),
        ("file:///dev/usb/lp0?paper=58", PrinterTarget("file", "/dev/usb/lp0", paper_mm=58)),
        ("preview:///tmp/tickets", PrinterTarget("preview", "/tmp/tickets")),
        ("preview://tickets?paper=58", PrinterTarget("preview", "tickets", paper_mm=58)),
        (" NONE ", PrinterTarget("none")),
    ],
)
def test_parse_printer_uri(uri: str, expected: PrinterTarget) -> None:
    assert parse_printer_uri(uri) == expected


@pytest.mark.parametrize(
    ("uri", "complaint"),
    [
        ("", "use network://"),
        ("ipp://printer", "use network://"),
        ("network:10.0.0.5", "use network://"),
        ("network://", "expected network://HOST"),
        ("network://host:99999", "port"),
        ("network://host:abc", "port"),
        ("network://host?paper=76", "paper must be 58 or 80"),
        ("network://host?colour=red", "unknown option 'colour'"),
        ("network://host?timeout=0", "timeout"),
        ("network://host?status=maybe", "status must be on or off"),
        ("network://host?paper=58&paper=80", "given twice"),
        ("usb://04b8", "usb://VID:PID"),
        ("usb://xyz:0e15", "usb://VID:PID"),
        ("usb://04b8:0e15?out_ep=300", "out_ep"),
        ("serial://", "serial:///dev/DEVICE"),
        ("serial:///dev/ttyS0?baudrate=fast", "baudrate"),
        ("file://dev/usb/lp0", "absolute path"),
        ("preview://", "preview://DIRECTORY"),
        ("preview://out?qr=image", "unknown option 'qr'"),
    ],
)
def test_bad_printer_uri_says_what_is_wrong(uri: str, complaint: str) -> None:
    with pytest.raises(ValueError, match="bad printer URI") as caught:
        parse_printer_uri(uri)
    assert complaint in str(caught.value)


def test_from_wire_rejects_a_ticket_without_a_number() -> None:
    with pytest.raises(ValueError, match="number"):
        TicketPrint.from_wire(wire(number=""), OFFICE, SERVICE, None, "id")


# --- off the UI thread --------------------------------------------------------------


class StalledPrinter:
    """Blocks like a printer that takes its time, until released."""

    def __init__(self, error: Exception | None = None) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: list[int] = []
        self.error = error

    def print_ticket(self, ticket: TicketPrint) -> None:
        self.threads.append(threading.get_ident())
        self.started.set()
        self.release.wait(30)
        if self.error is not None:
            raise self.error


def test_print_job_runner_never_blocks_the_caller() -> None:
    done: list[tuple[str, PrinterUnavailable | None]] = []
    printer = StalledPrinter()
    with PrintJobRunner(
        printer, lambda ticket_id, error: done.append((ticket_id, error))
    ) as runner:
        future = runner.submit(make_ticket())
        # submit() came back while the printer is still busy with the ticket.
        assert printer.started.wait(5)
        assert not future.done()
        assert done == []
        printer.release.set()
        assert future.result(5) is None
    assert done == [("2026-11-23-A012", None)]
    assert printer.threads != [threading.get_ident()]


@pytest.mark.parametrize(
    ("raised", "reason"),
    [(PrinterUnavailable("no_paper", "empty"), "no_paper"), (RuntimeError("bug"), "error")],
)
def test_print_job_runner_reports_failures_as_printer_unavailable(
    raised: Exception, reason: str
) -> None:
    done: list[tuple[str, PrinterUnavailable | None]] = []
    printer = StalledPrinter(raised)
    printer.release.set()
    with PrintJobRunner(
        printer, lambda ticket_id, error: done.append((ticket_id, error))
    ) as runner:
        error = runner.submit(make_ticket()).result(5)
    assert error is not None
    assert error.reason_code == reason
    assert done == [("2026-11-23-A012", error)]


def test_the_servers_page_for_the_ticket_is_what_the_qr_holds() -> None:
    """The `ticket.issue` answer's `url` (the visitor's page) wins over the office's own
    ticket_url; the footer then invites the visitor to scan it."""
    page = "http://192.168.1.10:8765/t/KD0Uf2BdyKjb1n8qyZBTrg"
    for office_url in (URL, None):
        ticket = TicketPrint.from_wire(wire(url=page), OFFICE, SERVICE, office_url, "id")
        assert ticket.qr_payload == page
        assert ticket.footer[-1] == tr("ticket.feedback_qr", "id")
