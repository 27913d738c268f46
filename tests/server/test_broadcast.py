"""server/broadcast.py: the redaction rules, what a reconnecting client may
be replayed, publishing a commit's events, and connections about to join."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import cast

from websockets.asyncio.server import ServerConnection

from antrean.core.model import Priority, StaffRef, iso
from antrean.core.office import Event, Office
from server.broadcast import Broadcast, EventFrames, Joiner, frames_of, text_frame
from server.fanout import FanOut
from server.session import HeldWelcome, Session
from server.store import EventRow
from tests.core.builders import OPENING, new_office
from tests.server.servers import app
from tests.support import ServerThread

NOW = OPENING + timedelta(hours=1)
DEMO = StaffRef("demo", "Petugas Demo")


def frames(office: Office, event: Event) -> EventFrames:
    data = json.dumps(office.event_data(event, with_staff=True))
    return frames_of(office, event, iso(event.at) or "", data)


def test_counter_events_reach_the_public_without_staff_names() -> None:
    office = new_office()
    opened = office.open_counter("1", ["A"], "console-1", DEMO, NOW)[-1]
    made = frames(office, opened)
    assert "Petugas Demo" in made.full
    assert "Petugas Demo" not in made.public and "demo" not in made.public
    assert json.loads(made.public)["data"]["counter"]["id"] == "1"
    assert made.for_(True) is made.full and made.for_(False) is made.public


def test_an_event_without_anything_to_hide_is_one_string_for_both() -> None:
    office = new_office()
    issued = office.issue("A", Priority.REGULAR, "id", NOW)[0]
    made = frames(office, issued)
    assert made.public is made.full
    assert json.loads(made.full)["name"] == "ticket.issued"


def test_a_survey_reaches_the_public_without_the_member_of_staff() -> None:
    office = new_office()
    survey = {"ticket": "t", "number": "A001", "service": "A", "counter": "1",
              "staff": "demo", "day": office.day.isoformat(),
              "answers": {f"u{i}": 4 for i in range(1, 10)},
              "profile": {"age": None, "gender": None, "education": None, "occupation": None},
              "comment": None, "source": "phone"}
    event = office.record("survey.submitted", NOW, {"survey": survey})[-1]
    made = frames_of(office, event, iso(event.at) or "", json.dumps({"survey": survey}))
    assert json.loads(made.full)["data"]["survey"]["staff"] == "demo"
    assert json.loads(made.public)["data"]["survey"]["staff"] is None


def kept(*seqs: int) -> Broadcast:
    stream = Broadcast(FanOut(helpers=0))
    stream.recent.extend(EventFrames(seq, f"full {seq}", f"public {seq}") for seq in seqs)
    return stream


def test_a_client_is_replayed_only_what_is_still_kept() -> None:
    stream = kept(5, 6, 7, 8)
    assert stream.can_replay(8, 8)  # nothing missed
    assert stream.can_replay(4, 8)  # 5..8 all kept
    assert not stream.can_replay(3, 8)  # 4 is gone: a snapshot instead
    assert not stream.can_replay(9, 8)  # ahead of the server: a snapshot
    assert not stream.can_replay(-1, 8)
    assert not kept().can_replay(3, 8)


def test_publishing_keeps_the_events_and_says_how_far_it_got() -> None:
    stream = kept()
    try:
        assert stream.publish([], {}) is None
        published = [EventFrames(1, "a", "a"), EventFrames(2, "b", "B")]
        assert stream.publish(published, {}) == 2
        assert list(stream.recent) == published
    finally:
        stream.close()


def test_held_welcomes_learn_whether_to_describe_the_state_anew() -> None:
    async def release(sent: bool) -> list[bool]:
        loop = asyncio.get_running_loop()
        stream = kept()
        ws = cast(ServerConnection, None)
        helds = [HeldWelcome("w", loop.create_future()) for _ in range(2)]
        stream.joiners = [Joiner(Session(ws, "display", f"d{i}"), 3, held)
                          for i, held in enumerate(helds)]
        stream.joiners.append(Joiner(Session(ws, "kiosk", "k"), 3, None))
        stream.release_joiners(sent)
        assert stream.joiners == []
        stream.close()
        return [held.sent.result() for held in helds]

    assert asyncio.run(release(False)) == [False, False]
    assert asyncio.run(release(True)) == [True, True]


def test_a_text_frame_is_unmasked_and_whole() -> None:
    frame = text_frame("hé")
    assert frame[0] == 0x81  # FIN, text
    assert frame[1] == len("hé".encode())  # no mask bit
    assert frame[2:].decode() == "hé"


def test_a_standbys_replay_is_redacted_as_the_leaders_commits(server: ServerThread) -> None:
    """`AntreanServer.follow` (the hot standby applying the leader's rows)
    keeps the same two forms a commit makes: a client replayed after a
    take-over never sees a survey's member of staff."""
    running = app(server)

    def follow() -> EventFrames:
        office = running.office
        survey = {"ticket": "t", "number": "A001", "service": "A", "counter": "1",
                  "staff": "demo", "day": office.day.isoformat(),
                  "answers": {f"u{i}": 4 for i in range(1, 10)},
                  "profile": {"age": None, "gender": None, "education": None,
                              "occupation": None},
                  "comment": None, "source": "phone"}
        row = EventRow(office.seq + 1, office.day.isoformat(), iso(running.clock()) or "",
                       "survey.submitted", json.dumps({"survey": survey}), None, None)
        running.follow([row])
        return running.broadcast.recent[-1]

    frames = server.call(follow)
    assert json.loads(frames.full)["data"]["survey"]["staff"] == "demo"
    assert json.loads(frames.public)["data"]["survey"]["staff"] is None
