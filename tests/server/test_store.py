"""The store on SQLite and PostgreSQL: one batch is one transaction (all of
it or none of it), rows are upserted, and everything a restart reads comes
back as written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from server.store import Batch, Store, normalise_url, split_schema
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

