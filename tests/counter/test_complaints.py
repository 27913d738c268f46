"""The supervisor tab's complaints against a real server: a visitor's complaint
appears, shows as plain text (HTML and Qt rich text stay characters), is
answered and closed, and the visitor's status page shows the answer."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from counter.complaints_view import PANEL_MIN_HEIGHT
from counter.desk import Action
from tests.counter.console_driver import Console, open_desk, stored_events
from tests.counter.test_supervisor import supervisor_console
from tests.support import ServerThread, WireClient
from tests.web.helpers import get, issue, path_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RICH = '<b>Petugas</b> <font color="red">kasar</font> <script>alert(1)</script> &amp;'


def shoot_card(qtbot: QtBot, window: QWidget, panel: QWidget, lang: str) -> None:
    """The whole complaints card (a tall window, so no part of it is scrolled away)."""
    window.resize(1366, 1800)
    card = panel.parentWidget()
    qtbot.waitUntil(lambda: card.visibleRegion().boundingRect().height() >= card.height())
    card.grab().save(str(SCREENSHOTS / f"counter-complaints-{lang}.png"))


def file_complaint(server: ServerThread, text: str, **extra: str) -> str:
    filed = get(server, "/pengaduan", {"kirim": "1", "category": "pelayanan", "text": text,
                                       **extra})
    assert filed.status == 303, filed.text
    return filed.location.split("/")[-1].split("?")[0]


def test_supervisor_reads_answers_and_closes_a_complaint(
    qtbot: QtBot, console: Console, live_server: ServerThread
) -> None:
    first = file_complaint(live_server, "AC ruang tunggu mati")
    window, view = supervisor_console(qtbot, console)
    panel = view.complaints
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    code = file_complaint(live_server, RICH, name="Budi <i>S</i>", contact="0812",
                          consent="1")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)  # live, by its event
    assert panel.table.item(0, 0).text() == code  # newest first
    assert panel.table.item(0, 4).text() == RICH  # as typed: a table item is plain text
    assert panel.table.item(0, 3).text() == "Diterima"

    panel.table.selectRow(0)
    assert panel.detail.textFormat() == Qt.TextFormat.PlainText
    assert RICH in panel.detail.text() and "Budi <i>S</i> · 0812" in panel.detail.text()
    panel.answer("ditolak")  # no reason written: refused, nothing changes
    qtbot.waitUntil(lambda: not panel.busy)
    assert window.message.text() == "Tulis jawaban atau alasan lebih dulu."
    qtbot.mouseClick(panel.buttons["diproses"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.item(0, 3).text() == "Diproses", timeout=5000)
    panel.reply.setPlainText("Kami sudah menegur petugas <b>itu</b>.")
    qtbot.mouseClick(panel.buttons["selesai"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.item(0, 3).text() == "Selesai", timeout=5000)
    assert not panel.buttons["selesai"].isEnabled()  # a closed complaint stays closed
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.height() >= PANEL_MIN_HEIGHT)  # laid out when first shown
    view.grab().save(str(SCREENSHOTS / "counter-supervisor-complaints-id-1366x768.png"))
    shoot_card(qtbot, window, panel, "id")

    updates = stored_events(live_server, "complaint.updated")
    assert [u["data"]["complaint"]["status"] for u in updates] == ["diproses", "selesai"]
    assert {u["staff"] for u in updates} == {"demo"}  # who did it, in the audit trail
    page = get(live_server, f"/pengaduan/{code}")
    assert "Selesai" in page.text and "menegur petugas &lt;b&gt;itu&lt;/b&gt;" in page.text
    assert first != code


def test_complaints_panel_in_english(qtbot: QtBot, console: Console,
                                     live_server: ServerThread) -> None:
    file_complaint(live_server, "Antrean lama")
    window, view = supervisor_console(qtbot, console, lang="en")
    panel = view.complaints
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    assert panel.table.item(0, 3).text() == "Received"
    assert panel.table.item(0, 2).text() == "Staff service"
    assert panel.buttons["selesai"].text() == "Answer and resolve"
    panel.table.selectRow(0)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.height() >= PANEL_MIN_HEIGHT)  # laid out when first shown
    shoot_card(qtbot, window, panel, "en")


def test_finishing_a_visit_shows_the_survey_qr_for_that_visit_only(
    qtbot: QtBot, console: Console, live_server: ServerThread
) -> None:
    """The QR goes to a window of its own (the console's second screen when there
    is one); it opens the survey alone, never the ticket's live page."""
    ticket = issue(live_server)
    display = WireClient(live_server.url, "display", "display-qr")
    window = console("1")
    open_desk(qtbot, window)
    for action in (Action.CALL_NEXT, Action.COMPLETE):
        qtbot.waitUntil(lambda a=action: window.desk.buttons[a].isEnabled(), timeout=5000)
        qtbot.mouseClick(window.desk.buttons[action], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.survey_qr is not None and window.survey_qr.isVisible(),
                    timeout=5000)
    qr = window.survey_qr
    assert qr is not None
    qtbot.waitExposed(qr)
    assert qr.title.text() == "Nomor A001: terima kasih atas kunjungan Anda"
    qr.grab().save(str(SCREENSHOTS / "counter-survey-qr-id-520x640.png"))
    image = qr.code.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    picture = Image.frombuffer("L", (image.width(), image.height()), bytes(image.constBits()),
                               "raw", "L", image.bytesPerLine(), 1)
    [url] = [r.text for r in zxingcpp.read_barcodes(picture)]
    assert url.startswith(f"http://127.0.0.1:{live_server.port}/s/") and url != ticket["url"]
    page = get(live_server, path_of(url))
    assert page.status == 200 and "Survei Kepuasan Masyarakat" in page.text
    assert f'action="{path_of(url)}"' in page.text
    answers = {f"u{i}": 4 for i in range(1, 10)}
    sent = get(live_server, path_of(url), {"kirim": "1", **answers})
    assert sent.status == 303 and "survei Anda sudah kami terima" in get(
        live_server, sent.location).text
    assert "survei Anda sudah kami terima" in get(live_server, path_of(ticket["url"])).text
    assert get(live_server, path_of(url), {"kirim": "1", **answers}).status == 409
    assert get(live_server, "/s/" + path_of(url).split("/")[-1][::-1]).status == 404
    completed = display.event("ticket.completed")
    assert "survey_url" not in completed["data"] and "/s/" not in str(completed)


def test_overdue_complaints_are_flagged_in_red(qtbot: QtBot, console: Console,
                                              live_server: ServerThread) -> None:
    code = file_complaint(live_server, "Belum dijawab")
    assert live_server.server is not None
    desk = live_server.server.web
    # As if filed long ago: its answer deadline has passed.
    live_server.call(lambda: desk.complaints[code].update(deadline="2026-01-01T08:00:00+07:00"))
    _, view = supervisor_console(qtbot, console)
    panel = view.complaints
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    status = panel.table.item(0, 3)
    assert status.text() == "Diterima · TERLAMBAT"
    assert status.foreground().color().name() == "#b02a37"
