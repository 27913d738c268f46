"""Group commit: changes executed in memory wait in one open batch; the
writer commits everything queued while the last commit ran in one
transaction, and only then answers, remembers the answers (a retried
request gets the same one) and publishes the events, in `seq` order."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection

from antrean import protocol
from antrean.core.model import iso
from antrean.core.office import Event
from server.broadcast import EventFrames, frames_of, send, text_frame
from server.standby import Fenced
from server.store import Batch, counter_row, merge_rows, ticket_row

if TYPE_CHECKING:
    from server.app import AntreanServer
    from server.session import Session

log = logging.getLogger("antrean.server")

CHECKPOINT_EVERY = 2000  # events between state checkpoints (at least)


@dataclass(frozen=True, slots=True)
class RequestKey:
    """What makes a request the same request when it is retried: the device
    (with its role: a kiosk calling itself "counter-1" must not be handed
    that console's answers) and the request's id as JSON."""

    device: str
    request_id: str


@dataclass(slots=True)
class Pending:
    """A change executed in memory, waiting for its commit to be answered."""

    sessions: list[Session]
    answer: str | None
    key: RequestKey | None
    events: list[EventFrames] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SharedTicket:
    """A result's ticket in wire form and as JSON, for the answer and its event."""

    wire: dict[str, Any]
    json: str

    @classmethod
    def of(cls, result: dict[str, Any]) -> SharedTicket | None:
        ticket = result.get("ticket")
        if len(result) != 1 or not isinstance(ticket, dict):
            return None
        return cls(ticket, protocol.dumps(ticket))


class CommitWriter:
    """The open batch, the changes waiting for it, and the answers of the day."""

    def __init__(self, server: AntreanServer) -> None:
        self.server = server
        self.answers: dict[RequestKey, str] = {}
        self.inflight: dict[RequestKey, Pending] = {}
        self.pending: list[Pending] = []
        self.batch = Batch.empty()
        self.wake = asyncio.Event()
        self.checkpoint_seq = 0

    # ------------------------------------------------------------ idempotency
    def answered(self, session: Session, key: RequestKey) -> bool:
        """A retried request gets the original answer, and is not executed again."""
        answer = self.answers.get(key)
        if answer is not None:
            send(session.ws, answer)
            return True
        pending = self.inflight.get(key)
        if pending is not None:
            pending.sessions.append(session)
            return True
        return False

    def forget(self) -> None:
        """Nothing queued any more (a lost lock, a failed commit)."""
        self.pending = []
        self.batch = Batch.empty()
        self.inflight.clear()

    # ------------------------------------------------------------ queueing
    def queue(self, pending: Pending, events: list[Event], session: Session | None,
              shared: SharedTicket | None = None) -> None:
        office = self.server.office
        batch = self.batch
        device = session.device if session else None
        staff = session.staff.username if session and session.staff else None
        for event in events:
            at = iso(event.at) or ""
            if shared is not None and event.ticket is not None and (
                event.ticket.id == shared.wire["id"] and event.counter is None
            ):
                extra = protocol.dumps(event.extra) if event.extra else ""
                data_json = (f'{{"ticket":{shared.json},{extra[1:]}' if extra
                             else f'{{"ticket":{shared.json}}}')
            else:
                data_json = protocol.dumps(office.event_data(event, with_staff=True))
            self.server.web.queued(event, staff)
            pending.events.append(frames_of(office, event, at, data_json))
            batch.events.append({
                "seq": event.seq, "day": event.day.isoformat(), "at": at, "name": event.name,
                "data": data_json, "device": device,
                "staff": staff,
            })
            self._rows_for(event, batch)
        self.maybe_checkpoint()
        if pending.key is not None and pending.answer is not None:
            batch.requests.append({"day": office.day.isoformat(), "device": pending.key.device,
                                   "request_id": pending.key.request_id,
                                   "answer": pending.answer})
            self.inflight[pending.key] = pending
        self.pending.append(pending)
        self.wake.set()

    def maybe_checkpoint(self, force: bool = False) -> None:
        """Now and then (more rarely as the day grows, so the cost per event
        stays small), put the whole state into the open batch: it commits with
        the events up to its seq, and a restart replays only what follows."""
        office = self.server.office
        due = max(CHECKPOINT_EVERY, len(office.tickets))
        if force or office.seq - self.checkpoint_seq >= due:
            self.batch.checkpoint = (office.seq, office.day.isoformat(),
                                     protocol.dumps(office.checkpoint()))
            self.checkpoint_seq = office.seq

    def _rows_for(self, event: Event, batch: Batch) -> None:
        """The ticket and counter rows an event changes, built from the domain
        objects (the office's counters as they now are)."""
        office = self.server.office
        day = event.day.isoformat()
        if event.ticket is not None:
            merge_rows(batch.tickets, [ticket_row(event.ticket, day)])
            for counter_id in (event.ticket.counter, event.extra.get("from_counter")):
                counter = office.counters.get(counter_id or "")
                if counter is not None:
                    merge_rows(batch.counters, [counter_row(counter)])
        if event.counter is not None:
            merge_rows(batch.counters, [counter_row(office.counters[event.counter.id])])
        if event.name == "day.rolled":  # yesterday's closures; every counter closed
            previous_day = str(event.extra["previous_day"])
            merge_rows(batch.tickets, [ticket_row(t, previous_day) for t in event.closed])
            merge_rows(batch.counters, [counter_row(c) for c in office.counters.values()])

    # ------------------------------------------------------------ committing
    async def run(self) -> None:
        """The writer task: everything queued while the last commit ran goes
        in the next one; answers and events leave only after it is durable."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            if self.pending:
                await self.commit_once()

    async def flush(self) -> None:
        while self.pending:
            await self.commit_once()

    async def commit_once(self) -> None:
        server = self.server
        items, self.pending = self.pending, []
        batch, self.batch = self.batch, Batch.empty()
        started = time.perf_counter()
        try:
            await server.store.write(batch)
        except Exception as exc:
            leadership = server.leadership
            if leadership is not None and (
                isinstance(exc, Fenced) or not await leadership.still_leading()
            ):
                # Not answered: the clients are closed and retry on the new leader.
                log.warning("commit refused, no longer the leader: %s", exc)
                leadership.lost.set()
                return
            log.exception("commit failed: answering internal and reloading from the database")
            server.metrics.commit_failures += 1
            server.web.failed()
            await server.recover(items + self.pending)
            return
        server.metrics.committed(time.perf_counter() - started, len(items))
        outgoing: dict[ServerConnection, list[bytes]] = {}
        for item in items:
            if item.key is not None and item.answer is not None:
                self.answers[item.key] = item.answer
                self.inflight.pop(item.key, None)
            if item.answer is not None:
                answer = text_frame(item.answer)
                for session in item.sessions:
                    outgoing.setdefault(session.ws, []).append(answer)
        started = time.perf_counter()
        last = server.broadcast.publish([event for item in items for event in item.events],
                                        outgoing)
        if last is not None:
            server.committed_seq = last
        server.metrics.fanout_seconds.observe(time.perf_counter() - started)
        server.web.committed(server.committed_seq)


def answers_from(stored: dict[tuple[str, str], str]) -> dict[RequestKey, str]:
    """The day's answers as the store reads them back, keyed for lookups."""
    return {RequestKey(device, request_id): answer
            for (device, request_id), answer in stored.items()}


def internal_from(answer: str | None) -> str:
    """The `internal` error that replaces an answer whose commit failed."""
    request_id = json.loads(answer).get("id") if answer else None
    return protocol.error(request_id, "internal", "the change could not be saved; try again")
