"""Reads ESC/POS bytes back, so tests can check what a printer would print.

Knows the commands the kiosk's tickets use (and the common ones around them); any
other command raises, so a ticket cannot hide bytes the reader does not understand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A

# Commands of fixed length, by their prefix: the whole command's length in bytes.
_FIXED: dict[bytes, int] = {
    b"\x1b@": 2,  # initialise
    b"\x1b2": 2,  # default line spacing
    b"\x1b3": 3,  # line spacing
    b"\x1b!": 3,  # print mode (size, bold)
    b"\x1bE": 3,  # bold
    b"\x1bG": 3,  # double strike
    b"\x1b-": 3,  # underline
    b"\x1ba": 3,  # justification
    b"\x1bM": 3,  # font
    b"\x1bt": 3,  # code page
    b"\x1b{": 3,  # upside down
    b"\x1bd": 3,  # print and feed n lines
    b"\x1bJ": 3,  # print and feed n dots
    b"\x1dB": 3,  # reverse (white on black)
    b"\x1d!": 3,  # character size
    b"\x10\x04": 3,  # real-time status request
}


@dataclass
class TextLine:
    """One printed line; `cells` is its width in normal-size characters."""

    text: str
    cells: int = 0
    width: int = 1
    height: int = 1
    bold: bool = False
    invert: bool = False


@dataclass
class Printout:
    lines: list[TextLine] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    qr_prints: int = 0
    images: list[Image.Image] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    cuts: int = 0

    @property
    def text(self) -> list[str]:
        return [line.text for line in self.lines]


def read_escpos(data: bytes) -> Printout:
    out = Printout()
    width = height = 1
    bold = invert = False
    line: TextLine | None = None

    def end_line() -> None:
        nonlocal line
        out.lines.append(line or TextLine(""))
        line = None

    i = 0
    while i < len(data):
        byte = data[i]
        if byte == LF:
            end_line()
            i += 1
            continue
        if byte == 0x0D:
            i += 1
            continue
        if byte not in (ESC, GS, DLE):
            if byte < 0x20:
                raise ValueError(f"control byte {byte:#04x} at offset {i}")
            if line is None:
                line = TextLine("", 0, width, height, bold, invert)
            line.text += bytes([byte]).decode("cp437")
            line.cells += width
            line.width, line.height = max(line.width, width), max(line.height, height)
            i += 1
            continue
        prefix = data[i : i + 2]
        if prefix in _FIXED:
            size = _FIXED[prefix]
            if i + size > len(data):
                raise ValueError(f"truncated command {prefix!r} at offset {i}")
            arg = data[i + size - 1]
            if prefix == b"\x1b!":
                width, height = (2 if arg & 0x20 else 1), (2 if arg & 0x10 else 1)
                bold = bool(arg & 0x08)
            elif prefix == b"\x1d!":
                width, height = (arg >> 4) + 1, (arg & 0x0F) + 1
            elif prefix == b"\x1bE":
                bold = bool(arg & 1)
            elif prefix == b"\x1dB":
                invert = bool(arg & 1)
            elif prefix == b"\x1bd":
                if line is not None:
                    end_line()
                    arg -= 1
                for _ in range(arg):
                    end_line()
            elif prefix == b"\x10\x04":
                out.status_queries.append(arg)
            i += size
        elif prefix == b"\x1dV":
            mode = data[i + 2]
            i += 4 if mode in (65, 66) else 3
            out.cuts += 1
        elif prefix == b"\x1d(" and data[i + 2 : i + 3] in (b"k", b"L"):
            length = data[i + 3] | data[i + 4] << 8
            body = data[i + 5 : i + 5 + length]
            if len(body) != length:
                raise ValueError(f"truncated GS ( at offset {i}")
            if data[i + 2 : i + 3] == b"k" and body[0] == 0x31:  # cn 49: QR code
                if body[1] == 80:  # store the data (m = 48 follows)
                    out.qr_payloads.append(body[3:].decode("utf-8"))
                elif body[1] == 81:  # print the stored symbol
                    out.qr_prints += 1
            i += 5 + length
        elif data[i : i + 3] == b"\x1dv0":
            x_bytes = data[i + 4] | data[i + 5] << 8
            rows = data[i + 6] | data[i + 7] << 8
            raster = data[i + 8 : i + 8 + x_bytes * rows]
            if len(raster) != x_bytes * rows:
                raise ValueError(f"truncated GS v 0 at offset {i}")
            # ESC/POS sets a bit for a black dot; PIL's mode "1" calls a set bit white.
            inverted = bytes(b ^ 0xFF for b in raster)
            out.images.append(Image.frombytes("1", (x_bytes * 8, rows), inverted))
            i += 8 + len(raster)
        else:
            raise ValueError(f"unknown command {data[i : i + 3]!r} at offset {i}")
    if line is not None:
        end_line()
    return out
