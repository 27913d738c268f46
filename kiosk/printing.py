"""The kiosk's thermal ticket: ESC/POS bytes, the printers they go to, and a PNG preview.

One layout (`_layout`) feeds both the ESC/POS writer and the PNG preview, so the
preview shows what the printer prints. Every way a print can fail reaches the caller
as one exception, `PrinterUnavailable`, with a reason the kiosk can tell a visitor;
`PrintJobRunner` keeps printing off the UI thread. No Qt here.

Printer URIs (query `?paper=58|80`, default 80, on every kind but `none`):
  network://HOST[:PORT]        raw TCP, port 9100 by default
  usb://VID:PID                hex ids, e.g. usb://04b8:0e15 (needs pyusb)
  serial:///dev/ttyUSB0        `?baudrate=9600` (needs pyserial)
  file:///dev/usb/lp0          a printer device, or a plain file that tickets are appended to
  preview://DIR                one PNG per ticket in DIR, named by ticket id
  none                         prints nothing and succeeds
Further options: `qr=native|image` (image for printers without a QR command),
`timeout=SECONDS` (default 3), `status=on|off` (ask the printer for paper and cover
state before printing; default on), and `in_ep`/`out_ep` for USB.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import select
import socket
import stat
import textwrap
import time
import unicodedata
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, get_args
from urllib.parse import parse_qsl, quote, unquote, urldefrag, urlsplit

import qrcode
import qrcode.util
from escpos.capabilities import Profile, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from antrean.core.model import Text
from antrean.i18n import tr
from antrean.views import IssuedTicket

logger = logging.getLogger(__name__)

ReasonCode = Literal["unreachable", "no_paper", "cover_open", "timeout", "error"]
REASON_CODES: frozenset[str] = frozenset(get_args(ReasonCode))

PrinterKind = Literal["network", "usb", "serial", "file", "preview", "none"]


class PrinterUnavailable(Exception):
    """The ticket was not printed. `reason_code` is one of REASON_CODES, for the kiosk to
    act on; `detail` is for the log and the operator."""

    def __init__(self, reason_code: ReasonCode, detail: str) -> None:
        if reason_code not in REASON_CODES:
            raise ValueError(f"unknown printer failure reason {reason_code!r}")
        super().__init__(reason_code, detail)
        self.reason_code: ReasonCode = reason_code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason_code}: {self.detail}"

    def message(self, lang: str) -> str:
        """What to tell the visitor, in their language."""
        return tr(f"ticket.printer.{self.reason_code}", lang)


# --- what is printed ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """Everything printed on one ticket, already in the visitor's language."""

    office_name: str
    service_name: str
    number: str
    ticket_id: str
    issued_at: datetime
    ahead: int
    eta_minutes: int
    priority: bool
    lang: str
    qr_payload: str
    footer: tuple[str, ...] = ()

    @classmethod
    def from_wire(
        cls,
        ticket: Mapping[str, Any],
        office_name: str,
        service_name: Text,
        ticket_url: str | None,
        lang: str,
    ) -> TicketPrint:
        """The ticket as the server's `ticket.issue` answer gives it (PROTOCOL.md);
        a missing or mistyped field raises `WireError` (a ValueError) naming it."""
        return cls.of(IssuedTicket.from_wire(ticket), office_name, service_name, ticket_url,
                      lang)

    @classmethod
    def of(
        cls,
        ticket: IssuedTicket,
        office_name: str,
        service_name: Text,
        ticket_url: str | None,
        lang: str,
    ) -> TicketPrint:
        page = ticket.url  # the server's own page for this ticket, when it gives one
        feedback = "ticket.feedback_qr" if ticket_url or page else "ticket.feedback_counter"
        return cls(
            office_name=office_name,
            service_name=service_name.get(lang),
            number=ticket.number,
            ticket_id=ticket.id,
            issued_at=ticket.issued_at,
            ahead=ticket.ahead,
            eta_minutes=ticket.eta_minutes,
            priority=ticket.is_priority,
            lang=lang,
            qr_payload=page if page else ticket_qr_payload(ticket.id, ticket_url),
            footer=(tr("ticket.keep", lang), tr(feedback, lang)),
        )


