"""Issue 15: the service name on the printed ticket is as wide as it is high
(double height at normal width looked stretched), read back from the ESC/POS bytes."""

from __future__ import annotations

import pytest

from antrean.core.model import Text
from kiosk.printing import TicketPrint, build_ticket_bytes
from tests.escpos_reader import read_escpos
from tests.kiosk.test_printing import OFFICE, URL, wire


@pytest.mark.parametrize("paper_mm", [80, 58])
@pytest.mark.parametrize("name", ["Paspor Baru", "Penggantian Paspor Hilang atau Rusak"])
def test_the_service_name_is_printed_as_wide_as_it_is_high(paper_mm: int, name: str) -> None:
    ticket = TicketPrint.from_wire(wire(), OFFICE, Text(name, name), URL, "id")
    out = read_escpos(build_ticket_bytes(ticket, paper_mm))
    lines = [line for line in out.lines if line.text and line.text in name]
    assert " ".join(line.text for line in lines) == name
    for line in lines:
        assert line.width == line.height == 2, line
        assert line.cells <= {80: 48, 58: 32}[paper_mm]  # it fits the paper
