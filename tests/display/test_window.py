"""The waiting-room display against a real server on port 0: kiosk and
counter are plain wire clients, the display is the real window, read the way
a visitor reads it (the labels' text)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from antrean.core.model import Status
from antrean.i18n import tr
from display.look import bilingual
from display.window import DisplayWindow
from server.config import OfficeConfig
from tests.display.fakes import DisplayFactory, make_voice
from tests.support import FakeClock, ServerThread, WireClient, open_counter


def issue(server: ServerThread, *services: str) -> list[dict[str, Any]]:
    kiosk = WireClient(server.url, "kiosk", "kiosk-1")
    try:
        return [kiosk.ok("ticket.issue", service=code)["ticket"] for code in services]
    finally:
        kiosk.close()


def counter_at(server: ServerThread, counter: str, services: list[str]) -> WireClient:
    client = WireClient(server.url, "counter", f"counter-{counter}")
    open_counter(client, counter, services)
    return client


def server_state(server: ServerThread, services: set[str] | None = None) -> dict[str, Any]:
    """What the server knows: waiting per service, called tickets newest first."""

    def read() -> dict[str, Any]:
        assert server.server is not None
        office = server.server.office
        called = sorted(
            (t for t in office.tickets.values()
             if t.called_at is not None and (services is None or t.service in services)),
            key=lambda t: t.called_at or t.issued_at, reverse=True,
        )
        return {
            "waiting": {code: office.waiting_count(code) for code in office.services
                        if services is None or code in services},
            "called": [t.number for t in called],
            "seq": office.seq,
        }

    result: dict[str, Any] = server.call(read)
    return result


def screen_state(window: DisplayWindow) -> dict[str, Any]:
    assert window.link.office is not None
    return {
        "waiting": window.waiting.counts(),
        "called": [number for number, _ in window.shown_calls()],
        "seq": window.link.office.seq,
    }


def test_a_call_shows_big_with_its_counter_and_is_spoken(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice()
    window = make_display(voice=voice).window
    assert window.now_calling.number_text() == ""
    assert window.now_calling.go_to.text() == "Belum ada panggilan / No calls yet"
    issue(live_server, "A", "B", "A")
    qtbot.waitUntil(lambda: window.waiting.counts().get("A") == 2)
    assert window.waiting.counts() == {"A": 2, "B": 1, "C": 0, "D": 0, "E": 0}

    counter = counter_at(live_server, "2", ["A", "B"])
    called = counter.ok("ticket.call_next", counter="2")["ticket"]
    assert called["number"] == "A001"
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    assert window.now_calling.counter_text() == "Loket 2"
    assert window.now_calling.counter_en.text() == "Counter 2"
    assert window.now_calling.go_to.text() == "Silakan menuju / Please go to"
    assert window.now_calling.is_highlighted()
    assert window.waiting.counts()["A"] == 1
    # The number is at least a tenth of the screen high (its capitals).
    assert window.now_calling.number_cap_height() >= 0.10 * window.height()
    qtbot.waitUntil(lambda: voice.started == ["A001"])
    assert voice.synth.spoken == [("Nomor antrean A satu, silakan menuju loket dua", "id")]

    counter.ok("ticket.complete", ticket=called["id"])
    counter.ok("ticket.call_next", counter="2")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "B001")
    assert window.recent.shown() == [("A001", "Loket 2")]
    assert window.shown_calls() == [("B001", "Loket 2"), ("A001", "Loket 2")]
    qtbot.waitUntil(lambda: voice.started == ["A001", "B001"])
    assert screen_state(window) == server_state(live_server)


def test_english_follows_indonesian_when_asked(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice(english=True)
    make_display(voice=voice, english=True)
    issue(live_server, "C")
    counter_at(live_server, "3", ["C"]).ok("ticket.call_next", counter="3")
    qtbot.waitUntil(lambda: voice.started == ["C001"])
    qtbot.waitUntil(lambda: len(voice.synth.spoken) == 2)
    assert voice.synth.spoken == [
        ("Nomor antrean C satu, silakan menuju loket tiga", "id"),
        ("Ticket number C-one, please go to counter three", "en"),
    ]


def test_the_screen_never_waits_for_the_voice(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice(held=True)  # a speech engine that has not finished yet
    window = make_display(voice=voice).window
    issue(live_server, "A")
    counter = counter_at(live_server, "1", ["A"])
    counter.ok("ticket.call_next", counter="1")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    qtbot.waitUntil(lambda: bool(voice.synth.threads))  # synthesis has begun, elsewhere
    assert voice.started == []  # the voice is still being prepared
    assert threading.get_ident() not in voice.synth.threads
    voice.synth.release()
    qtbot.waitUntil(lambda: voice.started == ["A001"], timeout=5000)


def test_recall_lights_the_number_up_again_and_speaks_it_again(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice()
    window = make_display(voice=voice, highlight_ms=300).window
    issue(live_server, "A", "A")
    counter = counter_at(live_server, "1", ["A"])
    ticket = counter.ok("ticket.call_next", counter="1")["ticket"]
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    assert window.now_calling.is_highlighted()
    qtbot.waitUntil(lambda: not window.now_calling.is_highlighted(), timeout=3000)

    recalled = counter.ok("ticket.recall", ticket=ticket["id"])["ticket"]
    assert recalled["calls"] == 2
    qtbot.waitUntil(window.now_calling.is_highlighted, timeout=2000)
    assert window.now_calling.number_text() == "A001"
    assert window.shown_calls() == [("A001", "Loket 1")]  # once, not twice
    qtbot.waitUntil(lambda: voice.started == ["A001", "A001"])


def test_a_display_for_some_services_shows_only_their_calls(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice()
    window = make_display(voice=voice, services=frozenset({"B", "C"})).window
    assert list(window.waiting.tiles) == ["B", "C"]
    issue(live_server, "A", "B", "C")
    counter = counter_at(live_server, "6", ["A", "B", "C"])
    a_ticket = counter.ok("ticket.call_next", counter="6")["ticket"]
    assert a_ticket["number"] == "A001"
    office = window.link.office
    assert office is not None
    qtbot.waitUntil(
        lambda: getattr(office.tickets.get(a_ticket["id"]), "status", None) is Status.CALLED
    )
    assert window.shown_calls() == []
    assert not window.now_calling.is_highlighted()

    counter.ok("ticket.complete", ticket=a_ticket["id"])
    counter.ok("ticket.call_next", counter="6")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "B001")
    assert window.now_calling.counter_text() == "Loket 6"
    assert window.waiting.counts() == {"B": 0, "C": 1}
    qtbot.waitUntil(lambda: voice.started == ["B001"])
    assert screen_state(window) == server_state(live_server, {"B", "C"})


def test_ticker_shows_office_notices_and_a_new_message_at_once(
    qtbot: QtBot, live_server: ServerThread, demo: OfficeConfig,
    make_display: DisplayFactory,
) -> None:
    window = make_display().window
    notices = demo.office.announcements
    expected = [line for text in notices for line in (text.id, text.en)]
    assert window.ticker.messages() == expected
    assert window.ticker.isVisible()

    supervisor = WireClient(live_server.url, "supervisor", "supervisor-1")
    supervisor.login()
    message = {"id": "Loket 5 tutup pukul 12.00.", "en": "Counter 5 closes at 12:00."}
    supervisor.ok("announce", text=message)
    qtbot.waitUntil(lambda: window.ticker.messages()[:2] == [message["id"], message["en"]])
    assert window.ticker.current_message() == message["id"]  # on screen now, not later
    assert window.ticker.messages()[2:] == expected
    supervisor.close()


def test_losing_the_server_shows_a_banner_and_recovers_to_the_servers_state(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    window = make_display().window
    issue(live_server, "A", "A")
    counter = counter_at(live_server, "1", ["A"])
    counter.ok("ticket.call_next", counter="1")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    counter.close()
    assert not window.banner.isVisible()

    begin = time.monotonic()
    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    assert time.monotonic() - begin < 3.0
    assert "Koneksi terputus" in window.banner.line.text()
    assert window.banner.line_en.text() == tr("display.disconnected", "en")
    # The last state stays on screen.
    assert window.now_calling.number_text() == "A001"
    assert window.waiting.counts()["A"] == 1

    restarted = live_server.restart()
    try:
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
        counter = counter_at(restarted, "2", ["A"])
        counter.ok("ticket.call_next", counter="2")
        qtbot.waitUntil(lambda: window.now_calling.number_text() == "A002")
        assert screen_state(window) == server_state(restarted)
        counter.close()
    finally:
        restarted.stop_while(qtbot.waitUntil)


def test_calls_missed_while_away_appear_and_are_spoken_once_in_order(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice()
    screen = make_display(voice=voice)
    window = screen.window
    issue(live_server, "A", "A", "B", "C")
    counter = counter_at(live_server, "1", ["A", "B"])
    first = counter.ok("ticket.call_next", counter="1")["ticket"]
    qtbot.waitUntil(lambda: voice.started == ["A001"])

    screen.link.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    counter.ok("ticket.complete", ticket=first["id"])
    second = counter.ok("ticket.call_next", counter="1")["ticket"]
    counter.ok("ticket.recall", ticket=second["id"])
    other = counter_at(live_server, "3", ["C"])
    other.ok("ticket.call_next", counter="3")
    assert window.now_calling.number_text() == "A001"  # nothing new seen yet

    screen.link.start()
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "C001", timeout=5000)
    assert not window.banner.isVisible()
    assert window.shown_calls() == [("C001", "Loket 3"), ("A002", "Loket 1"),
                                    ("A001", "Loket 1")]
    qtbot.waitUntil(lambda: len(voice.started) == 4)
    assert voice.started == ["A001", "A002", "A002", "C001"]  # the recall is a call too
    assert screen_state(window) == server_state(live_server)
    qtbot.wait(200)
    assert len(voice.started) == 4


def test_after_a_server_restart_a_fresh_snapshot_fills_the_gap(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice()
    screen = make_display(voice=voice)
    window = screen.window
    issue(live_server, "D", "D")
    screen.link.stop()
    counter = counter_at(live_server, "4", ["D"])
    counter.ok("ticket.call_next", counter="4")
    counter.close()
    live_server.stop_while(qtbot.waitUntil)
    restarted = live_server.restart()  # forgets the events: the display gets a snapshot
    try:
        snapshots: list[bool] = []
        screen.link.snapshot_loaded.connect(lambda: snapshots.append(True))
        screen.link.start()
        qtbot.waitUntil(lambda: window.now_calling.number_text() == "D001", timeout=5000)
        assert snapshots == [True]
        assert window.now_calling.is_highlighted()
        qtbot.waitUntil(lambda: voice.started == ["D001"])
        assert screen_state(window) == server_state(restarted)
    finally:
        restarted.stop_while(qtbot.waitUntil)


@pytest.fixture
def clocked_server(demo: OfficeConfig, db_url: str) -> Any:
    clock = FakeClock()
    server = ServerThread(demo, db_url, clock).start()
    yield server, clock
    server.stop()


def test_calls_long_past_are_shown_but_not_spoken(
    qtbot: QtBot, clocked_server: tuple[ServerThread, FakeClock], make_display: DisplayFactory
) -> None:
    server, clock = clocked_server
    voice = make_voice()
    screen = make_display(voice=voice, server=server)
    issue(server, "E", "E", "E")
    counter = counter_at(server, "5", ["E"])
    first = counter.ok("ticket.call_next", counter="5")["ticket"]
    qtbot.waitUntil(lambda: voice.started == ["E001"])

    screen.link.stop()
    real_now = clock.now
    clock.now = real_now - timedelta(minutes=10)  # these calls are ten minutes old
    counter.ok("ticket.complete", ticket=first["id"])
    second = counter.ok("ticket.call_next", counter="5")["ticket"]
    clock.now = real_now
    screen.link.start()
    qtbot.waitUntil(lambda: screen.window.now_calling.number_text() == "E002", timeout=5000)
    qtbot.wait(200)
    assert voice.started == ["E001"]

    counter.ok("ticket.complete", ticket=second["id"])
    counter.ok("ticket.call_next", counter="5")
    qtbot.waitUntil(lambda: voice.started == ["E001", "E003"])


def test_a_new_office_day_clears_the_calls(
    qtbot: QtBot, clocked_server: tuple[ServerThread, FakeClock], make_display: DisplayFactory
) -> None:
    server, clock = clocked_server
    window = make_display(server=server).window
    issue(server, "A", "A")
    counter_at(server, "1", ["A"]).ok("ticket.call_next", counter="1")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")

    clock.now += timedelta(days=1)
    assert server.server is not None
    server.call(server.server.check_day)
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "", timeout=5000)
    assert window.shown_calls() == []
    assert window.now_calling.go_to.text() == bilingual("display.no_calls")
    assert window.waiting.counts() == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 0}


def test_a_refused_token_is_said_plainly_and_nothing_breaks(
    qtbot: QtBot, make_display: DisplayFactory
) -> None:
    window = make_display(token="not-the-token", wait=False).window
    qtbot.waitUntil(lambda: window.banner.key == "display.refused", timeout=5000)
    assert window.banner.line.text() == tr("display.refused", "id")
    assert window.banner.line_en.text() == tr("display.refused", "en")
    assert window.banner.isVisible()
    assert window.link.office is None
    qtbot.wait(300)  # the link keeps knocking; the message stays
    assert window.banner.key == "display.refused"


def test_no_audio_device_is_noted_on_screen_and_calls_still_show(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    voice = make_voice(output=False)
    window = make_display(voice=voice).window
    assert not window.header.note.isVisible()
    issue(live_server, "A")
    counter_at(live_server, "1", ["A"]).ok("ticket.call_next", counter="1")
    qtbot.waitUntil(lambda: window.now_calling.number_text() == "A001")
    qtbot.waitUntil(lambda: voice.started == ["A001"])
    qtbot.waitUntil(window.header.note.isVisible)
    assert window.header.note.text() == bilingual("voice.status.silent")
    assert voice.player.played == []

    def reported() -> str:
        assert live_server.server is not None
        known = live_server.server.office.devices.get(window.link.device)
        return known.status if known is not None else ""

    qtbot.waitUntil(lambda: live_server.call(reported) == "silent")


def test_a_closed_service_says_so_on_its_tile(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    window = make_display().window
    assert window.waiting.tiles["C"].state.text() == ""
    supervisor = WireClient(live_server.url, "supervisor", "supervisor-1")
    supervisor.login()
    supervisor.ok("service.update", service="C", open=False)
    qtbot.waitUntil(lambda: window.waiting.tiles["C"].state.text() != "")
    assert window.waiting.tiles["C"].state.text() == "Tutup / Closed"
    assert window.waiting.tiles["B"].state.text() == ""
    supervisor.ok("service.update", service="C", open=True)
    qtbot.waitUntil(lambda: window.waiting.tiles["C"].state.text() == "")
    supervisor.close()


def test_a_server_that_stops_answering_is_noticed_within_three_seconds(
    qtbot: QtBot, live_server: ServerThread, make_display: DisplayFactory
) -> None:
    window = make_display().window
    qtbot.wait(700)  # the heartbeat is running
    begin = time.monotonic()
    # The server's loop hangs: the socket stays open, but nothing answers.
    live_server.loop.call_soon_threadsafe(time.sleep, 3.5)
    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    assert time.monotonic() - begin < 3.0
    assert window.banner.key == "display.disconnected"
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10000)
    issue(live_server, "A")
    qtbot.waitUntil(lambda: window.waiting.counts()["A"] == 1)
