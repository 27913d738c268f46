"""The kiosk's look at any screen size: one stylesheet computed from the window's size.

Sizes are designed for a 1080-pixel short side and scaled with the window, with floors
that keep the promises made to visitors whatever the screen: text on the service tiles
never under 28 px, touch targets never under 90 px (15 mm on a 1080p kiosk panel).
Colours come from the shared theme, whose pairs pass WCAG AA.
"""

from __future__ import annotations

from dataclasses import dataclass

from antrean.qt.theme import (
    AMBER,
    BLUE,
    DISABLED_BG,
    DISABLED_FG,
    FONT_FAMILY,
    GREEN,
    GREY,
    LIGHT,
    NAVY,
    PRIORITY,
    RED,
    WHITE,
)

MIN_TILE_TEXT_PX = 28
MIN_TOUCH_PX = 90
REFERENCE_SHORT_SIDE = 1080
UNAVAILABLE_BG = "#e9ecef"  # DISABLED_FG on it: 10:1; RED on it: 5.5:1
NOTICE_BG = "#fff3cd"  # NAVY on it: 14:1
BORDER = "#8a96a3"


@dataclass(frozen=True, slots=True)
class Metrics:
    """Pixel sizes for one window size."""

    scale: float
    portrait: bool

    @classmethod
    def for_size(cls, width: int, height: int) -> Metrics:
        short = max(1, min(width, height))
        scale = min(1.6, max(0.6, short / REFERENCE_SHORT_SIDE))
        return cls(round(scale, 3), height > width)

    def px(self, base: float, minimum: int = 18) -> int:
        return max(minimum, round(base * self.scale))

    def touch(self, base: float) -> int:
        return self.px(base, MIN_TOUCH_PX)


