"""Several offices in one PostgreSQL database (one schema each): `--office`
reports one of them, and the schemas holding an event log are found."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import make_url

from antrean.cli import main as cli
from antrean.core.model import Ticket
from server.report import office_schemas, with_schema
from server.store import Batch, Store, ticket_row
from tests.server.databases import RUN_SCHEMA, drop_schemas, fresh_postgres_url

DAY = "2026-11-02"


def _ticket_events(store_url: str, tickets: int) -> None:
    async def write() -> None:
        store = Store(store_url)
        await store.open()
        batch = Batch.empty()
        for n in range(1, tickets + 1):
            wire = {"id": f"{DAY}-A{n:03d}", "number": f"A{n:03d}", "service": "A",
                    "priority": "regular", "status": "waiting",
                    "issued_at": f"{DAY}T08:{n:02d}:00.000+07:00", "called_at": None,
                    "started_at": None, "finished_at": None, "counter": None, "calls": 0,
                    "lang": "id", "origin_service": None, "closed_reason": None,
                    "step": 1, "steps": 1, "booking": None, "slot_at": None}  # issue 12
            batch.events.append({"seq": n, "day": DAY, "at": wire["issued_at"],
                                 "name": "ticket.issued",
                                 "data": orjson.dumps({"ticket": wire}).decode(),
                                 "device": "kiosk-1", "staff": None})
            batch.tickets[wire["id"]] = ticket_row(Ticket.from_wire(wire), DAY)  # the store's rows
        await store.write(batch)
        await store.close()

    asyncio.run(write())


@pytest.mark.postgres
def test_one_office_of_several(tmp_path: Path) -> None:
    base = fresh_postgres_url()
    plain = make_url(base).difference_update_query(["schema"]).render_as_string(
        hide_password=False)
    first, second = f"{RUN_SCHEMA}_kanim_a", f"{RUN_SCHEMA}_kanim_b"
    try:
        _ticket_events(with_schema(plain, first), 3)
        _ticket_events(with_schema(plain, second), 5)
        assert {first, second} <= set(office_schemas(plain))
        for schema, issued in ((first, 3), (second, 5)):
            out = tmp_path / f"{schema}.xlsx"
            assert cli(["report", "--db", plain, "--office", schema, "--from", DAY,
                        "--to", DAY, "--out", str(out), "--lang", "en"]) == 0
            rows = list(load_workbook(out)["Per day"].iter_rows(min_row=2, values_only=True))
            assert rows[0][:2] == (DAY, issued)
    finally:
        user = make_url(base).username
        assert user is not None
        asyncio.run(drop_schemas(user, first, second))


@pytest.mark.postgres
def test_every_office_of_a_database(tmp_path: Path) -> None:
    """--all-offices, on a database of its own (the shared test database holds
    other runs' schemas, which come and go)."""
    import asyncpg

    base = fresh_postgres_url()
    url = make_url(base)
    name = f"{RUN_SCHEMA}_all"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(user=url.username, host=url.host, port=url.port,
                                           database=url.database)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    own = url.set(database=name).difference_update_query(["schema"]).render_as_string(
        hide_password=False)
    try:
        _ticket_events(with_schema(own, "kanim_a"), 2)
        _ticket_events(with_schema(own, "kanim_b"), 4)
        out = tmp_path / "bulan.xlsx"
        assert cli(["report", "--db", own, "--all-offices", "--from", DAY, "--to", DAY,
                    "--out", str(out)]) == 0
        for schema, issued in (("kanim_a", 2), ("kanim_b", 4)):
            book = load_workbook(tmp_path / f"bulan-{schema}.xlsx")
            assert next(book["Per hari"].iter_rows(min_row=2, values_only=True))[:2] == (
                DAY, issued)
            assert ("Kantor", schema) in set(book["Ringkasan"].iter_rows(values_only=True))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
