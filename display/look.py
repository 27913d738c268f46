"""How the waiting-room screen looks: colours, type scale and the label that
never cuts its text off.

A TV is read from across a hall, so every size is a fraction of the screen
height (set again on each resize), every colour pair passes WCAG AA with room
to spare (tests/display/test_look.py measures them), and text that would not
fit its box is set smaller instead of being clipped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from antrean.i18n import tr
from antrean.qt.theme import AMBER, FONT_FAMILY, LIGHT, NAVY, RED, WHITE

BACKGROUND = NAVY
PANEL = "#13315c"  # white text 12.9:1, amber text 7.9:1
ROW_ALT = "#1b3a66"  # white text 11.4:1
SECONDARY = "#c9d6e8"  # on PANEL 9.1:1, on ROW_ALT 7.7:1
HIGHLIGHT = AMBER  # navy text 9.4:1
HIGHLIGHT_TEXT = NAVY
TICKER_BG = LIGHT  # navy text 14.1:1
BANNER_BG = RED  # white text 6.5:1

# (foreground, background) pairs the screen uses; the test checks each one.
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    (WHITE, BACKGROUND),
    (WHITE, PANEL),
    (WHITE, ROW_ALT),
    (SECONDARY, BACKGROUND),
    (SECONDARY, PANEL),
    (SECONDARY, ROW_ALT),
    (HIGHLIGHT, PANEL),
    (HIGHLIGHT, BACKGROUND),
    (HIGHLIGHT_TEXT, HIGHLIGHT),
    (NAVY, TICKER_BG),
    (WHITE, BANNER_BG),
)

STYLE_SHEET = f"""
#displayRoot {{ background: {BACKGROUND}; }}
#displayRoot QLabel {{ color: {WHITE}; background: transparent; }}
#displayRoot QLabel[tone="secondary"] {{ color: {SECONDARY}; }}
#displayRoot QLabel[tone="accent"] {{ color: {HIGHLIGHT}; }}
#nowCalling, #recentCalls, #serviceTile, #mediaArea {{
    background: {PANEL}; border-radius: 12px;
}}
#nowCalling[highlighted="true"] {{ background: {HIGHLIGHT}; }}
#nowCalling[highlighted="true"] QLabel {{ color: {HIGHLIGHT_TEXT}; }}
#recentRow {{ background: transparent; border-radius: 8px; }}
#recentRow[alternate="true"][filled="true"] {{ background: {ROW_ALT}; }}
#serviceBadge {{
    background: {HIGHLIGHT}; border-radius: 8px;
}}
#displayRoot #serviceBadge QLabel {{ color: {HIGHLIGHT_TEXT}; }}
#connectionBanner {{ background: {BANNER_BG}; }}
#connectionBanner QLabel {{ color: {WHITE}; }}
"""


def bilingual(key: str, **params: object) -> str:
    """Indonesian and English side by side, so every visitor reads the label."""
    return tr("display.pair", first=tr(key, "id", **params), second=tr(key, "en", **params))


MIN_SCALE = 0.5


def fit_column(available: int, needed: Callable[[], int], apply: Callable[[float], None]) -> float:
    """Type sized from the screen height, unless the panel got less room than
    that (the banner is up, a 4:3 screen): then smaller type, never lines
    drawn over each other. `apply(scale)` sets the sizes, `needed()` says
    how tall they make the panel. Returns the scale used."""
    scale = 1.0
    apply(scale)
    for _ in range(3):
        total = needed()
        if total <= available or available <= 0 or scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale * available / total * 0.98)
        apply(scale)
    return scale


class FittedPanel(QFrame):
    """A panel whose type is sized from the screen height and shrunk to the
    room it actually got (see `fit_column`). A panel says how tall its lines
    make it (`_needed_height`) and how to size them (`_apply_scale`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screen_height = 0

    def rescale(self, height: int) -> None:
        self._screen_height = height
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        if self._screen_height:
            fit_column(self.contentsRect().height(), self._needed_height, self._apply_scale)

    def _needed_height(self) -> int:
        raise NotImplementedError

    def _apply_scale(self, scale: float) -> None:
        raise NotImplementedError


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    for child in widget.findChildren(QWidget):
        style.unpolish(child)
        style.polish(child)
    widget.update()


class FitGroup:
    """Labels that share one size: the largest at which every one of them
    fits, so five service names side by side do not each get their own."""

    def __init__(self) -> None:
        self.labels: list[FittedLabel] = []

    def add(self, label: FittedLabel) -> None:
        self.labels.append(label)
        label.group = self

    def remove(self, label: FittedLabel) -> None:
        if label in self.labels:
            self.labels.remove(label)
            label.group = None

    def apply(self) -> None:
        live = [label for label in self.labels if label.text()]
        size = min((label.natural_pixel_size() for label in live), default=0)
        for label in self.labels:
            label.use_pixel_size(size or label.natural_pixel_size())


class FittedLabel(QLabel):
    """One line of text at a given size, set smaller when the text would not
    fit the width it was given (a long service name on a 1366-pixel TV)."""

    def __init__(
        self,
        text: str = "",
        *,
        bold: bool = False,
        tone: str = "",
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        group: FitGroup | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(text, parent)
        self._bold = bold
        self._max_px = 16
        self._min_px = 8
        self._natural_px = 16
        self.group: FitGroup | None = None
        if group is not None:
            group.add(self)
        if tone:
            self.setProperty("tone", tone)
        self.setAlignment(align)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(1)
        self._fit()

    def set_pixel_size(self, max_px: int, min_px: int | None = None) -> None:
        """The size to use when the text fits; never smaller than `min_px`."""
        self._max_px = max(6, max_px)
        self._min_px = max(6, min(self._max_px, min_px if min_px is not None else max_px // 2))
        self._fit()

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            self._fit()

    def fits(self) -> bool:
        """Whether the whole text is drawn inside the label (tests ask)."""
        advance = QFontMetrics(self.font()).horizontalAdvance(self.text())
        return advance <= self.contentsRect().width()

    def natural_pixel_size(self) -> int:
        """The largest size (up to the maximum) at which this text fits alone."""
        return self._natural_px

    def use_pixel_size(self, pixel_size: int) -> None:
        font = self._font(max(self._min_px, min(self._max_px, pixel_size)))
        if font != self.font():
            self.setFont(font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _font(self, pixel_size: int) -> QFont:
        font = QFont(FONT_FAMILY)
        font.setBold(self._bold)
        font.setPixelSize(pixel_size)
        return font

    def _fit(self) -> None:
        pixel_size = self._max_px
        available = self.contentsRect().width()
        text = self.text()
        if available > 1 and text:
            advance = QFontMetrics(self._font(pixel_size)).horizontalAdvance(text)
            if advance > available:
                pixel_size = max(self._min_px, int(pixel_size * available / advance))
                while (
                    pixel_size > self._min_px
                    and QFontMetrics(self._font(pixel_size)).horizontalAdvance(text) > available
                ):
                    pixel_size -= 1
        self._natural_px = pixel_size
        if self.group is not None:
            self.group.apply()
        else:
            self.use_pixel_size(pixel_size)
        # The row keeps the height of the full size, so a shrunk text does not
        # make the rows below jump.
        height = QFontMetrics(self._font(self._max_px)).height()
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)
