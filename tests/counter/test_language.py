"""Every text on the console comes from the catalogue, in both languages, and
the language switch changes all of it at once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QSpinBox, QTableWidget, QTabWidget
from pytestqt.qtbot import QtBot

from antrean.i18n import CATALOGUE
from counter.window import CounterWindow
from tests.counter.console_driver import Console, log_in, open_desk
from tests.support import ServerThread, WireClient

KEY_LIKE = re.compile(r"\b(counter|supervisor|common|status|error|counter_state)\.[a-z_.]+\b")
_INDONESIAN = {id_ for id_, _en in CATALOGUE.values()}
_ENGLISH = {en for _id, en in CATALOGUE.values()}
ENGLISH_ONLY = _ENGLISH - _INDONESIAN
INDONESIAN_ONLY = _INDONESIAN - _ENGLISH


def shown_texts(window: CounterWindow) -> list[str]:
    """Every text a person could read on the console, hidden tabs included."""
    texts: list[str] = []
    for label in window.findChildren(QLabel):
        texts.append(label.text())
    for button in window.findChildren(QAbstractButton):
        texts.append(button.text())
    for spin in window.findChildren(QSpinBox):
        texts.append(spin.text())
    for tabs in window.findChildren(QTabWidget):
        texts.extend(tabs.tabText(i) for i in range(tabs.count()))
    for table in window.findChildren(QTableWidget):
        for column in range(table.columnCount()):
            header = table.horizontalHeaderItem(column)
            texts.append(header.text() if header else "")
            for row in range(table.rowCount()):
                item = table.item(row, column)
                texts.append(item.text() if item else "")
    return [t for t in texts if t]


def assert_clean(window: CounterWindow, lang: str) -> None:
    texts = shown_texts(window)
    keys = [t for t in texts if KEY_LIKE.search(t)]
    assert keys == [], f"catalogue keys on screen: {keys}"
    foreign = ENGLISH_ONLY if lang == "id" else INDONESIAN_ONLY
    # Words shared by both languages ("PIN", "Supervisor") are not in `foreign`.
    leftovers = [t for t in texts if t in foreign]
    assert leftovers == [], f"{lang} screen shows the other language: {leftovers}"


def test_every_screen_in_both_languages(qtbot: QtBot, console: Console,
                                        live_server: ServerThread) -> None:
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A", priority="priority")
    kiosk.ok("device.status", status="no_paper", detail="sensor")
    window = console("1", supervisor_token="demo-supervisor")
    for lang in ("en", "id"):
        qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
        assert window.lang == lang
        assert_clean(window, lang)
    open_desk(qtbot, window)
    qtbot.waitUntil(lambda: window.supervisor is not None and window.supervisor.ready)
    qtbot.mouseClick(window.desk.buttons[next(iter(window.desk.buttons))],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.desk.ticket_number.text() == "A001" and not window.desk.busy)
    for lang in ("en", "id"):
        qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
        assert_clean(window, lang)
    assert window.language_button.text() == "English"
    assert window.desk.priority_badge.text() == "Prioritas"
    qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
    assert window.language_button.text() == "Bahasa Indonesia"
    assert window.desk.ticket_status.text() == "Status: Called"
    assert window.tabs.tabText(0) == "Counter"
    assert window.desk.buttons[next(iter(window.desk.buttons))].text() == "F1\nCall next"
    kiosk.close()


def test_starting_language_comes_from_the_command_line(qtbot: QtBot, console: Console) -> None:
    window = console("4", lang="en")
    assert window.login_view.title.text() == "Staff login"
    assert window.windowTitle() == "Antrean — Counter 4"
    log_in(qtbot, window)
    assert window.desk.state_badge.text() == "Closed"


def _tr_keys(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _tr_keys(node.body) + _tr_keys(node.orelse)
    return []  # built keys (f-strings) are checked on screen above


def test_every_key_the_console_asks_for_exists() -> None:
    source = Path(__file__).resolve().parents[2] / "counter"
    missing = []
    for path in sorted(source.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "tr" and node.args):
                missing += [f"{path.name}: {key}" for key in _tr_keys(node.args[0])
                            if key not in CATALOGUE]
    assert missing == []