def stylesheet(m: Metrics) -> str:
    """The kiosk window's stylesheet; object names say which part of a screen is meant."""
    tile = MIN_TILE_TEXT_PX
    roomy = 1.15 if m.portrait else 1.0  # portrait tiles are tall: bigger words fill them
    return f"""
QWidget#kiosk {{ background: {LIGHT}; font-family: "{FONT_FAMILY}"; }}
QFrame#header {{ background: {NAVY}; }}
QLabel#headerName {{ color: {WHITE}; font-size: {m.px(32)}px; font-weight: bold; }}
QLabel#clockTime {{ color: {WHITE}; font-size: {m.px(40)}px; font-weight: bold; }}
QLabel#clockDate {{ color: {WHITE}; font-size: {m.px(24)}px; }}
QPushButton#languageButton {{
    background: {AMBER}; color: {NAVY}; font-size: {m.px(30)}px; border-radius: {m.px(12)}px;
    min-height: {m.touch(96)}px; min-width: {m.px(260)}px; padding: 0 {m.px(24)}px;
}}
QPushButton#languageButton:pressed {{ background: {WHITE}; }}
QLabel#banner {{
    background: {RED}; color: {WHITE}; font-size: {m.px(30)}px; font-weight: bold;
    padding: {m.px(12, 6)}px {m.px(16, 8)}px;
}}
QLabel#screenTitle {{ font-size: {m.px(50, 30)}px; font-weight: bold; color: {NAVY}; }}
QLabel#screenSubtitle {{ font-size: {m.px(36, 28)}px; font-weight: bold; color: {NAVY}; }}
QLabel#hint {{ font-size: {m.px(30, 24)}px; color: {GREY}; }}
QLabel#notice {{
    background: {NOTICE_BG}; color: {NAVY}; border: 3px solid {AMBER};
    border-radius: {m.px(12)}px; font-size: {m.px(32, 28)}px; font-weight: bold;
    padding: {m.px(16)}px {m.px(24)}px;
}}
QPushButton {{ font-size: {m.px(38, 28)}px; min-height: {m.touch(110)}px;
    border-radius: {m.px(16)}px; padding: 0 {m.px(40)}px; }}
QPushButton#backButton, QPushButton#continueButton, QPushButton#doneButton {{
    min-width: {m.px(260, 180)}px;
}}
QPushButton#backButton {{ background: {WHITE}; color: {NAVY}; border: 3px solid {NAVY}; }}
QPushButton#backButton:pressed {{ background: {LIGHT}; }}
QPushButton#continueButton, QPushButton#reprintButton {{ background: {GREEN}; }}
QPushButton#doneButton {{ background: {BLUE}; }}

QLabel#startWelcome {{ font-size: {m.px(40, 26)}px; color: {GREY}; }}
QLabel#startOffice {{ font-size: {m.px(60, 32)}px; font-weight: bold; color: {NAVY}; }}
QPushButton#takeNumber {{
    background: {BLUE}; border-radius: {m.px(28)}px; min-height: {m.touch(220)}px;
    min-width: {m.px(760)}px; padding: {m.px(20)}px {m.px(60)}px;
}}
QPushButton#takeNumber:pressed {{ background: {NAVY}; }}
QLabel#takeNumberMain {{ color: {WHITE}; font-size: {m.px(68, 40)}px; font-weight: bold; }}
QLabel#takeNumberOther {{ color: {WHITE}; font-size: {m.px(34, 28)}px; }}
QPushButton#takeNumber:disabled {{ background: {DISABLED_BG}; }}
QLabel#takeNumberMain:disabled, QLabel#takeNumberOther:disabled {{ color: {DISABLED_FG}; }}

QPushButton#serviceTile {{
    background: {WHITE}; border: 3px solid {BLUE}; border-radius: {m.px(20)}px;
    padding: {m.px(18)}px; min-height: {m.touch(150)}px;
}}
QPushButton#serviceTile:pressed {{ background: #dbe7fb; }}
QPushButton#serviceTile:disabled {{ background: {UNAVAILABLE_BG}; border: 3px dashed {BORDER}; }}
QLabel#tilePrefix {{
    background: {BLUE}; color: {WHITE}; font-size: {m.px(44, tile)}px; font-weight: bold;
    border-radius: {m.px(12)}px; min-width: {m.px(70, 44)}px; min-height: {m.px(70, 44)}px;
    max-width: {m.px(70, 44)}px; max-height: {m.px(70, 44)}px;
}}
QLabel#tilePrefix:disabled {{ background: {DISABLED_FG}; }}
QLabel#tileName {{ color: {NAVY}; font-size: {m.px(40 * roomy, tile)}px; font-weight: bold; }}
QLabel#tileName:disabled {{ color: {DISABLED_FG}; }}
QLabel#tileInfo {{ color: {NAVY}; font-size: {m.px(32 * roomy, tile)}px; }}
QLabel#tileTrial {{
    background: {AMBER}; color: {NAVY}; font-size: {m.px(26 * roomy, 18)}px; font-weight: bold;
    border-radius: {m.px(8)}px; padding: {m.px(2)}px {m.px(12)}px;
}}
QLabel#tileReason {{ color: {RED}; font-size: {m.px(34 * roomy, tile)}px; font-weight: bold; }}
QLabel#emptyGrid {{ font-size: {m.px(36, 28)}px; color: {GREY}; }}

QScrollArea {{ background: transparent; border: none; }}
QWidget#qt_scrollarea_viewport {{ background: transparent; }}
QFrame#checklist {{ background: {WHITE}; border-radius: {m.px(20)}px; }}
QLabel#checkMark {{ color: {GREEN}; font-size: {m.px(40 * roomy, 28)}px; font-weight: bold; }}
QLabel#checkItem {{ color: {NAVY}; font-size: {m.px(36 * roomy, 28)}px; }}

QLabel#question {{ font-size: {m.px(54, 32)}px; font-weight: bold; color: {NAVY}; }}
QPushButton#yesButton, QPushButton#noButton {{
    font-size: {m.px(64, 40)}px; min-height: {m.touch(260 if m.portrait else 200)}px;
    min-width: {m.px(380)}px;
    border-radius: {m.px(28)}px;
}}
QPushButton#yesButton {{ background: {PRIORITY}; }}
QPushButton#noButton {{ background: {BLUE}; }}
QPushButton#yesButton:pressed, QPushButton#noButton:pressed {{ background: {NAVY}; }}

QLabel#issuing {{ font-size: {m.px(52, 32)}px; font-weight: bold; color: {NAVY}; }}

QFrame#ticketCard {{ background: {WHITE}; border-radius: {m.px(24)}px; }}
QLabel#ticketTitle {{ font-size: {m.px(38, 28)}px; color: {GREY}; font-weight: bold; }}
QLabel#ticketNumber {{
    font-size: {m.px(260 if m.portrait else 200, 110)}px; font-weight: bold; color: {NAVY};
}}
QLabel#ticketService {{ font-size: {m.px(42, 28)}px; font-weight: bold; color: {NAVY}; }}
QLabel#ticketPriority {{
    background: {PRIORITY}; color: {WHITE}; font-size: {m.px(32, 26)}px; font-weight: bold;
    border-radius: {m.px(10)}px; padding: {m.px(6)}px {m.px(20)}px;
}}
QLabel#ticketFact {{ font-size: {m.px(36, 28)}px; color: {NAVY}; }}
QLabel#printStatus {{
    font-size: {m.px(36, 28)}px; font-weight: bold; border-radius: {m.px(12)}px;
    padding: {m.px(14)}px {m.px(20)}px;
}}
QLabel#printStatus {{ background: {WHITE}; border: 4px solid {NAVY}; color: {NAVY}; }}
QLabel#printStatus[state="printed"] {{ border-color: {GREEN}; color: {GREEN}; }}
QLabel#printStatus[state="manual"] {{ border-color: {AMBER}; background: {NOTICE_BG}; }}
QLabel#printStatus[state="fault"] {{ border-color: {RED}; color: {RED}; }}
QLabel#printAdvice {{ font-size: {m.px(32, 28)}px; color: {NAVY}; font-weight: bold; }}
"""
