"""What a person sees: contrast, sizes, nothing cut off or overlapping at
the TV sizes the issue names, and every text from the catalogue."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from antrean.i18n import CATALOGUE
from display.header import initials
from display.look import CONTRAST_PAIRS, FittedLabel, bilingual
from display.window import DisplayWindow
from tests.display.fakes import DisplayFactory, make_voice
from tests.display.scenes import NOTICE, busy_morning
from tests.support import ServerThread

SIZES = ((1366, 768), (1920, 1080), (3840, 2160))
DISPLAY_SOURCES = sorted((Path(__file__).resolve().parents[2] / "display").glob("*.py"))


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio."""

    def luminance(colour: str) -> float:
        channels = [QColor(colour).redF(), QColor(colour).greenF(), QColor(colour).blueF()]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_colour_pair_passes_wcag_aa() -> None:
    for foreground, background in CONTRAST_PAIRS:
        assert contrast(foreground, background) >= 4.5, (foreground, background)


def test_every_catalogue_key_the_display_uses_exists() -> None:
    used: set[str] = set()
    for source in DISPLAY_SOURCES:
        used |= set(re.findall(r"\"((?:display|voice)\.[a-z_]+(?:\.[a-z_0-9]+)*)\"",
                               source.read_text()))
    used |= {f"display.weekday.{n}" for n in range(1, 8)}
    used |= {f"display.month.{n}" for n in range(1, 13)}
    used |= {f"voice.status.{s}" for s in ("silent", "chime_only")}
    assert "display.now_calling" in used
    missing = sorted(key for key in used if key not in CATALOGUE)
    assert missing == []
    for key in used:
        indonesian, english = CATALOGUE[key]
        assert indonesian.strip() and english.strip(), key


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _settle(qtbot: QtBot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(30)


def check_layout(window: DisplayWindow) -> None:
    """No text cut off, nothing outside the window, no two texts overlapping,
    no catalogue key showing instead of its text."""
    labels = [
        label for label in window.findChildren(QLabel)
        if label.isVisible() and label.text() and label.width() > 0
    ]
    assert len(labels) > 20
    bounds = window.rect()
    rects = []
    for label in labels:
        rect = _rect(label, window)
        text = label.text()
        assert bounds.contains(rect), (text, rect, bounds)
        assert not re.search(r"\b(display|voice)\.[a-z_]+", text), text
        if isinstance(label, FittedLabel):
            assert label.fits(), (text, label.width())
        assert label.height() >= label.fontMetrics().height() - 1, text
        rects.append((text, rect))
    ticker = _rect(window.ticker, window)
    assert bounds.contains(ticker)
    for index, (text, rect) in enumerate(rects):
        assert not rect.intersects(ticker), text
        for other_text, other in rects[index + 1 :]:
            assert not rect.intersects(other), (text, other_text)
    assert window.now_calling.number_cap_height() >= 0.10 * window.height()


def test_busy_screen_fits_at_every_tv_size(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice(output=False)  # the "no audio device" note shows too
    screen = make_display(voice=voice)
    window = screen.window
    called = busy_morning(live_server.url)
    qtbot.waitUntil(lambda: window.now_calling.number_text() == called[-1])
    qtbot.waitUntil(window.header.note.isVisible)
    assert [n for n, _ in window.shown_calls()] == called[::-1][: 1 + len(window.recent.rows)]
    screen.link.stop()
    qtbot.waitUntil(window.banner.isVisible)
    for size in SIZES:
        window.resize(*size)
        _settle(qtbot)
        assert (window.width(), window.height()) == size
        check_layout(window)


def test_media_area_and_english_date_fit_too(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory, tmp_path: Path
) -> None:
    poster = QImage(1200, 800, QImage.Format.Format_RGB32)
    poster.fill(QColor("#2a9d8f"))
    assert poster.save(str(tmp_path / "poster.png"))
    window = make_display(media_dir=tmp_path, lang="en").window
    assert window.media is not None and window.media.isVisible()
    busy_morning(live_server.url, announce=False)
    qtbot.waitUntil(lambda: len(window.shown_calls()) == 7)
    weekday = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%A")
    assert window.header.date.text().startswith(weekday)
    assert ":" in window.header.time.text()
    for size in SIZES:
        window.resize(*size)
        _settle(qtbot)
        check_layout(window)
        picture = window.media.findChild(QLabel)
        assert picture is not None and not picture.pixmap().isNull()
        assert _rect(picture, window).intersects(_rect(window.media, window))


def test_the_indonesian_date_and_clock_use_the_office_time_zone(
    live_server: ServerThread, make_display: DisplayFactory
) -> None:
    window = make_display().window
    moment = datetime(2025, 8, 17, 3, 5, tzinfo=ZoneInfo("UTC"))  # 10.05 in Jakarta
    window.header.tick(moment)
    assert window.header.date.text() == "Minggu, 17 Agustus 2025"
    assert window.header.time.text() == "10.05 WIB"


def test_the_ticker_carries_the_supervisors_words_in_both_languages(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    window = make_display().window
    busy_morning(live_server.url)
    qtbot.waitUntil(lambda: window.ticker.messages()[:2] == [NOTICE["id"], NOTICE["en"]])
    assert NOTICE["id"] in window.ticker.text()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Kantor Imigrasi Kelas II Demo", "KI"), ("imigrasi", "I"), ("", ""), ("3 Loket", "L")],
)
def test_the_emblem_uses_the_office_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_labels_are_bilingual() -> None:
    assert bilingual("display.now_calling") == "Nomor Antrean / Now calling"
