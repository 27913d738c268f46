"""The display during the Friday prayer break: the ticker says why the office
is closed and when it opens again, and stops saying it once it has opened."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from antrean.core.calendar import Calendar, Period, WeekHours
from tests.display.fakes import DisplayFactory
from tests.support import FakeClock, ServerThread, cached_demo_config

FRIDAY_NOON_JAKARTA = datetime(2026, 3, 6, 5, 10, tzinfo=UTC)  # 12:10 in Jakarta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FRIDAY_NOON_JAKARTA)


@pytest.fixture
def break_server(tmp_path: Path, clock: FakeClock) -> Iterator[ServerThread]:
    week = WeekHours({5: (Period.parse("08:00-11:30"), Period.parse("13:30-16:00"))})
    demo = cached_demo_config()
    config = replace(demo, office=replace(demo.office, calendar=Calendar(week)))
    server = ServerThread(config, f"sqlite:///{tmp_path / 'office.db'}", clock).start()
    yield server
    server.stop()


def test_the_ticker_leads_with_the_break(qtbot: QtBot, break_server: ServerThread,
                                         make_display: DisplayFactory,
                                         clock: FakeClock) -> None:
    screen = make_display(server=break_server, clock=clock)
    window = screen.window
    qtbot.waitUntil(lambda: bool(window.ticker.messages()), timeout=5000)
    messages = window.ticker.messages()
    assert messages[0] == "Istirahat — buka kembali pukul 13.30"
    assert "Break — opens again at 13:30" in messages
    clock.now = FRIDAY_NOON_JAKARTA.replace(hour=6, minute=31)  # 13:31 in Jakarta
    window._check_calendar()  # the display's half-minute check, without the wait
    assert not any("Istirahat" in m for m in window.ticker.messages())
