"""Issue 15: after the first call the "Last calls" list is not left empty (it
reads as broken): a quiet line says there are no other calls yet. The window
is called "Antrean — Layar"."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.display.fakes import DisplayFactory
from tests.display.test_window import counter_at, issue
from tests.support import ServerThread


def test_the_first_call_leaves_a_quiet_line_in_last_calls(
        qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory) -> None:
    window = make_display().window
    assert window.windowTitle() == "Antrean — Layar"
    recent = window.recent
    assert not recent.note.isVisible()  # nothing called yet: the big panel says so
    issue(live_server, "A", "A")
    counter = counter_at(live_server, "2", ["A"])
    first = counter.ok("ticket.call_next", counter="2")["ticket"]
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    assert recent.note.isVisible()
    assert recent.note.text() == "Belum ada panggilan lain / No other calls yet"
    assert recent.shown() == []
    counter.ok("ticket.complete", ticket=first["id"])
    counter.ok("ticket.call_next", counter="2")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A002")
    assert not recent.note.isVisible()
    assert recent.shown() == [("A001", "Loket 2")]
    assert all(row.isVisible() for row in recent.rows)