def ticket_qr_payload(ticket_id: str, ticket_url: str | None) -> str:
    """The ticket's status page when the office has one (`{id}` in the URL is replaced,
    otherwise `ticket=<id>` is added to the query), else the bare ticket id."""
    if not ticket_url:
        return ticket_id
    quoted = quote(ticket_id, safe="")
    if "{id}" in ticket_url:
        return ticket_url.replace("{id}", quoted)
    url, fragment = urldefrag(ticket_url)
    separator = "" if url.endswith(("?", "&")) else "&" if "?" in url else "?"
    return f"{url}{separator}ticket={quoted}" + (f"#{fragment}" if fragment else "")


_ASCII_FALLBACKS = str.maketrans(
    {
        "…": "...",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "•": "*",
        "±": "+/-",
        "×": "x",
        "\u00a0": " ",
    }
)


def printable_text(text: str) -> str:
    """`text` in plain ASCII, which every printer code page shares: accents dropped,
    typographic punctuation spelled out, control characters (read as commands) blanked."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_FALLBACKS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "replace").decode("ascii")
    return "".join(c if " " <= c <= "~" else " " for c in text)


# --- the layout, shared by the printer and the preview ----------------------------


@dataclass(frozen=True, slots=True)
class _Paper:
    """Printable geometry at 203 dpi with Font A (12 x 24 dots)."""

    mm: int
    dots: int
    columns: int
    qr_module_max: int


PAPERS: dict[int, _Paper] = {80: _Paper(80, 576, 48, 8), 58: _Paper(58, 384, 32, 6)}
_MAX_SCALE = 8  # the largest character multiplier GS ! allows
_QR_QUIET = 4  # modules of white around the code, as the QR standard asks


def _paper(paper_mm: int) -> _Paper:
    try:
        return PAPERS[paper_mm]
    except KeyError:
        raise ValueError(f"paper width must be 58 or 80 mm, not {paper_mm!r}") from None


@dataclass(frozen=True, slots=True)
class _TextLine:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    invert: bool = False


@dataclass(frozen=True, slots=True)
class _Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class _QrCode:
    payload: str
    module: int


_Block = _TextLine | _Feed | _QrCode


def _wrapped(
    text: str, paper: _Paper, *, width: int = 1, height: int = 1, bold: bool = False
) -> list[_TextLine]:
    """`text` cut into lines that fit the paper at this character width: after a colon
    if it has one, and into lines of even length rather than one long and one stub."""
    limit = max(1, paper.columns // width)
    text = printable_text(text).strip()
    head, colon, tail = text.partition(": ")
    parts = [head + colon.rstrip(), tail] if colon and len(text) > limit else [text]
    lines = [line for part in parts for line in _balanced_wrap(part, limit)]
    return [_TextLine(line, width, height, bold) for line in lines]


def _balanced_wrap(text: str, limit: int) -> list[str]:
    lines = textwrap.wrap(text, limit, break_on_hyphens=False)
    for narrower in range(max(1, len(text) // max(1, len(lines))), limit):
        even = textwrap.wrap(text, narrower, break_on_hyphens=False)
        if len(even) == len(lines):
            return even
    return lines


def _qr_data(payload: str) -> qrcode.util.QRData:
    # Byte mode, as printers encode natively: the size we plan for is the size printed.
    return qrcode.util.QRData(payload.encode("utf-8"), mode=qrcode.util.MODE_8BIT_BYTE)


def _qr_module(payload: str, paper: _Paper) -> int:
    """The largest dot size per module at which the code and its quiet zone fit."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(_qr_data(payload))
    modules = 17 + 4 * int(code.best_fit())
    return max(1, min(paper.qr_module_max, paper.dots // (modules + 2 * _QR_QUIET)))


def _layout(ticket: TicketPrint, paper: _Paper) -> list[_Block]:
    lang = ticket.lang
    blocks: list[_Block] = []
    blocks += _wrapped(ticket.office_name, paper, bold=True)
    # As wide as it is high: double height alone looks stretched on paper.
    blocks += _wrapped(ticket.service_name, paper, width=2, height=2)
    blocks.append(_Feed())
    blocks += _wrapped(tr("ticket.number_label", lang), paper)
    number = printable_text(ticket.number).strip()
    # As large as the printer allows, leaving at least one character of margin.
    scale = max(1, min(_MAX_SCALE, (paper.columns - 1) // max(1, len(number))))
    blocks += _wrapped(number, paper, width=scale, height=scale, bold=True)
    if ticket.priority:
        marker = f" {printable_text(tr('ticket.priority', lang))} "
        size = 2 if 2 * len(marker) <= paper.columns else 1
        blocks.append(_TextLine(marker, size, size, bold=True, invert=True))
    blocks.append(_Feed())
    local = ticket.issued_at
    issued = tr(
        "ticket.issued", lang, date=local.strftime("%d-%m-%Y"), time=local.strftime("%H:%M")
    )
    blocks += _wrapped(issued, paper)
    if ticket.ahead > 0:
        blocks += _wrapped(tr("ticket.ahead", lang, n=ticket.ahead), paper)
    else:
        blocks += _wrapped(tr("ticket.ahead_none", lang), paper)
    if ticket.eta_minutes > 0:
        blocks += _wrapped(tr("ticket.eta", lang, n=ticket.eta_minutes), paper)
    else:
        blocks += _wrapped(tr("ticket.eta_soon", lang), paper)
    blocks.append(_Feed())
    blocks.append(_QrCode(ticket.qr_payload, _qr_module(ticket.qr_payload, paper)))
    blocks += _wrapped(ticket.ticket_id, paper)
    blocks.append(_Feed())
    for line in ticket.footer:
        blocks += _wrapped(line, paper)
    return blocks


# --- ESC/POS ------------------------------------------------------------------------


@cache
def _profile(paper_mm: int) -> Profile:
    """The generic ESC/POS profile with the paper's width filled in, so that images are
    checked and centred against it (the stock profile leaves the width unknown)."""
    paper = _paper(paper_mm)
    base = get_profile("default")
    profile = Profile(columns=paper.columns, features=dict(base.features))
    profile.profile_data = {
        **base.profile_data,
        "media": {"dpi": 203, "width": {"mm": paper.mm - 8, "pixels": paper.dots}},
    }
    return profile


def build_ticket_bytes(ticket: TicketPrint, paper_mm: int = 80, *, native_qr: bool = True) -> bytes:
    """The ESC/POS job for one ticket, ending in a cut. With `native_qr` the printer draws
    the QR code from its payload (`GS ( k`); otherwise it is sent as a raster image."""
    paper = _paper(paper_mm)
    printer = Dummy(profile=_profile(paper_mm), magic_encode_args={"encoding": "CP437"})
    printer.hw("INIT")
    printer.set(align="center")
    for block in _layout(ticket, paper):
        if isinstance(block, _TextLine):
            printer.set(
                custom_size=True,
                width=block.width,
                height=block.height,
                bold=block.bold,
                invert=block.invert,
            )
            printer.textln(block.text)
        elif isinstance(block, _Feed):
            printer.ln(block.lines)
        elif native_qr:
            printer.qr(block.payload, ec=QR_ECLEVEL_M, size=block.module, native=True)
            printer.ln()
        else:
            printer.image(_qr_image(block.payload, block.module), center=True)
    printer.set(custom_size=True, width=1, height=1, bold=False, invert=False)
    printer.cut()
    return bytes(printer.output)


# --- PNG preview --------------------------------------------------------------------

_CELL_W, _CELL_H = 12, 24  # Font A character cell, in dots
_LINE_PITCH = 32  # dots from one normal text line to the next
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_SIZE = 20  # DejaVu Sans Mono at 20 px has a 12 x 24 px cell, like Font A


@lru_cache(maxsize=64)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    try:
        return ImageFont.truetype(str(_FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size)


def _qr_image(payload: str, module: int) -> Image.Image:
    """The QR code with its quiet zone, `module` pixels per module."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=_QR_QUIET
    )
    code.add_data(_qr_data(payload))
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix)
    image = Image.new("L", (side, side), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    return image.resize((side * module, side * module), Image.Resampling.NEAREST)


@lru_cache(maxsize=1024)
def _glyph(char: str, scale: int, bold: bool, invert: bool) -> Image.Image:
    """One character cell at `scale`; cached, as a ticket reuses few characters."""
    cell = Image.new("L", (_CELL_W * scale, _CELL_H * scale), 0 if invert else 255)
    if char != " ":
        font = _font(bold, _FONT_SIZE * scale)
        baseline = font.getmetrics()[0] if isinstance(font, ImageFont.FreeTypeFont) else 19
        ImageDraw.Draw(cell).text(
            (cell.width / 2, baseline), char, font=font, fill=255 if invert else 0, anchor="ms"
        )
    return cell


def _text_strip(line: _TextLine, paper: _Paper) -> Image.Image:
    """One printed text line: characters scaled by whole multiples, as the printer does."""
    scale = line.width
    cell_w = _CELL_W * scale
    glyphs = Image.new("L", (max(1, cell_w * len(line.text)), _CELL_H * scale), 255)
    for i, char in enumerate(line.text):
        glyphs.paste(_glyph(char, scale, line.bold, line.invert), (i * cell_w, 0))
    if line.height != line.width:
        glyphs = glyphs.resize((glyphs.width, _CELL_H * line.height), Image.Resampling.LANCZOS)
    strip = Image.new("L", (paper.dots, glyphs.height + _LINE_PITCH - _CELL_H), 255)
    strip.paste(glyphs, (max(0, (paper.dots - glyphs.width) // 2), 0))
    return strip


def _cut_mark(paper: _Paper) -> Image.Image:
    strip = Image.new("L", (paper.dots, 9), 255)
    draw = ImageDraw.Draw(strip)
    for x in range(0, paper.dots, 16):
        draw.line([(x, 4), (x + 8, 4)], fill=128, width=1)
    return strip


def render_ticket_image(ticket: TicketPrint, paper_mm: int = 80) -> Image.Image:
    """The ticket as the printer lays it out, one pixel per printer dot (greyscale)."""
    paper = _paper(paper_mm)
    strips = [Image.new("L", (paper.dots, _LINE_PITCH), 255)]
    for block in _layout(ticket, paper):
        if isinstance(block, _TextLine):
            strips.append(_text_strip(block, paper))
        elif isinstance(block, _Feed):
            strips.append(Image.new("L", (paper.dots, _LINE_PITCH * block.lines), 255))
        else:
            code = _qr_image(block.payload, block.module)
            strip = Image.new("L", (paper.dots, code.height), 255)
            strip.paste(code, ((paper.dots - code.width) // 2, 0))
            strips.append(strip)
    strips.append(Image.new("L", (paper.dots, _LINE_PITCH * 2), 255))
    strips.append(_cut_mark(paper))
    page = Image.new("L", (paper.dots, sum(s.height for s in strips)), 255)
    y = 0
    for strip in strips:
        page.paste(strip, (0, y))
        y += strip.height
    return page


def render_ticket_png(
    ticket: TicketPrint, path: str | os.PathLike[str], paper_mm: int = 80
) -> Path:
    """Writes the preview of the printed ticket to `path` (for preview:// and the docs)."""
    target = Path(path)
    render_ticket_image(ticket, paper_mm).save(target, format="PNG", optimize=False)
    return target


# --- printer URIs -------------------------------------------------------------------

_DEFAULT_PORT = 9100
_DEFAULT_TIMEOUT = 3.0
_PARAMS: dict[str, frozenset[str]] = {
    "network": frozenset({"paper", "qr", "timeout", "status"}),
    "usb": frozenset({"paper", "qr", "timeout", "in_ep", "out_ep"}),
    "serial": frozenset({"paper", "qr", "timeout", "status", "baudrate"}),
    "file": frozenset({"paper", "qr", "timeout", "status"}),
    "preview": frozenset({"paper"}),
}
_SWITCH = {"on": True, "off": False}


@dataclass(frozen=True, slots=True)
class PrinterTarget:
    """Where tickets go, as configured; `address` is the host, device path or directory."""

    kind: PrinterKind
    address: str = ""
    port: int | None = None
    usb_ids: tuple[int, int] | None = None
    baudrate: int = 9600
    paper_mm: int = 80
    native_qr: bool = True
    timeout: float = _DEFAULT_TIMEOUT
    query_status: bool = True
    in_ep: int | None = None
    out_ep: int | None = None


def parse_printer_uri(uri: str) -> PrinterTarget:
    """The printer named by `uri` (see the module docstring); ValueError says what is wrong."""
    text = uri.strip()
    if text.lower() == "none":
        return PrinterTarget("none")
    bad = f"bad printer URI {uri!r}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _PARAMS or "://" not in text:
        raise ValueError(
            f"{bad}: use network://HOST:PORT, usb://VID:PID, serial:///dev/DEVICE, "
            "file:///PATH, preview://DIR or none"
        )
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise ValueError(f"{bad}: unreadable query {parts.query!r}") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        raise ValueError(f"{bad}: an option is given twice")
    unknown = sorted(set(params) - _PARAMS[scheme])
    if unknown:
        allowed = ", ".join(sorted(_PARAMS[scheme]))
        raise ValueError(f"{bad}: unknown option {unknown[0]!r} (allowed: {allowed})")

    common: dict[str, Any] = {}
    if "paper" in params:
        if params["paper"] not in ("58", "80"):
            raise ValueError(f"{bad}: paper must be 58 or 80, not {params['paper']!r}")
        common["paper_mm"] = int(params["paper"])
    if "qr" in params:
        if params["qr"] not in ("native", "image"):
            raise ValueError(f"{bad}: qr must be native or image, not {params['qr']!r}")
        common["native_qr"] = params["qr"] == "native"
    if "timeout" in params:
        try:
            timeout = float(params["timeout"])
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 120:
            raise ValueError(
                f"{bad}: timeout must be seconds in (0, 120], not {params['timeout']!r}"
            )
        common["timeout"] = timeout
    if "status" in params:
        if params["status"] not in _SWITCH:
            raise ValueError(f"{bad}: status must be on or off, not {params['status']!r}")
        common["query_status"] = _SWITCH[params["status"]]

    if scheme == "network":
        try:
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            raise ValueError(f"{bad}: the port must be a number from 1 to 65535") from exc
        if not host or parts.path not in ("", "/") or parts.username:
            raise ValueError(f"{bad}: expected network://HOST or network://HOST:PORT")
        return PrinterTarget("network", host, port or _DEFAULT_PORT, **common)
    if scheme == "usb":
        match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})", parts.netloc)
        if not match or parts.path not in ("", "/"):
            raise ValueError(f"{bad}: expected usb://VID:PID in hex, e.g. usb://04b8:0e15")
        for key in ("in_ep", "out_ep"):
            if key in params:
                common[key] = _endpoint(params[key], bad, key)
        ids = (int(match.group(1), 16), int(match.group(2), 16))
        return PrinterTarget("usb", parts.netloc, usb_ids=ids, **common)
    if scheme == "serial":
        device = unquote(parts.netloc + parts.path)
        if not device:
            raise ValueError(f"{bad}: expected serial:///dev/DEVICE")
        if "baudrate" in params:
            baud = params["baudrate"]
            if not baud.isdigit() or not 0 < int(baud) <= 4_000_000:
                raise ValueError(f"{bad}: baudrate must be a positive number, not {baud!r}")
            common["baudrate"] = int(baud)
        return PrinterTarget("serial", device, **common)
    if scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/"):
            raise ValueError(f"{bad}: expected an absolute path, e.g. file:///dev/usb/lp0")
        return PrinterTarget("file", path, **common)
    directory = unquote(parts.netloc + parts.path)
    if not directory:
        raise ValueError(f"{bad}: expected preview://DIRECTORY")
    return PrinterTarget("preview", directory, **common)


def _endpoint(value: str, bad: str, key: str) -> int:
    try:
        number = int(value, 0)
    except ValueError:
        number = -1
    if not 0 <= number <= 0xFF:
        raise ValueError(f"{bad}: {key} must be an endpoint number like 0x81, not {value!r}")
    return number


# --- sending ------------------------------------------------------------------------

# DLE EOT 2 (offline cause) and DLE EOT 4 (roll paper sensor): answered in real time,
# one byte each, even while the printer is offline.
_STATUS_QUERY = b"\x10\x04\x02\x10\x04\x04"
_COVER_OPEN = 0x04  # in the offline-cause byte
_STOPPED_NO_PAPER = 0x20  # in the offline-cause byte
_ROLL_PAPER_END = 0x60  # in the paper-sensor byte
_GONE_ERRNOS = frozenset({errno.ENOENT, errno.ENXIO, errno.ENODEV})  # no device there


def _read_status(read: Callable[[float, int], bytes | None], timeout: float) -> bytes:
    """Up to two status bytes within `timeout` (the one loop of every
    transport that can ask): `read(remaining, wanted)` gives what arrived,
    b"" when nothing more will come (silent, closed or failed), or None to
    wait again."""
    deadline = time.monotonic() + timeout
    answer = b""
    while len(answer) < 2:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        chunk = read(remaining, 2 - len(answer))
        if chunk is None:
            continue
        if not chunk:
            break
        answer += chunk
    return answer


def _status_failure(answer: bytes) -> PrinterUnavailable | None:
    """What the printer's DLE EOT answer forbids, if anything. A status byte always has
    bits 1 and 4 set and bits 0 and 7 clear; anything else is not an answer and is ignored."""
    if not answer or answer[0] & 0x93 != 0x12:
        return None
    offline = answer[0]
    if offline & _COVER_OPEN:
        return PrinterUnavailable("cover_open", "the printer reports its cover open")
    paper_end = len(answer) > 1 and answer[1] & 0x93 == 0x12 and answer[1] & _ROLL_PAPER_END
    if offline & _STOPPED_NO_PAPER or paper_end:
        return PrinterUnavailable("no_paper", "the printer reports the paper roll empty")
    return None


class TicketSink(Protocol):
    """Anything PrintJobRunner can print with: a TicketPrinter, or a fake in tests."""

    def print_ticket(self, ticket: TicketPrint) -> None: ...


class TicketPrinter:
    """Prints tickets on the printer a URI names. Each ticket is one short connection,
    so a printer switched off and on again needs nothing from the kiosk."""

    def __init__(self, target: PrinterTarget | str, *, status_timeout: float = 0.5) -> None:
        self.target = parse_printer_uri(target) if isinstance(target, str) else target
        self.status_timeout = status_timeout

    def print_ticket(self, ticket: TicketPrint) -> None:
        """Prints `ticket` or raises PrinterUnavailable; returns once the printer (or the
        operating system on its way) has taken every byte."""
        target = self.target
        if target.kind == "none":
            return
        if target.kind == "preview":
            self._write_preview(ticket)
            return
        self.send(build_ticket_bytes(ticket, target.paper_mm, native_qr=target.native_qr))

    def send(self, data: bytes) -> None:
        """Sends raw ESC/POS bytes; failures raise PrinterUnavailable."""
        kind = self.target.kind
        if kind == "network":
            self._send_network(data)
        elif kind == "file":
            self._send_file(data)
        elif kind == "serial":
            self._send_serial(data)
        elif kind == "usb":
            self._send_usb(data)
        elif kind == "preview":
            raise ValueError("a preview printer renders tickets; it takes no raw bytes")

    def _write_preview(self, ticket: TicketPrint) -> None:
        directory = Path(self.target.address)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", ticket.ticket_id) or "ticket"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            render_ticket_png(ticket, directory / f"{name}.png", self.target.paper_mm)
        except OSError as exc:
            raise PrinterUnavailable(
                "error", f"cannot write the preview in {directory}: {exc}"
            ) from exc

    def _send_network(self, data: bytes) -> None:
        target = self.target
        where = f"{target.address}:{target.port}"
        try:
            sock = socket.create_connection((target.address, target.port), timeout=target.timeout)
        except TimeoutError as exc:
            raise PrinterUnavailable(
                "unreachable", f"{where} did not answer within {target.timeout:g} s"
            ) from exc
        except OSError as exc:
            raise PrinterUnavailable("unreachable", f"cannot connect to {where}: {exc}") from exc
        with sock:
            try:
                if target.query_status:
                    sock.sendall(_STATUS_QUERY)
                    failure = _status_failure(self._socket_answer(sock))
                    if failure is not None:
                        raise failure
                sock.settimeout(target.timeout)
                sock.sendall(data)  # the timeout bounds the whole call, not each chunk
                sock.shutdown(socket.SHUT_WR)
                _discard_pending(sock)
            except TimeoutError as exc:
                raise PrinterUnavailable("timeout", f"{where} stopped taking data: {exc}") from exc
            except OSError as exc:
                raise PrinterUnavailable("error", f"sending to {where} failed: {exc}") from exc

    def _socket_answer(self, sock: socket.socket) -> bytes:
        """Up to two status bytes, or fewer if the printer stays silent (many do)."""

        def read(remaining: float, wanted: int) -> bytes | None:
            sock.settimeout(remaining)
            try:
                return sock.recv(wanted)
            except TimeoutError:
                return b""

        return _read_status(read, self.status_timeout)

    def _send_file(self, data: bytes) -> None:
        target = self.target
        path = target.address
        # Never create files under /dev: a missing device means an unplugged printer.
        create = 0 if path.startswith("/dev/") else os.O_CREAT | os.O_APPEND
        flags = os.O_NONBLOCK | os.O_NOCTTY | create
        try:
            try:
                fd = os.open(
                    path, flags | (os.O_RDWR if target.query_status else os.O_WRONLY), 0o644
                )
            except PermissionError:
                if not target.query_status:
                    raise
                fd = os.open(path, flags | os.O_WRONLY, 0o644)  # write-only: no status then
        except FileNotFoundError as exc:
            raise PrinterUnavailable("unreachable", f"{path} does not exist: {exc}") from exc
        except OSError as exc:
            code: ReasonCode = "unreachable" if exc.errno in _GONE_ERRNOS else "error"
            raise PrinterUnavailable(code, f"cannot open {path}: {exc}") from exc
        try:
            if target.query_status and stat.S_ISCHR(os.fstat(fd).st_mode):
                failure = _status_failure(self._fd_answer(fd))
                if failure is not None:
                    raise failure
            _write_all(fd, data, target.timeout)
        except TimeoutError as exc:
            raise PrinterUnavailable("timeout", f"{path}: {exc}") from exc
        except OSError as exc:
            code = "unreachable" if exc.errno in _GONE_ERRNOS else "error"
            raise PrinterUnavailable(code, f"writing to {path} failed: {exc}") from exc
        finally:
            os.close(fd)

    def _fd_answer(self, fd: int) -> bytes:
        try:
            os.write(fd, _STATUS_QUERY)
        except (BlockingIOError, OSError):
            return b""  # a device that cannot be asked is simply printed to
        poller = select.poll()
        poller.register(fd, select.POLLIN)

        def read(remaining: float, wanted: int) -> bytes | None:
            if not poller.poll(remaining * 1000):
                return b""
            try:
                return os.read(fd, wanted)
            except BlockingIOError:
                return None  # woken for nothing: wait again
            except OSError:
                return b""

        return _read_status(read, self.status_timeout)

    def _send_serial(self, data: bytes) -> None:
        target = self.target
        try:
            import serial  # pyserial, optional: only serial printers need it
        except ImportError as exc:
            raise PrinterUnavailable(
                "unreachable", "serial printing needs pyserial: pip install 'antrean[usb]'"
            ) from exc
        # Ten bits a byte on the wire: a slow line gets the time the ticket needs.
        write_timeout = target.timeout + len(data) * 10 / target.baudrate
        try:
            port = serial.Serial(
                target.address,
                target.baudrate,
                timeout=self.status_timeout,
                write_timeout=write_timeout,
            )
        except (serial.SerialException, OSError) as exc:
            raise PrinterUnavailable("unreachable", f"cannot open {target.address}: {exc}") from exc
        with port:
            try:
                if target.query_status:
                    port.write(_STATUS_QUERY)
                    failure = _status_failure(bytes(port.read(2)))
                    if failure is not None:
                        raise failure
                port.write(data)
            except serial.SerialTimeoutException as exc:
                raise PrinterUnavailable("timeout", f"{target.address}: {exc}") from exc
            except (serial.SerialException, OSError) as exc:
                raise PrinterUnavailable(
                    "error", f"writing to {target.address} failed: {exc}"
                ) from exc

    def _send_usb(self, data: bytes) -> None:
        target = self.target
        assert target.usb_ids is not None
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterUnavailable(
                "unreachable", "USB printing needs pyusb: pip install 'antrean[usb]'"
            )
        endpoints = {
            key: value
            for key, value in (("in_ep", target.in_ep), ("out_ep", target.out_ep))
            if value is not None
        }
        vendor, product = target.usb_ids
        printer = Usb(vendor, product, timeout=int(target.timeout * 1000), **endpoints)
        try:
            printer.open()
        except Exception as exc:  # not found, no permission, no libusb backend...
            raise PrinterUnavailable("unreachable", f"USB printer {target.address}: {exc}") from exc
        try:
            printer._raw(data)  # python-escpos has no public call for raw bytes
        except Exception as exc:
            code: ReasonCode = "timeout" if "timeout" in type(exc).__name__.lower() else "error"
            raise PrinterUnavailable(code, f"USB printer {target.address}: {exc}") from exc
        finally:
            printer.close()


def _write_all(fd: int, data: bytes, timeout: float) -> None:
    """Writes all of `data` to a non-blocking descriptor within `timeout` seconds."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    deadline = time.monotonic() + timeout
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        view = view[written:]
        if view and written == 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(view)} of {len(data)} bytes not taken in {timeout:g} s")
            poller.poll(remaining * 1000)


def _discard_pending(sock: socket.socket) -> None:
    """Reads what the printer sent unasked (late status bytes): closing a socket with
    unread data resets the connection, which can cost the printer the end of the job."""
    sock.setblocking(False)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


# --- off the UI thread --------------------------------------------------------------

PrintDone = Callable[[str, PrinterUnavailable | None], None]


class PrintJobRunner:
    """Prints tickets one after another on a worker thread, so a slow or missing printer
    never freezes the kiosk. `on_done(ticket_id, error)` runs on that worker thread:
    a Qt caller forwards it to the UI thread (e.g. through a queued signal)."""

    def __init__(self, printer: TicketSink, on_done: PrintDone) -> None:
        self._printer = printer
        self._on_done = on_done
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-print")

    def submit(self, ticket: TicketPrint) -> Future[PrinterUnavailable | None]:
        """Queues `ticket`; the future gives the same error the callback gets."""
        return self._executor.submit(self._run, ticket)

    def _run(self, ticket: TicketPrint) -> PrinterUnavailable | None:
        error: PrinterUnavailable | None = None
        try:
            self._printer.print_ticket(ticket)
        except PrinterUnavailable as exc:
            error = exc
        except Exception as exc:
            logger.exception("printing ticket %s failed", ticket.ticket_id)
            error = PrinterUnavailable("error", f"{type(exc).__name__}: {exc}")
        if error is not None:
            logger.warning("ticket %s not printed: %s", ticket.ticket_id, error)
        try:
            self._on_done(ticket.ticket_id, error)
        except Exception:
            logger.exception("print callback for ticket %s failed", ticket.ticket_id)
        return error

    def shutdown(self, wait: bool = True) -> None:
        """Stops taking jobs; with `wait`, returns after the queued ones are done."""
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self) -> PrintJobRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()
