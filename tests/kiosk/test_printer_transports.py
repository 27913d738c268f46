"""The serial and USB printer transports (`pip install 'antrean[usb]'`: pyserial
and pyusb) with real ESC/POS bytes read back.

Serial: pyserial opens a real pseudo terminal (os.openpty); the test plays the
printer on the other end, answers the status query or not, and reads what
pyserial wrote. USB: pyusb is faked at its own boundary only: `usb.core.find`
returns a device whose `write` keeps the bytes (python-escpos and pyusb's
own code run as they are)."""

from __future__ import annotations

import os
import select
import sys
import termios
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import usb.core

from antrean.core.model import Text
from kiosk.printing import PrinterUnavailable, TicketPrint, TicketPrinter, build_ticket_bytes
from tests.escpos_reader import read_escpos

STATUS_QUERY = b"\x10\x04\x02\x10\x04\x04"
ALL_WELL = b"\x12\x12"  # offline cause: none; paper sensor: paper present


def ticket(number: str = "A012") -> TicketPrint:
    wire = {"id": f"2026-11-23-{number}", "number": number, "service": "A",
            "priority": "regular", "status": "waiting",
            "issued_at": "2026-11-23T09:15:02.123+07:00", "lang": "id", "ahead": 4,
            "eta_minutes": 20}
    return TicketPrint.from_wire(wire, "Kantor Imigrasi Kelas I TPI Jakarta Selatan",
                                 Text("Paspor Baru", "New Passport"),
                                 "https://antrean.example.go.id/tiket", "id")


# --- serial, on a pseudo terminal ---------------------------------------------------


@dataclass
class PtyPrinter:
    """The printer's end of a pseudo terminal: answers the status query with
    `answer` (or stays silent), and keeps every byte it is sent."""

    answer: bytes | None
    reading: bool = True
    received: bytearray = field(default_factory=bytearray)
    path: str = ""
    node: int = -1


@contextmanager
def pty_printer(answer: bytes | None, *, reading: bool = True) -> Iterator[PtyPrinter]:
    controller, node = os.openpty()
    printer = PtyPrinter(answer, reading, path=os.ttyname(node), node=node)
    stop = threading.Event()

    def serve() -> None:
        answered = False
        while printer.reading and not stop.is_set():
            if select.select([controller], [], [], 0.02)[0]:
                printer.received += os.read(controller, 65536)
                if (printer.answer is not None and not answered
                        and printer.received.startswith(STATUS_QUERY)):
                    os.write(controller, printer.answer)
                    answered = True

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield printer
    finally:
        stop.set()
        thread.join(5)
        # What was written just before the end is still in the terminal.
        while select.select([controller], [], [], 0.05)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            if printer.reading:
                printer.received += chunk
        os.close(node)
        os.close(controller)


def test_a_serial_printer_gets_the_status_query_then_the_ticket() -> None:
    job = ticket()
    with pty_printer(ALL_WELL) as fake:
        TicketPrinter(f"serial://{fake.path}?baudrate=19200", status_timeout=0.5
                      ).print_ticket(job)
        speeds = termios.tcgetattr(fake.node)[4:6]
    assert bytes(fake.received) == STATUS_QUERY + build_ticket_bytes(job)
    printout = read_escpos(bytes(fake.received))
    assert printout.status_queries == [2, 4]
    assert "A012" in " ".join(printout.text)
    assert printout.qr_payloads and printout.qr_payloads[0].endswith("2026-11-23-A012")
    assert printout.cuts == 1
    assert speeds == [termios.B19200, termios.B19200]  # the line pyserial set up


def test_a_silent_serial_printer_is_printed_to_after_the_status_wait() -> None:
    with pty_printer(None) as fake:
        TicketPrinter(f"serial://{fake.path}?paper=58", status_timeout=0.2
                      ).print_ticket(ticket())
    assert bytes(fake.received) == STATUS_QUERY + build_ticket_bytes(ticket(), 58)


def test_with_status_off_only_the_ticket_is_sent() -> None:
    with pty_printer(None) as fake:
        TicketPrinter(f"serial://{fake.path}?status=off&qr=image").print_ticket(ticket())
    assert bytes(fake.received) == build_ticket_bytes(ticket(), native_qr=False)
    assert read_escpos(bytes(fake.received)).images  # the QR as a raster image


@pytest.mark.parametrize(("answer", "reason"), [
    (b"\x16\x12", "cover_open"),
    (b"\x32\x12", "no_paper"),  # stopped: paper end
    (b"\x12\x72", "no_paper"),  # the roll sensor: paper end
])
def test_a_serial_printer_that_reports_a_fault_gets_no_ticket(answer: bytes,
                                                              reason: str) -> None:
    with pty_printer(answer) as fake, pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter(f"serial://{fake.path}", status_timeout=0.5).print_ticket(ticket())
    assert caught.value.reason_code == reason
    assert bytes(fake.received) == STATUS_QUERY


