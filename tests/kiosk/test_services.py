"""The service grid, live from the server's events, and every way a service cannot be
chosen or a ticket is refused: each says why, in the visitor's language, and changes
nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from antrean.core.model import OpeningHours
from antrean.i18n import error_text
from antrean.session import Answer
from server.config import Limits, OfficeConfig
from tests.kiosk.conftest import MakeKiosk, StartServer, server_tickets, staff_client, tap
from tests.kiosk.test_path import walk_to_priority
from tests.support import ServerThread, WireClient, open_counter


def test_tiles_follow_the_queue_live(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    tap(qtbot, window.start_screen.take_button)
    tile = window.services_screen.tiles["A"]
    assert (tile.waiting_label.text(), tile.eta_label.text()) == (
        "Tidak ada antrean", "Segera dilayani")

    other_kiosk = WireClient(live_server.url, "kiosk", "kiosk-other")
    other_kiosk.ok("ticket.issue", service="A")
    other_kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: tile.waiting_label.text() == "Menunggu: 2")
    assert tile.eta_label.text() == "Tunggu ± 24 menit"  # 2 x 12 min, one counter assumed

    # Two counters open for A share the work: the estimate halves.
    open_counter(WireClient(live_server.url, "counter", "counter-a"), "1", ["A"])
    open_counter(WireClient(live_server.url, "counter", "counter-b"), "2", ["A"])
    qtbot.waitUntil(lambda: tile.eta_label.text() == "Tunggu ± 12 menit")
    caller = WireClient(live_server.url, "counter", "counter-c")
    open_counter(caller, "6", ["A"])
    caller.ok("ticket.call_next", counter="6")
    qtbot.waitUntil(lambda: tile.waiting_label.text() == "Menunggu: 1")


def test_service_closed_by_a_supervisor_says_so_and_cannot_be_chosen(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    tap(qtbot, window.start_screen.take_button)
    tile = window.services_screen.tiles["C"]
    assert tile.isEnabled()
    supervisor = staff_client(live_server)
    supervisor.ok("service.update", service="C", open=False)
    qtbot.waitUntil(lambda: not tile.isEnabled())
    assert tile.reason_label.text() == "Layanan sedang ditutup"
    assert not tile.waiting_label.isVisible()
    tap(qtbot, tile)
    assert window.current_screen() is window.services_screen
    tap(qtbot, window.language_button)
    assert tile.reason_label.text() == "Closed at the moment"

    supervisor.ok("service.update", service="C", open=True)
    qtbot.waitUntil(tile.isEnabled)
    tap(qtbot, tile)
    assert window.current_screen() is window.requirements_screen


def test_used_up_quota_says_so_and_cannot_be_chosen(
    qtbot: QtBot, make_kiosk: MakeKiosk, live_server: ServerThread
) -> None:
    window = make_kiosk()
    tap(qtbot, window.start_screen.take_button)
    tile = window.services_screen.tiles["D"]
    staff_client(live_server).ok("service.update", service="D", quota=1)
    WireClient(live_server.url, "kiosk", "kiosk-other").ok("ticket.issue", service="D")
    qtbot.waitUntil(lambda: not tile.isEnabled())
    assert tile.reason_label.text() == "Kuota hari ini sudah habis"
    tap(qtbot, tile)
    assert window.current_screen() is window.services_screen


def test_opening_hours_say_when_the_service_opens(
    qtbot: QtBot, start_server: StartServer, make_kiosk: MakeKiosk, demo: OfficeConfig
) -> None:
    local = datetime.now(ZoneInfo(demo.office.timezone))
    other_days = frozenset(d for d in range(1, 8) if d != local.isoweekday())
    later = (0, 1) if local.hour >= 2 else (12, 13)  # a window that is not now
    a, b, *rest = demo.office.services
    services = (
        replace(a, hours=OpeningHours(time(0, 0), time(23, 59), other_days)),
        replace(b, hours=OpeningHours(time(later[0]), time(later[1]))),
        *rest,
    )
    office = replace(demo, office=replace(demo.office, services=services))
    server = start_server(office)
    window = make_kiosk(server=server)
    tap(qtbot, window.start_screen.take_button)
    tiles = window.services_screen.tiles
    # Why, and when it opens again (the office calendar's words, issue 12).
    assert not tiles["A"].isEnabled()
    assert tiles["A"].reason_label.text().startswith("Tutup hari ini — buka kembali ")
    assert tiles["A"].reason_label.text().endswith("pukul 00.00")
    assert not tiles["B"].isEnabled()
    expected_b = ("Sudah tutup — buka kembali " if later == (0, 1)
                  else "Belum buka — buka pukul 12.00")
    assert tiles["B"].reason_label.text().startswith(expected_b)
    assert tiles["C"].isEnabled()
    tap(qtbot, window.language_button)
    assert tiles["A"].reason_label.text().startswith("Closed today — opens again on ")
    assert tiles["B"].reason_label.text().startswith(
        "Closed for today — opens again on " if later == (0, 1)
        else "Not open yet — opens at 12:00")


@pytest.mark.parametrize(
    ("lang", "change", "expected"),
    [
        ("id", {"open": False},
         "Layanan ini sedang tutup. Silakan pilih layanan lain atau tanyakan kepada petugas."),
        ("en", {"open": False},
         "This service is closed. Please choose another service or ask a member of staff."),
        ("id", {"quota": 0},
         "Kuota hari ini untuk layanan ini sudah habis. Silakan pilih layanan lain atau "
         "tanyakan kepada petugas."),
    ],
)
def test_refused_ticket_is_explained_and_nothing_is_printed(
    qtbot: QtBot,
    make_kiosk: MakeKiosk,
    live_server: ServerThread,
    previews: Path,
    lang: str,
    change: dict[str, object],
    expected: str,
) -> None:
    window = make_kiosk()
    if lang == "en":
        tap(qtbot, window.language_button)
    walk_to_priority(qtbot, window, "B")
    # The service closes (or runs out) while the visitor reads the question.
    staff_client(live_server).ok("service.update", service="B", **change)
    tap(qtbot, window.priority_screen.no_button)
    grid = window.services_screen
    qtbot.waitUntil(lambda: window.current_screen() is grid)
    assert grid.notice_label.isVisible() and grid.notice_label.text() == expected
    assert not grid.tiles["B"].isEnabled()
    assert server_tickets(live_server) == []
    assert not previews.exists() or not any(previews.iterdir())

    # The visitor chooses another service and gets a ticket; the message is gone.
    tap(qtbot, grid.tiles["A"])
    assert not grid.notice_label.isVisible()
    tap(qtbot, window.requirements_screen.continue_button)
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.ticket_screen.number_label.text() == "A001")


def test_rate_limited_kiosk_asks_the_visitor_to_wait(
    qtbot: QtBot, start_server: StartServer, make_kiosk: MakeKiosk, demo: OfficeConfig
) -> None:
    strict = replace(demo, limits=Limits(issue_per_minute=1, requests_per_second=None))
    server = start_server(strict)
    window = make_kiosk(server=server, printer=None)
    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen)
    tap(qtbot, window.ticket_screen.done_button)

    walk_to_priority(qtbot, window, "E")
    tap(qtbot, window.priority_screen.no_button)
    notice = window.services_screen.notice_label
    qtbot.waitUntil(lambda: notice.isVisible())
    assert notice.text() == "Terlalu banyak permintaan. Mohon tunggu sebentar."
    assert [t["number"] for t in server_tickets(server)] == ["E001"]



@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_service_on_trial_says_uji_coba(
    qtbot: QtBot, start_server: StartServer, make_kiosk: MakeKiosk, demo: OfficeConfig,
    lang: str, size: tuple[int, int],
) -> None:
    from tests.kiosk.layout_check import clipped_text

    a, *rest = demo.office.services
    office = replace(demo, office=replace(demo.office, services=(replace(a, trial=True), *rest)))
    window = make_kiosk(server=start_server(office), size=size, lang=lang)
    tap(qtbot, window.start_screen.take_button)
    tiles = window.services_screen.tiles
    assert tiles["A"].trial_label.isVisible()
    assert tiles["A"].trial_label.text() == ("Uji coba" if lang == "id" else "Trial")
    assert not tiles["B"].trial_label.isVisible()
    assert tiles["A"].isEnabled()  # a trial service is chosen like any other
    problems = clipped_text(window)
    assert problems == [], "\n".join(problems)
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    window.grab().save(str(shots / f"kiosk-trial-{lang}-{size[0]}x{size[1]}.png"))


def test_a_malformed_ticket_answer_is_an_error_not_a_crash(
    qtbot: QtBot, make_kiosk: MakeKiosk, previews: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A ticket the server sends without its number (a broken server, a bad proxy)
    is not shown or printed half: the visitor hears of an error and may choose again."""
    window = make_kiosk()
    walk_to_priority(qtbot, window, "A")
    visit = window.visit
    visit.service, visit.request_id = "A", "kiosk-test-1"
    window._on_issued(visit, Answer(ok=True, result={"ticket": {
        "id": "2026-11-23-A001", "service": "A", "status": "waiting",
        "issued_at": "2026-11-23T09:00:00+07:00"}}))
    grid = window.services_screen
    assert window.current_screen() is grid
    assert grid.notice_label.isVisible()
    assert grid.notice_label.text() == error_text("internal", "id")
    assert (visit.ticket, visit.request_id, visit.refusal) == (None, None, "internal")
    assert "ticket: 'number' is missing" in caplog.text
    assert not previews.exists() or not any(previews.iterdir())
