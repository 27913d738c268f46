"""What a person sees: at every supported screen size and in both languages no text is
cut off and nothing hangs out of the window; touch targets are at least 90 px; tile text
at least 28 px; colours pass WCAG AA; every word on screen comes from the catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from antrean.i18n import CATALOGUE
from antrean.qt import theme
from kiosk import style
from kiosk.window import KioskWindow
from tests.kiosk.conftest import MakeKiosk, staff_client, tap
from tests.kiosk.fake_printer import FakeNetworkPrinter
from tests.kiosk.layout_check import clipped_text
from tests.kiosk.test_path import walk_to_priority
from tests.support import ServerThread, WireClient

SIZES = [(1920, 1080), (1024, 768), (1080, 1920)]


def busy_office(server: ServerThread) -> None:
    """Long queues (three-digit waits), one service closed, one out of quota."""
    kiosk = WireClient(server.url, "kiosk", "kiosk-busy")
    for _ in range(9):
        kiosk.ok("ticket.issue", service="A")
    kiosk.ok("ticket.issue", service="D")
    supervisor = staff_client(server)
    supervisor.ok("service.update", service="C", open=False)
    supervisor.ok("service.update", service="D", quota=1)


def every_screen(qtbot: QtBot, window: KioskWindow, server: ServerThread) -> Iterator[str]:
    """Walks the kiosk through each screen and state, yielding the state's name."""
    yield "start"
    tap(qtbot, window.start_screen.take_button)
    yield "services"
    for code in ("A", "B", "E"):
        tap(qtbot, window.services_screen.tiles[code])
        yield f"requirements {code}"
        tap(qtbot, window.requirements_screen.back_button)
    tap(qtbot, window.services_screen.back_button)
    walk_to_priority(qtbot, window, "B")
    yield "priority"
    staff_client(server).ok("service.update", service="B", open=False)
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.services_screen.notice_label.isVisible())
    yield "services with a refusal"
    staff_client(server).ok("service.update", service="B", open=True)
    qtbot.waitUntil(lambda: window.services_screen.tiles["B"].isEnabled())
    tap(qtbot, window.services_screen.tiles["A"])
    tap(qtbot, window.requirements_screen.continue_button)
    tap(qtbot, window.priority_screen.yes_button)
    qtbot.waitUntil(lambda: window.ticket_screen.reprint_button.isVisible(), timeout=5000)
    yield "ticket with a printer fault"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_nothing_is_cut_off(
    qtbot: QtBot,
    make_kiosk: MakeKiosk,
    live_server: ServerThread,
    fake_printer: FakeNetworkPrinter,
    size: tuple[int, int],
    lang: str,
) -> None:
    busy_office(live_server)
    fake_printer.unplug()
    window = make_kiosk(printer=fake_printer.uri, size=size, lang=lang)
    assert window.size().toTuple() == size
    for state in every_screen(qtbot, window, live_server):
        assert clipped_text(window) == [], state
        assert untranslated(window) == [], state


@pytest.mark.parametrize("lang", ["id", "en"])
def test_nothing_is_cut_off_under_the_offline_banner_on_the_smallest_screen(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread, lang: str
) -> None:
    busy_office(live_server)
    window = make_kiosk(printer=None, size=(1024, 768), lang=lang)
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.yes_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert clipped_text(window) == []
    tap(qtbot, window.ticket_screen.done_button)
    tap(qtbot, window.start_screen.take_button)
    assert clipped_text(window) == []


def untranslated(window: KioskWindow) -> list[str]:
    """Visible texts that are a catalogue key (a missing entry shows its key), or, on an
    English screen, Indonesian-only catalogue text (the small "other language" line under
    the start button is the one intended exception)."""
    indonesian_only = {id_ for id_, en in CATALOGUE.values() if id_ != en}
    english = window.lang == "en"
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton) or not widget.isVisibleTo(window):
            continue
        text = widget.text()
        if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", text):
            found.append(text)
        if english and text in indonesian_only and widget is not window.start_screen.take_other:
            found.append(text)
    return found


@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768)], ids=["1080p", "1024x768"])
def test_touch_targets_and_tile_text_are_big_enough(
    qtbot: QtBot, make_kiosk: MakeKiosk, size: tuple[int, int]
) -> None:
    window = make_kiosk(size=size)
    seen: list[QWidget] = []
    for screen in ("start", "services", "requirements", "priority"):
        if screen == "services":
            tap(qtbot, window.start_screen.take_button)
        elif screen == "requirements":
            tap(qtbot, window.services_screen.tiles["A"])
        elif screen == "priority":
            tap(qtbot, window.requirements_screen.continue_button)
        buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisibleTo(window)]
        assert buttons, screen
        for button in buttons:
            assert min(button.width(), button.height()) >= style.MIN_TOUCH_PX, (
                screen, button.objectName(), button.size().toTuple())
        seen += buttons
        if screen == "services":
            for tile in window.services_screen.tiles.values():
                for label in tile.findChildren(QLabel):
                    if label.isVisibleTo(window):
                        assert label.fontInfo().pixelSize() >= style.MIN_TILE_TEXT_PX, (
                            label.text(), label.fontInfo().pixelSize())
    assert {b.objectName() for b in seen} >= {
        "takeNumber", "languageButton", "serviceTile", "backButton", "continueButton",
        "yesButton", "noButton",
    }


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        (theme.NAVY, theme.LIGHT), (theme.GREY, theme.LIGHT), (theme.WHITE, theme.NAVY),
        (theme.NAVY, theme.AMBER), (theme.WHITE, theme.RED), (theme.WHITE, theme.BLUE),
        (theme.WHITE, theme.GREEN), (theme.WHITE, theme.PRIORITY), (theme.NAVY, theme.WHITE),
        (theme.DISABLED_FG, style.UNAVAILABLE_BG), (theme.RED, style.UNAVAILABLE_BG),
        (theme.NAVY, style.NOTICE_BG), (theme.GREEN, theme.WHITE), (theme.RED, theme.WHITE),
        (theme.GREY, theme.WHITE),
    ],
)
def test_text_colours_pass_wcag_aa(foreground: str, background: str) -> None:
    """Every text colour on the background the kiosk's stylesheet puts it on."""
    assert contrast(foreground, background) >= 4.5
