"""Issue 15: how a front end runs as a process — its name and title, its place
on the screen in the demo, the multimedia backend's noise kept out of the log,
and a signal turned into a clean stop inside the Qt event loop."""

from __future__ import annotations

import logging
import os
import signal

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from antrean.cli import parse_args
from antrean.qt.process import SignalStop, is_backend_noise, start_application
from antrean.qt.theme import show_window, side_by_side


def test_side_by_side_gives_the_kiosk_a_column_and_stacks_the_others() -> None:
    area = QRect(0, 40, 1920, 1040)
    assert [side_by_side(area, i, 3) for i in (1, 2, 3)] == [
        QRect(0, 40, 640, 1040), QRect(640, 40, 1280, 346), QRect(640, 386, 1280, 692)]
    assert side_by_side(area, 2, 2) == QRect(640, 40, 1280, 1040)
    assert side_by_side(area, 1, 1) == area
    places = [side_by_side(area, i, 4) for i in (1, 2, 3, 4)]
    assert all(area.contains(place) for place in places)
    assert not any(a.intersects(b) for i, a in enumerate(places) for b in places[i + 1:])


def test_a_tiled_window_takes_its_column_of_the_screen_it_finds(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    show_window(window, True, (400, 300), tile=(2, 2))
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    assert window.geometry() == side_by_side(screen.availableGeometry(), 2, 2)


def test_the_tile_flag_is_checked() -> None:
    assert parse_args(["kiosk", "--token", "t", "--tile", "1/3"]).tile == (1, 3)
    for wrong in ("0/3", "4/3", "x"):
        try:
            parse_args(["kiosk", "--token", "t", "--tile", wrong])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(wrong)


def test_the_application_is_named_not_main_py(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.applicationName()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert start_application("antrean-kiosk") is app
        assert app.applicationName() == "antrean-kiosk"
        assert root.level == logging.INFO
    finally:
        app.setApplicationName(before)
        root.handlers[:] = handlers
        root.setLevel(level)


def test_multimedia_backend_probing_is_noise_and_the_rule_is_set() -> None:
    assert is_backend_noise("qt.multimedia.symbolsresolver", "Couldn't load pipewire-0.3 library")
    assert is_backend_noise("default", "PulseAudioService: pa_context_connect() failed")
    assert not is_backend_noise("qt.qpa.xcb", "could not connect to display")
    assert "qt.multimedia.*=false" in os.environ["QT_LOGGING_RULES"]


def test_a_signal_stops_the_event_loop_from_inside_it(qtbot: QtBot) -> None:
    stopped: list[bool] = []
    stopper = SignalStop(lambda: stopped.append(True))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: stopped == [True], timeout=2000)
        assert stopper.received == [signal.SIGTERM]
    finally:
        stopper.close()
    assert signal.getsignal(signal.SIGTERM) is not stopper._on_signal
