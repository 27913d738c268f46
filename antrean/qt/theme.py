"""The look every app shares: high-contrast colours (WCAG AA on their
backgrounds), large type, and full-screen kiosk windows."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

# Colour pairs are chosen so text on background passes WCAG AA (>= 4.5:1).
NAVY = "#0b2545"  # backgrounds of headers, text on light
WHITE = "#ffffff"
LIGHT = "#f2f5f9"
BLUE = "#0a58ca"  # buttons, white text: 6.0:1
GREEN = "#146c43"  # white text: 6.4:1
AMBER = "#ffc107"  # highlight, navy text: 10:1
RED = "#b02a37"  # white text: 6.6:1
GREY = "#495057"  # secondary text on white: 8.6:1
DISABLED_BG = "#ced4da"
DISABLED_FG = "#343a40"  # on DISABLED_BG: 7.4:1
PRIORITY = "#6f42c1"  # white text: 6.5:1

FONT_FAMILY = "DejaVu Sans"

BASE_QSS = f"""
QWidget {{ font-family: "{FONT_FAMILY}"; color: {NAVY}; }}
QPushButton {{
    background: {BLUE}; color: {WHITE}; border: none; border-radius: 10px;
    padding: 8px 16px; font-weight: bold;
}}
QPushButton:pressed {{ background: {NAVY}; }}
QPushButton:disabled {{ background: {DISABLED_BG}; color: {DISABLED_FG}; }}
QLabel#banner {{ background: {RED}; color: {WHITE}; font-weight: bold; padding: 8px; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setFont(QFont(FONT_FAMILY, 12))
    app.setStyleSheet(BASE_QSS)


def side_by_side(area: QRect, index: int, count: int) -> QRect:
    """The `index`-th (from 1) of `count` places on `area`, none overlapping:
    the first (the demo's portrait kiosk) takes the left third, the others
    share the rest one above the other, the last (the counter console, which
    needs ~660 px of height) with a double share. Three equal columns cut the
    display and the console off on a 1920-pixel screen; a display reads well
    at 1280x346."""
    if count == 1:
        return QRect(area)
    left = area.width() // 3
    if index == 1:
        return QRect(area.x(), area.y(), left, area.height())
    shares = count  # one each for places 2 .. count-1, two for the last
    unit = area.height() // shares
    top = area.y() + (index - 2) * unit
    height = 2 * unit if index == count else unit
    if count == 2:
        top, height = area.y(), area.height()
    return QRect(area.x() + left, top, area.width() - left, height)


def show_window(window: QWidget, windowed: bool, size: tuple[int, int] = (1280, 800),
                tile: tuple[int, int] | None = None) -> None:
    """Full screen without window chrome (kiosk mode) unless `windowed`; a
    windowed one with `tile` takes its column of the screen it finds."""
    if windowed:
        window.resize(*size)
        screen = QGuiApplication.primaryScreen()
        if tile is not None and screen is not None:
            window.setGeometry(side_by_side(screen.availableGeometry(), *tile))
        window.show()
        return
    window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.geometry())
    window.showFullScreen()


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv or ["antrean"])
    apply_theme(app)
    return app
