"""Today's figures live in the supervisor tab: a real server, a kiosk and a
counter working, and the tab counting what it receives (served, no-shows,
wait p50/p90 per service, the ETA honesty, today's IKM)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.supervisor_view import SupervisorView
from tests.counter.console_driver import Console
from tests.counter.test_supervisor import supervisor_console, table_text
from tests.support import ServerThread, WireClient, open_counter

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "reports"


def _figures(view: SupervisorView) -> list[list[str]]:
    view.tick()
    return table_text(view, "figures_table")


def test_the_tab_counts_the_day_as_it_happens(qtbot: QtBot, console: Console,
                                               live_server: ServerThread) -> None:
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    waiting_before = kiosk.ok("ticket.issue", service="B")["ticket"]  # open when the tab opens
    window, view = supervisor_console(qtbot, console)
    window.tabs.setCurrentIndex(1)
    assert "belum ada tiket yang dilayani" in (view.tick() or view.figures_summary.text())
    desk = WireClient(live_server.url, "counter", "counter-2")
    open_counter(desk, "2", ["A", "B"])
    tickets = [kiosk.ok("ticket.issue", service="A")["ticket"] for _ in range(3)]
    assert desk.ok("ticket.call_next", counter="2")["ticket"]["id"] == waiting_before["id"]
    desk.ok("ticket.complete", ticket=waiting_before["id"])
    for ticket in tickets[:2]:
        assert desk.ok("ticket.call_next", counter="2")["ticket"]["id"] == ticket["id"]
        desk.ok("ticket.start", ticket=ticket["id"])
        desk.ok("ticket.complete", ticket=ticket["id"])
    desk.ok("ticket.call_next", counter="2")
    desk.ok("ticket.no_show", ticket=tickets[2]["id"])
    qtbot.waitUntil(lambda: [row[:3] for row in _figures(view)] == [
        ["A · Paspor Baru", "2", "1"], ["B · Penggantian Paspor", "1", "0"]], timeout=5000)
    rows = _figures(view)
    # Waits of a few milliseconds: shown as minutes with the decimal comma.
    assert all(cell.startswith("0,") for row in rows for cell in row[3:])
    summary = view.figures_summary.text()
    # The B ticket was issued before the tab opened: it saw no estimate for it.
    # The A tickets' estimates (the service's minutes) were far above a wait of
    # milliseconds: none within 25 %.
    assert "Perkiraan waktu tepat (±25 %): 0,0 % dari 2 tiket yang dilayani" in summary
    assert "Tiket yang diketahui konsol ini sejak" in summary
    assert "IKM hari ini: belum ada jawaban survei" in summary

    # A survey response as the visitor pages' event carries it.
    view.link.message_received.emit({"type": "event", "seq": 10**6, "name": "survey.submitted",
                                     "at": "2026-11-02T10:00:00+07:00", "data": {"survey": {
                                         "answers": {f"u{k}": 3 for k in range(1, 10)}}}})
    view.tick()
    assert "IKM hari ini: 75,00 – C (Kurang Baik); responden: 1" in view.figures_summary.text()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)  # the layout takes the table's new height
    window.grab().save(str(SCREENSHOTS / "supervisor-figures-id.png"))
    window.set_language("en")  # every line at once, not at the next tick
    assert "Today's IKM: 75.00 – C (Poor); respondents: 1" in view.figures_summary.text()
    qtbot.wait(50)
    assert [row[0] for row in table_text(view, "figures_table")] == [
        "A · New Passport", "B · Passport Replacement"]
    assert view.figures_table.horizontalHeaderItem(3).text() == "Wait p50 (min)"
    assert "Today's IKM: 75.00 – C (Poor); respondents: 1" in view.figures_summary.text()
    window.grab().save(str(SCREENSHOTS / "supervisor-figures-en.png"))
    window.set_language("id")
    assert table_text(view, "figures_table")[0][0] == "A · Paspor Baru"
    assert "IKM hari ini: 75,00" in view.figures_summary.text()
    window.set_language("en")
    assert view.figures_table.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    for client in (kiosk, desk):
        client.close()