def test_a_serial_printer_that_stops_reading_times_out() -> None:
    with pty_printer(None, reading=False) as fake:
        printer = TicketPrinter(f"serial://{fake.path}?timeout=0.5&status=off"
                                "&baudrate=4000000")
        with pytest.raises(PrinterUnavailable) as caught:
            printer.send(build_ticket_bytes(ticket()) * 200)
    assert caught.value.reason_code == "timeout"


def test_without_pyserial_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)  # as if not installed
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter("serial:///dev/ttyUSB0").print_ticket(ticket())
    assert caught.value.reason_code == "unreachable"
    assert "antrean[usb]" in caught.value.detail


# --- USB, faked at pyusb's boundary -------------------------------------------------


class FakeContext:
    def __init__(self) -> None:
        self.disposed = 0

    def dispose(self, device: Any) -> None:
        self.disposed += 1


class FakeBackend:
    pass


class FakeUsbPrinter:
    """What `usb.core.find` returns for a plugged-in printer: its bulk OUT
    endpoint keeps every write; `fail` makes the next write raise."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.writes: list[tuple[int, bytes, int]] = []
        self.configured = False
        self.fail = fail
        self._ctx = FakeContext()  # pyusb's usb.util.dispose_resources uses it
        self.backend = FakeBackend()  # not libusb1: python-escpos leaves the kernel driver be

    def set_configuration(self) -> None:
        self.configured = True

    def reset(self) -> None:
        pass

    def write(self, endpoint: int, data: bytes, timeout: int | None = None) -> int:
        if self.fail is not None:
            raise self.fail
        self.writes.append((endpoint, bytes(data), timeout or 0))
        return len(data)


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeUsbPrinter, list[Any]]]:
    device = FakeUsbPrinter()
    searches: list[Any] = []

    def find(**criteria: Any) -> FakeUsbPrinter | None:
        searches.append(criteria)
        wanted = (criteria.get("idVendor"), criteria.get("idProduct"))
        return device if wanted in ((0x04B8, 0x0E15), (0x0416, 0x5011)) else None

    monkeypatch.setattr(usb.core, "find", find)
    yield device, searches


def test_a_usb_printer_gets_the_ticket_on_its_out_endpoint(
    plugged: tuple[FakeUsbPrinter, list[Any]],
) -> None:
    device, searches = plugged
    job = ticket()
    TicketPrinter("usb://04b8:0e15?timeout=2").print_ticket(job)
    assert searches == [{"idVendor": 0x04B8, "idProduct": 0x0E15}]
    assert device.configured
    [(endpoint, data, timeout)] = device.writes
    assert (endpoint, timeout) == (0x01, 2000)  # python-escpos's default OUT endpoint
    assert data == build_ticket_bytes(job)
    printout = read_escpos(data)
    assert "A012" in " ".join(printout.text) and printout.cuts == 1
    assert device._ctx.disposed == 1  # the interface is released after each ticket


def test_a_usb_printer_with_its_own_endpoints(
    plugged: tuple[FakeUsbPrinter, list[Any]],
) -> None:
    device, _ = plugged
    TicketPrinter("usb://0416:5011?out_ep=0x03&in_ep=0x81&paper=58").print_ticket(ticket())
    [(endpoint, data, _)] = device.writes
    assert endpoint == 0x03 and data == build_ticket_bytes(ticket(), 58)


def test_a_usb_printer_that_is_not_plugged_in_is_unreachable(
    plugged: tuple[FakeUsbPrinter, list[Any]],
) -> None:
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter("usb://1234:5678").print_ticket(ticket())
    assert caught.value.reason_code == "unreachable"
    assert plugged[0].writes == []


@pytest.mark.parametrize(("failure", "reason"), [
    (usb.core.USBTimeoutError("Operation timed out", 0, 110), "timeout"),
    (usb.core.USBError("No such device (it may have been disconnected)", 0, 19), "error"),
])
def test_a_usb_write_that_fails_says_why_and_releases_the_device(
    plugged: tuple[FakeUsbPrinter, list[Any]], failure: Exception, reason: str,
) -> None:
    device, _ = plugged
    device.fail = failure
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter("usb://04b8:0e15").print_ticket(ticket())
    assert caught.value.reason_code == reason
    assert device._ctx.disposed == 1


def test_without_pyusb_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from escpos.printer import Usb

    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterUnavailable) as caught:
        TicketPrinter("usb://04b8:0e15").print_ticket(ticket())
    assert caught.value.reason_code == "unreachable"
    assert "antrean[usb]" in caught.value.detail
