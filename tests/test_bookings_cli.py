"""`antrean bookings import`: the documented CSV into the database, idempotent,
a bad line named and nothing imported."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from antrean.cli import main
from server.bookings import bookings_of_day, bookings_table
from server.store import Store

EXAMPLE = Path(__file__).resolve().parents[1] / "assets" / "bookings.example.csv"


def stored(db: str, day: str) -> list[str]:
    async def read() -> list[str]:
        store = Store(db)
        await store.open()
        try:
            return [b.code for b in await bookings_of_day(store, day)]
        finally:
            await store.close()
    return asyncio.run(read())


def added_by(db: str, code: str) -> str | None:
    async def read() -> str | None:
        store = Store(db)
        await store.open()
        try:
            row = await store._run(lambda conn: conn.execute(
                select(bookings_table.c.added_by).where(bookings_table.c.code == code)).one())
            return row[0]  # type: ignore[no-any-return]
        finally:
            await store.close()
    return asyncio.run(read())


def test_import_twice_adds_nothing_the_second_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'office.db'}"
    assert main(["bookings", "import", str(EXAMPLE), "--demo", "--db", db]) == 0
    assert "4 new booking(s)" in capsys.readouterr().out
    assert main(["bookings", "import", str(EXAMPLE), "--demo", "--db", db]) == 0
    assert "0 new booking(s)" in capsys.readouterr().out
    assert stored(db, "2026-12-02") == ["MP-7Q2K9A", "MP-4H8T1C", "MP-9X3M5D", "MP-2B6R8E"]
    assert added_by(db, "MP-7Q2K9A") == "import:bookings.example.csv"


def test_a_bad_line_is_named_and_nothing_is_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'office.db'}"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,service,date,start,end\nMP-1111,A,2026-12-02,08:00,08:30\n"
                   "MP-2222,Z,2026-12-02,08:00,08:30\n", encoding="utf-8")
    assert main(["bookings", "import", str(bad), "--demo", "--db", db]) == 2
    assert "line 3: service: unknown service 'Z'" in capsys.readouterr().err
    assert stored(db, "2026-12-02") == []
    bad.write_text("code,service,date\n", encoding="utf-8")
    assert main(["bookings", "import", str(bad), "--demo", "--db", db]) == 2
    assert "missing column(s) start, end" in capsys.readouterr().err


def test_changed_details_are_reported_not_overwritten(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'office.db'}"
    main(["bookings", "import", str(EXAMPLE), "--demo", "--db", db])
    changed = tmp_path / "changed.csv"
    changed.write_text("code,service,date,start,end\nMP-7Q2K9A,A,2026-12-03,08:00,08:30\n",
                       encoding="utf-8")
    assert main(["bookings", "import", str(changed), "--demo", "--db", db]) == 1
    assert "MP-7Q2K9A: already booked with other details" in capsys.readouterr().err
