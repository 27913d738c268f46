"""Issue 15: on the service grid the first status line (the queue, or why the
service is closed) sits at the same height under one- and two-line names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.screens import ServiceTile
from tests.kiosk.conftest import MakeKiosk, staff_client, tap
from tests.kiosk.test_layout import SIZES
from tests.support import ServerThread


def _top(tile: ServiceTile, label: QLabel) -> int:
    return label.mapTo(tile, QPoint(0, 0)).y()


def _status_top(tile: ServiceTile) -> int:
    label = tile.waiting_label if tile.waiting_label.isVisible() else tile.reason_label
    assert label.isVisible()
    return _top(tile, label)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_status_lines_align_under_one_and_two_line_names(
        qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread,
        size: tuple[int, int]) -> None:
    staff_client(live_server).ok("service.update", service="C", open=False)
    window = make_kiosk(size=size)
    tap(qtbot, window.start_screen.take_button)
    tiles = window.services_screen.tiles
    qtbot.waitUntil(lambda: not tiles["C"].isEnabled())
    tiles["E"].name_label.setText("Informasi & Pengaduan")
    window.services_screen.layout().activate()
    qtbot.wait(50)
    assert tiles["E"].name_label.fontMetrics().horizontalAdvance(
        tiles["E"].name_label.text()) > tiles["E"].name_label.width()  # E's name wraps
    assert tiles["A"].name_label.fontMetrics().horizontalAdvance(
        tiles["A"].name_label.text()) <= tiles["A"].name_label.width()  # A's does not
    name = tiles["E"].name_label
    assert name.heightForWidth(name.width()) < 3 * name.fontMetrics().lineSpacing()  # two lines
    tops = {code: _status_top(tile) for code, tile in tiles.items()}
    # The same in every tile (rows may differ by the pixel the grid could not share).
    assert max(tops.values()) - min(tops.values()) <= 1, tops
    # A wordier status in one tile (it wraps): the others keep level with it.
    tiles["A"].eta_label.setText("Tunggu ± 108 menit sampai dipanggil di loket")
    window.services_screen.layout().activate()
    qtbot.wait(50)
    tops = {code: _status_top(tile) for code, tile in tiles.items()}
    assert max(tops.values()) - min(tops.values()) <= 1, tops
