"""The console's look: the shared colours, sized for a desk screen read all day."""

from __future__ import annotations

from antrean.qt.theme import (
    AMBER,
    BLUE,
    DISABLED_BG,
    DISABLED_FG,
    GREEN,
    GREY,
    LIGHT,
    NAVY,
    PRIORITY,
    RED,
    WHITE,
)

STATE_COLOURS = {"open": GREEN, "paused": AMBER, "closed": GREY}
STATE_TEXT_COLOURS = {"open": WHITE, "paused": NAVY, "closed": WHITE}

CONSOLE_QSS = f"""
QWidget#console {{ background: {LIGHT}; }}
QFrame#header {{ background: {NAVY}; }}
QFrame#header QLabel {{ color: {WHITE}; }}
QLabel#headerTitle {{ font-size: 20px; font-weight: bold; }}
QLabel#headerStaff {{ font-size: 15px; }}
QLabel#connection {{ font-size: 14px; padding: 4px 10px; border-radius: 8px; }}
QFrame#header QPushButton {{
    background: {WHITE}; color: {NAVY}; min-height: 34px; padding: 4px 14px;
}}
QFrame#header QPushButton:pressed {{ background: {DISABLED_BG}; }}
QLabel#banner {{ background: {RED}; color: {WHITE}; font-weight: bold; padding: 8px;
    font-size: 16px; }}
QLabel#messageIdle {{ padding: 8px 12px; font-size: 15px; font-weight: bold; }}
QLabel#messageError {{ background: {RED}; color: {WHITE}; padding: 8px 12px; font-size: 15px;
    font-weight: bold; }}
QLabel#messageInfo {{ background: {GREEN}; color: {WHITE}; padding: 8px 12px; font-size: 15px;
    font-weight: bold; }}
QLabel#messagePending {{ background: {AMBER}; color: {NAVY}; padding: 8px 12px;
    font-size: 15px; font-weight: bold; }}
QFrame#card {{ background: {WHITE}; border: 1px solid {DISABLED_BG}; border-radius: 12px; }}
QLabel#cardTitle {{ font-size: 15px; font-weight: bold; color: {GREY}; }}
QLabel#ticketNumber {{ font-size: 110px; font-weight: bold; color: {NAVY}; }}
QLabel#ticketService {{ font-size: 20px; }}
QLabel#ticketStatus {{ font-size: 20px; font-weight: bold; }}
QLabel#ticketClock {{ font-size: 40px; font-weight: bold; color: {NAVY}; }}
QLabel#ticketDetail {{ font-size: 15px; color: {GREY}; }}
QLabel#ticketStep {{ font-size: 18px; font-weight: bold; color: {NAVY}; }}
QLabel#priorityBadge {{ background: {PRIORITY}; color: {WHITE}; font-weight: bold;
    padding: 4px 10px; border-radius: 8px; font-size: 15px; }}
QLabel#stateBadge {{ font-weight: bold; padding: 4px 12px; border-radius: 8px;
    font-size: 16px; }}
QLabel#serviceBadge {{ font-weight: bold; padding: 3px 10px; border-radius: 8px;
    font-size: 14px; }}
QPushButton#compact {{ min-height: 30px; padding: 4px 12px; font-size: 14px; }}
QLabel#hint {{ color: {GREY}; font-size: 14px; }}
QLabel#bigFigure {{ font-size: 28px; font-weight: bold; color: {NAVY}; }}
QLabel#figureLabel {{ font-size: 14px; color: {GREY}; }}
QLabel#waitingCount {{ font-size: 22px; font-weight: bold; }}
QLabel#waitingLongest {{ font-size: 16px; }}
QLabel#nextRegular {{ font-size: 18px; font-weight: bold; padding: 4px 8px;
    background: {LIGHT}; border-radius: 6px; }}
QLabel#nextPriority {{ font-size: 18px; font-weight: bold; padding: 4px 8px;
    background: {PRIORITY}; color: {WHITE}; border-radius: 6px; }}
QPushButton#action {{ font-size: 16px; min-height: 64px; padding: 6px 8px; }}
QPushButton#actionDone {{ font-size: 16px; min-height: 64px; padding: 6px 8px;
    background: {GREEN}; }}
QPushButton#actionWarn {{ font-size: 16px; min-height: 64px; padding: 6px 8px;
    background: {RED}; }}
QPushButton#action:disabled, QPushButton#actionDone:disabled, QPushButton#actionWarn:disabled {{
    background: {DISABLED_BG}; color: {DISABLED_FG};
}}
QPushButton {{ min-height: 36px; font-size: 14px; }}
QCheckBox {{ font-size: 15px; spacing: 8px; }}
QCheckBox::indicator {{ width: 22px; height: 22px; }}
QLineEdit, QSpinBox {{ font-size: 16px; min-height: 34px; padding: 2px 6px; }}
QTabBar::tab {{ font-size: 16px; font-weight: bold; padding: 8px 26px; border: none;
    background: {DISABLED_BG}; color: {NAVY}; margin-right: 4px; }}
QTabBar::tab:selected {{ background: {BLUE}; color: {WHITE}; }}
QTableWidget {{ font-size: 15px; background: {WHITE}; gridline-color: {DISABLED_BG}; }}
QHeaderView::section {{ background: {NAVY}; color: {WHITE}; font-weight: bold;
    padding: 6px; border: none; font-size: 14px; }}
QLabel#loginTitle {{ font-size: 28px; font-weight: bold; }}
QLabel#loginSubtitle {{ font-size: 18px; color: {GREY}; }}
QLabel#fieldLabel {{ font-size: 15px; font-weight: bold; }}
QLabel#loginError {{ color: {RED}; font-size: 16px; font-weight: bold; }}
"""


def state_badge_qss(state: str) -> str:
    return (
        f"background: {STATE_COLOURS.get(state, GREY)};"
        f" color: {STATE_TEXT_COLOURS.get(state, WHITE)};"
    )
