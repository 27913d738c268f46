"""Who sees which form of an event, and getting committed events to every
connection: redaction (kiosks and displays never see staff names, the
public never sees feedback in full), the recent events a reconnecting
client may be replayed, connections joining the stream, and fan-out."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode

from antrean import protocol
from antrean.core.office import FEEDBACK_EVENTS, Event, Office
from server.fanout import Audience, FanOut
from server.web import public_event_data

if TYPE_CHECKING:
    from server.session import HeldWelcome, Session

RECENT_EVENTS = 20_000


@dataclass(frozen=True, slots=True)
class EventFrames:
    """One event as the two audiences get it: `full` for staff consoles,
    `public` for kiosks and displays (the very same string when nothing in
    it is for staff only)."""

    seq: int
    full: str
    public: str

    def for_(self, sees_staff: bool) -> str:
        return self.full if sees_staff else self.public


@dataclass(frozen=True, slots=True)
class Joiner:
    """A connection welcomed at `seq` but not yet in an audience: it joins
    with the commit of `seq`, and `held` is the welcome still to send then."""

    session: Session
    seq: int
    held: HeldWelcome | None


def frames_of(office: Office, event: Event, at: str, data_json: str) -> EventFrames:
    """The redaction rules, in one place (the leader's commits and the hot
    standby's replay alike): `data_json` is the full data."""
    full = protocol.event_frame(event.seq, event.name, at, data_json)
    public = full
    if event.name in FEEDBACK_EVENTS:
        public = protocol.event(event.seq, event.name, at,
                                public_event_data(event.name, event.extra))
    elif event.counter is not None:
        public = protocol.event(event.seq, event.name, at,
                                office.event_data(event, with_staff=False))
    return EventFrames(event.seq, full, public)


def text_frame(text: str) -> bytes:
    """A complete server-to-client text frame. Server frames are neither masked
    nor (here) compressed, so one encoding serves every connection."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def send(ws: ServerConnection, text: str) -> None:
    broadcast((ws,), text)


class Broadcast:
    """The two audiences, the connections about to join them and the recent
    events; `publish` hands one commit's answers and events to the fan-out."""

    def __init__(self, fanout: FanOut | None = None, keep: int = RECENT_EVENTS) -> None:
        self.fanout = fanout or FanOut()
        self.staff = Audience()  # welcomed connections that see staff names
        self.public = Audience()  # and the others (kiosks, displays)
        self.joiners: list[Joiner] = []
        self.recent: deque[EventFrames] = deque(maxlen=keep)

    # ------------------------------------------------------------ joining
    def admit(self, session: Session) -> None:
        (self.staff if session.sees_staff else self.public).add(session.ws)

    def leave(self, session: Session) -> None:
        self.staff.discard(session.ws)
        self.public.discard(session.ws)
        self.joiners = [j for j in self.joiners if j.session is not session]

    def release_joiners(self, sent: bool) -> None:
        """Forget every joiner; a held welcome's handshake learns whether it
        went out (True: its connection is being closed anyway) or must be made
        again (False: the commit it waited for failed)."""
        joiners, self.joiners = self.joiners, []
        for joiner in joiners:
            if joiner.held is not None and not joiner.held.sent.done():
                joiner.held.sent.set_result(sent)

    # ------------------------------------------------------------ replay
    def can_replay(self, since: int, committed: int) -> bool:
        """Whether every event after `since` up to `committed` is still kept."""
        if since > committed or since < 0:
            return False
        if since == committed:
            return True
        return bool(self.recent) and self.recent[0].seq <= since + 1

    def replay(self, session: Session, since: int, committed: int) -> None:
        for frames in self.recent:
            if since < frames.seq <= committed:
                send(session.ws, frames.for_(session.sees_staff))

    # ------------------------------------------------------------ publishing
    def publish(self, events: list[EventFrames],
                outgoing: dict[ServerConnection, list[bytes]]) -> int | None:
        """Answers, then the batch's events in seq order: one write per
        connection. Returns the last seq published (None without events)."""
        last: int | None = None
        audiences: list[tuple[Audience, bytes]] = []
        if events:
            encoded: list[tuple[int, bytes, bytes]] = []
            for item in events:
                full_frame = text_frame(item.full)
                public_frame = full_frame if item.public is item.full else text_frame(item.public)
                encoded.append((item.seq, full_frame, public_frame))
            full_frames = [full for _, full, _ in encoded]
            public_frames = [public for _, _, public in encoded]
            self.recent.extend(events)
            for ws, frames in outgoing.items():  # the few with an answer of their own
                if ws in self.staff:
                    frames.extend(full_frames)
                elif ws in self.public:
                    frames.extend(public_frames)
            audiences = [(self.staff, b"".join(full_frames)),
                         (self.public, b"".join(public_frames))]
            last = events[-1].seq
            still: list[Joiner] = []
            for joiner in self.joiners:
                if joiner.seq > last or (joiner.held is None and joiner.seq == last):
                    still.append(joiner)
                    continue
                session = joiner.session
                frames = outgoing.setdefault(session.ws, [])
                if joiner.held is not None:
                    frames.insert(0, text_frame(joiner.held.text))
                    if not joiner.held.sent.done():
                        joiner.held.sent.set_result(True)
                for seq, full_bytes, public_bytes in encoded:
                    if seq > joiner.seq:
                        frames.append(full_bytes if session.sees_staff else public_bytes)
                self.admit(session)
            self.joiners = still
        self.fanout.write(outgoing, audiences)
        return last

    def close(self) -> None:
        self.fanout.close()
