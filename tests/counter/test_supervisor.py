"""The supervisor tab against a real server: who gets it, what each control
does on the server, the audit trail, and the role checks behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.qt.link import Answer, ServerLink
from counter.supervisor_view import QUOTA_UNLIMITED, SupervisorView
from counter.window import CounterWindow
from tests.counter.console_driver import (
    CLERK_PIN,
    CLERK_USERNAME,
    Console,
    activate,
    log_in,
    stored_events,
)
from tests.support import ServerThread, WireClient, open_counter


def supervisor_console(qtbot: QtBot, console: Console, lang: str = "id",
                       server: ServerThread | None = None) -> tuple[CounterWindow, SupervisorView]:
    window = console("1", supervisor_token="demo-supervisor", lang=lang, server=server)
    log_in(qtbot, window)
    qtbot.waitUntil(lambda: window.supervisor is not None and window.supervisor.ready,
                    timeout=5000)
    assert window.supervisor is not None
    return window, window.supervisor


def table_text(view: SupervisorView, table: str) -> list[list[str]]:
    widget = getattr(view, table)
    return [[widget.item(r, c).text() if widget.item(r, c) else ""
             for c in range(widget.columnCount())] for r in range(widget.rowCount())]


def test_supervisor_gets_the_extra_tab(qtbot: QtBot, console: Console) -> None:
    window, view = supervisor_console(qtbot, console)
    assert window.tabs.count() == 2
    assert window.tabs.tabText(1) == "Supervisor"
    assert view.link.role == "supervisor" and view.link.device == "counter-1-supervisor"
    window.tabs.setCurrentIndex(1)
    assert view.isVisible()
    # The function keys still work from the supervisor tab: they bring the
    # counter tab back and act there.
    qtbot.mouseClick(window.desk.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.desk.state_badge.text() == "Buka" and not window.desk.busy)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.tabs.currentWidget() is window.desk
    qtbot.waitUntil(lambda: window.desk.state_badge.text() == "Istirahat")
    # Logging out takes the tab away with the staff member.
    qtbot.mouseClick(window.logout_button, Qt.MouseButton.LeftButton)
    assert window.tabs.count() == 1 and window.supervisor is None


def test_no_tab_for_staff_who_are_not_supervisors(qtbot: QtBot, clerk_server: ServerThread,
                                                  console: Console) -> None:
    window = console("1", supervisor_token="demo-supervisor", server=clerk_server)
    log_in(qtbot, window, CLERK_USERNAME, CLERK_PIN)
    assert window.staff_label.text() == "Petugas: Siti Rahma"
    qtbot.wait(300)
    assert window.tabs.count() == 1 and window.supervisor is None
    assert window.supervisor_link is None


def test_roles_are_checked_by_the_server(qtbot: QtBot, clerk_server: ServerThread,
                                         console: Console) -> None:
    # The counter console's own link may not announce, even for a supervisor.
    window = console("1", server=clerk_server)
    log_in(qtbot, window)
    answers: list[Answer] = []
    window.link.request("announce", answers.append, text={"id": "Halo", "en": "Hello"})
    window.link.request("service.update", answers.append, service="A", open=False)
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert [a.code for a in answers] == ["forbidden", "forbidden"]
    assert stored_events(clerk_server, "announcement") == []
    # A supervisor link with staff who are not supervisors is refused at login.
    link = ServerLink(clerk_server.url, "supervisor", "supervisor-x", "demo-supervisor")
    link.start()
    refused: list[Answer] = []
    link.login(CLERK_USERNAME, CLERK_PIN, refused.append)
    qtbot.waitUntil(lambda: bool(refused), timeout=5000)
    assert refused[0].code == "forbidden"
    assert link.staff is None
    link.request("announce", refused.append, text={"id": "Halo", "en": "Hello"})
    qtbot.waitUntil(lambda: len(refused) == 2)
    assert refused[1].code == "unauthorized"
    link.stop()
    qtbot.waitUntil(lambda: not link.connected)


def test_close_and_reopen_a_service(qtbot: QtBot, console: Console,
                                    live_server: ServerThread) -> None:
    window, view = supervisor_console(qtbot, console)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    row = view.service_rows["C"]
    assert row.state.text() == "Buka" and row.toggle.text() == "Tutup layanan"
    qtbot.mouseClick(row.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.state.text() == "Tutup")
    assert row.toggle.text() == "Buka layanan"
    assert window.message.text() == "Layanan Pengambilan Paspor disimpan."
    refused = kiosk.request("ticket.issue", service="C")
    assert refused["code"] == "service_closed"
    qtbot.mouseClick(row.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.state.text() == "Buka")
    assert kiosk.ok("ticket.issue", service="C")["ticket"]["number"] == "C001"
    audit = stored_events(live_server, "service.updated")
    assert [(e["data"]["service"]["code"], e["data"]["service"]["enabled"]) for e in audit] == [
        ("C", False), ("C", True)]
    assert {(e["staff"], e["device"]) for e in audit} == {("demo", "counter-1-supervisor")}
    kiosk.close()


def test_change_the_daily_quota(qtbot: QtBot, console: Console,
                                live_server: ServerThread) -> None:
    window, view = supervisor_console(qtbot, console, lang="en")
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    row = view.service_rows["B"]
    assert row.quota.text() == "Unlimited"
    assert not row.apply.isEnabled()  # nothing to save yet
    row.quota.setValue(1)
    assert row.apply.isEnabled()
    qtbot.mouseClick(row.apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message.text() == "Service Passport Replacement saved.")
    assert live_server.call(lambda: live_server.server.office.services["B"].quota) == 1
    assert row.quota.value() == 1 and not row.apply.isEnabled()
    kiosk.ok("ticket.issue", service="B")
    assert kiosk.request("ticket.issue", service="B")["code"] == "quota_exhausted"
    qtbot.waitUntil(lambda: row.counts.text() == "Waiting 1 · issued 1")
    # Back to no limit.
    row.quota.setValue(QUOTA_UNLIMITED)
    qtbot.mouseClick(row.apply, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: live_server.call(
        lambda: live_server.server.office.services["B"].quota) is None)
    qtbot.waitUntil(lambda: row.quota.isEnabled() and not row.apply.isEnabled())
    assert row.quota.text() == "Unlimited"
    assert kiosk.ok("ticket.issue", service="B")["ticket"]["number"] == "B002"
    kiosk.close()


def test_post_an_announcement(qtbot: QtBot, console: Console,
                              live_server: ServerThread) -> None:
    window, view = supervisor_console(qtbot, console)
    display = WireClient(live_server.url, "display", "display-1")
    assert not view.announce_send.isEnabled()
    qtbot.keyClicks(view.announce_en, "Counter 5 is closed for lunch.")
    assert not view.announce_send.isEnabled()  # Indonesian comes first
    qtbot.keyClicks(view.announce_id, "Loket 5 tutup untuk istirahat siang.")
    qtbot.mouseClick(view.announce_send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message.text() == "Pengumuman terkirim ke layar.")
    event = display.event("announcement")
    assert event["data"]["text"] == {"id": "Loket 5 tutup untuk istirahat siang.",
                                     "en": "Counter 5 is closed for lunch."}
    assert view.announce_id.text() == "" and view.announce_en.text() == ""
    audit = stored_events(live_server, "announcement")
    assert len(audit) == 1 and audit[0]["staff"] == "demo"
    display.close()


def test_counters_and_device_faults_live(qtbot: QtBot, console: Console,
                                         live_server: ServerThread) -> None:
    _window, view = supervisor_console(qtbot, console)
    assert table_text(view, "counters_table")[2][:2] == ["Loket 3", "Tutup"]
    assert not view.devices_none.isHidden()
    assert view.devices_none.text() == "Tidak ada gangguan perangkat."
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="C")
    other = WireClient(live_server.url, "counter", "counter-3")
    open_counter(other, "3", ["C"])
    other.ok("ticket.call_next", counter="3")
    qtbot.waitUntil(lambda: table_text(view, "counters_table")[2][4] == "C001 · Dipanggil")
    row = table_text(view, "counters_table")[2]
    assert row[:4] == ["Loket 3", "Buka", "Petugas Demo", "C"]
    assert row[5].startswith("00:")
    kiosk.ok("device.status", status="no_paper", detail="paper end sensor")
    qtbot.waitUntil(lambda: view.devices_table.rowCount() == 1)
    fault = table_text(view, "devices_table")[0]
    assert fault[1:] == ["kiosk-1 (Kios)", "Kertas printer habis", "paper end sensor"]
    assert view.devices_none.isHidden()
    kiosk.ok("device.status", status="ok")
    qtbot.waitUntil(lambda: table_text(view, "devices_table")[0][2] == "Normal")
    # The kiosk's own form: a printer error with the reason as its detail.
    kiosk.ok("device.status", status="printer_error", detail="cover_open")
    qtbot.waitUntil(lambda: table_text(view, "devices_table")[0][2:] == [
        "Penutup printer terbuka", ""])
    kiosk.ok("device.status", status="printer_error", detail="paper jam near the cutter")
    qtbot.waitUntil(lambda: table_text(view, "devices_table")[0][2:] == [
        "Printer bermasalah", "paper jam near the cutter"])
    kiosk.close()
    other.close()
