"""The store on SQLite and PostgreSQL: one batch is one transaction (all of
it or none of it), rows are upserted, and everything a restart reads comes
back as written."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import MISSING, fields
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from antrean.core.model import (
    Counter,
    CounterSpec,
    CounterState,
    Priority,
    StaffRef,
    Status,
    Text,
    Ticket,
)
from server.store import (
    Batch,
    Store,
    counter_row,
    counters_table,
    normalise_url,
    split_schema,
    ticket_row,
    tickets_table,
)
from tests.server.databases import (
    ON_BOTH_DATABASES,
    RUN_SCHEMA,
    drop_schemas,
    fresh_postgres_url,
)

DAY = date(2026, 3, 10)
_R = TypeVar("_R")


def _event(seq: int, name: str = "ticket.issued", day: date = DAY) -> dict[str, Any]:
    return {"seq": seq, "day": day.isoformat(), "at": f"{day.isoformat()}T09:00:0{seq % 10}"
            "+07:00", "name": name, "data": f'{{"n":{seq}}}', "device": "kiosk-1",
            "staff": None}


def _ticket(number: str, status: str) -> dict[str, Any]:
    return {"id": f"{DAY.isoformat()}-{number}", "day": DAY.isoformat(), "number": number,
            "service": number[0], "priority": "regular", "status": status,
            "issued_at": f"{DAY.isoformat()}T09:00:00+07:00", "called_at": None,
            "started_at": None, "finished_at": None, "counter": None, "calls": 0,
            "lang": "id", "origin_service": None, "closed_reason": None,
            "step": 1, "steps": 1, "booking": None, "slot_at": None}


def _with_store(db_url: str, work: Callable[[Store], Awaitable[_R]]) -> _R:
    async def run() -> _R:
        store = Store(db_url)
        await store.open()
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


@ON_BOTH_DATABASES
def test_a_batch_reads_back_as_written(db_url: str) -> None:
    async def work(store: Store) -> None:
        await store.open()  # opening twice is harmless
        first = Batch.empty()
        first.events += [_event(1), _event(2)]
        first.tickets["A001"] = _ticket("A001", "waiting")
        first.requests.append({"day": DAY.isoformat(), "device": "kiosk:kiosk-1",
                               "request_id": '"k-1"', "answer": '{"type":"ok"}'})
        await store.write(first)
        second = Batch.empty()
        second.events.append(_event(3, "ticket.called"))
        second.tickets["A001"] = {**_ticket("A001", "called"), "counter": "1", "calls": 1}
        second.counters["1"] = {"id": "1", "state": "open", "services": '["A"]',
                                "ticket": f"{DAY.isoformat()}-A001", "device": "counter-1",
                                "staff": "demo", "since": None}
        second.checkpoint = (3, DAY.isoformat(), '{"seq":3}')
        await store.write(second)
        third = Batch.empty()
        third.checkpoint = (3, DAY.isoformat(), '{"seq":3,"newer":true}')
        await store.write(third)

        assert await store.last_seq() == 3
        assert await store.latest_day() == DAY
        assert [r.seq for r in await store.events_of_day(DAY)] == [1, 2, 3]
        assert [r.name for r in await store.events_after(1, DAY)] == [
            "ticket.issued", "ticket.called"]
        assert [r.seq for r in await store.events_between(2, 3)] == [2, 3]
        assert (await store.events_of_day(DAY))[0].data == '{"n":1}'
        tickets = await store.tickets_of_day(DAY)
        assert [(t["number"], t["status"], t["calls"]) for t in tickets] == [
            ("A001", "called", 1)]
        assert await store.answers_of_day(DAY) == {("kiosk:kiosk-1", '"k-1"'): '{"type":"ok"}'}
        assert await store.answers_of_day(date(2026, 3, 11)) == {}
        assert await store.latest_checkpoint(DAY) == (3, {"seq": 3, "newer": True})
        assert await store.latest_checkpoint(date(2026, 3, 11)) is None

    _with_store(db_url, work)


@ON_BOTH_DATABASES
def test_a_batch_that_fails_writes_nothing(db_url: str) -> None:
    async def work(store: Store) -> None:
        good = Batch.empty()
        good.events.append(_event(1))
        good.tickets["A001"] = _ticket("A001", "waiting")
        await store.write(good)
        bad = Batch.empty()
        bad.events += [_event(2), _event(1)]  # seq 1 again: the whole batch must fail
        bad.tickets["A001"] = _ticket("A001", "done")
        bad.tickets["A002"] = _ticket("A002", "waiting")
        bad.requests.append({"day": DAY.isoformat(), "device": "kiosk:k", "request_id": "1",
                             "answer": "{}"})
        with pytest.raises(IntegrityError):
            await store.write(bad)
        assert await store.last_seq() == 1
        tickets = await store.tickets_of_day(DAY)
        assert [(t["number"], t["status"]) for t in tickets] == [("A001", "waiting")]
        assert await store.answers_of_day(DAY) == {}

    _with_store(db_url, work)


@ON_BOTH_DATABASES
def test_an_empty_database(db_url: str) -> None:
    async def work(store: Store) -> None:
        assert await store.last_seq() == 0
        assert await store.latest_day() is None
        assert await store.events_of_day(DAY) == []

    _with_store(db_url, work)


@pytest.mark.parametrize(("url", "dialect"), [
    ("sqlite:///tmp/x.db", "sqlite"),
    ("sqlite+aiosqlite:///tmp/x.db", "sqlite"),
    ("postgresql://antrean@db/antrean", "postgresql"),
    ("postgresql+asyncpg://antrean@db/antrean", "postgresql"),
    ("postgres://antrean@db/antrean", "postgresql"),
])
def test_database_urls_as_operators_write_them(url: str, dialect: str) -> None:
    assert normalise_url(url)[1] == dialect


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        normalise_url("mysql://root@db/antrean")


@pytest.mark.parametrize("url", [
    "postgresql+asyncpg://antrean@db/antrean?schema=kanim_lampung",
    "postgresql://antrean@db/antrean?schema=_x9&ssl=require",
])
def test_a_postgresql_schema_is_taken_out_of_the_url(url: str) -> None:
    rest, schema = split_schema(url)
    assert schema in ("kanim_lampung", "_x9")
    assert "schema=" not in rest
    assert rest.startswith(url.split("?")[0])
    assert ("ssl=require" in rest) == ("ssl=require" in url)
    assert split_schema("postgresql://antrean@db/antrean") == (
        "postgresql://antrean@db/antrean", None)


@pytest.mark.parametrize(("url", "complaint"), [
    ("postgresql://a@db/x?schema=Kanim", "bad schema"),
    ("postgresql://a@db/x?schema=1st", "bad schema"),
    ('postgresql://a@db/x?schema=x";drop', "bad schema"),
    ("postgresql://a@db/x?schema=" + "x" * 64, "bad schema"),
    ("sqlite:///tmp/x.db?schema=office", "for PostgreSQL"),
])
def test_a_bad_schema_is_refused_before_anything_connects(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        Store(url)


@pytest.mark.postgres
def test_offices_in_two_schemas_of_one_database_do_not_see_each_other() -> None:
    base = fresh_postgres_url()
    first_url = base.replace(f"schema={RUN_SCHEMA}", f"schema={RUN_SCHEMA}_a")
    second_url = base.replace(f"schema={RUN_SCHEMA}", f"schema={RUN_SCHEMA}_b")

    async def run() -> tuple[int, int, list[str]]:
        first, second = Store(first_url), Store(second_url)
        await first.open()
        await second.open()
        try:
            batch = Batch.empty()
            batch.events += [_event(1), _event(2)]
            await first.write(batch)
            other = Batch.empty()
            other.events.append(_event(1, "ticket.called"))
            await second.write(other)  # the same seq: no clash in another schema
            names = [row.name for row in await second.events_of_day(DAY)]
            return await first.last_seq(), await second.last_seq(), names
        finally:
            for store in (first, second):
                await store.close()
            user = make_url(base).username
            assert user is not None
            await drop_schemas(user, f"{RUN_SCHEMA}_a", f"{RUN_SCHEMA}_b")

    assert asyncio.run(run()) == (2, 1, ["ticket.called"])



# --- rows from domain objects -------------------------------------------------------
JAKARTA = timezone(timedelta(hours=7))
AT = datetime(2026, 3, 10, 9, 0, 0, 123000, JAKARTA)


def _full_ticket() -> Ticket:
    """A ticket with every field set (none left at its default)."""
    return Ticket(id=f"{DAY.isoformat()}-D007", number="D007", service="D",
                  priority=Priority.PRIORITY, status=Status.DONE, issued_at=AT, lang="en",
                  called_at=AT + timedelta(minutes=5), started_at=AT + timedelta(minutes=6),
                  finished_at=AT + timedelta(minutes=20, microseconds=456789), counter="3",
                  calls=2, origin_service="B", closed_reason="day_end", step=2, steps=3,
                  booking="MP-4K7Q", slot_at=AT - timedelta(minutes=30))


def _row_of_wire(wire: dict[str, Any], day: str) -> dict[str, Any]:
    """The row as it was built from the wire form before (the reference)."""
    row = {c.name: wire.get(c.name) for c in tickets_table.columns if c.name != "id"}
    return {**row, "id": wire["id"], "day": day, "calls": int(wire.get("calls") or 0)}


def test_a_ticket_row_from_the_domain_equals_the_one_from_its_wire_form() -> None:
    ticket = _full_ticket()
    assert all(getattr(ticket, f.name) != f.default for f in fields(Ticket)
               if f.default is not MISSING)  # every field set: nothing hides behind a default
    row = ticket_row(ticket, DAY.isoformat())
    assert row == _row_of_wire(ticket.to_wire(), DAY.isoformat())
    assert set(row) == {c.name for c in tickets_table.columns}  # a new column needs a value
    assert row["finished_at"] == "2026-03-10T09:20:00.579+07:00"  # the wire's own format
    # the answer's extra fields (where it stands, its page) are not columns
    view = {**ticket.to_wire(), "ahead": 3, "eta_minutes": 12, "url": "https://x/t/1"}
    assert row == _row_of_wire(view, DAY.isoformat())
    plain = Ticket(id="x", number="A001", service="A", priority=Priority.REGULAR,
                   status=Status.WAITING, issued_at=AT)
    assert ticket_row(plain, "2026-03-10") == _row_of_wire(plain.to_wire(), "2026-03-10")


def test_a_counter_row_from_the_domain_equals_the_one_from_its_wire_form() -> None:
    ticket = _full_ticket()
    counter = Counter(CounterSpec("3", Text("Loket 3", "Counter 3"), ("A",)),
                      state=CounterState.OPEN, services=("D", "B"), ticket=ticket.id,
                      device="counter-3", staff=StaffRef("budi", "Budi"), since=AT,
                      steps=("D:2",))
    wire = counter.to_wire(ticket)
    assert counter_row(counter) == {
        "id": "3", "state": "open", "services": '["D", "B"]', "ticket": ticket.id,
        "device": "counter-3", "staff": "budi", "since": "2026-03-10T09:00:00.123+07:00"}
    assert counter_row(counter)["services"] == json.dumps(wire["services"])
    assert set(counter_row(counter)) == {c.name for c in counters_table.columns}
    closed = Counter(CounterSpec("4", Text("Loket 4", "Counter 4")))
    assert counter_row(closed) == {"id": "4", "state": "closed", "services": "[]",
                                   "ticket": None, "device": None, "staff": None,
                                   "since": None}
