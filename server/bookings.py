"""Bookings (appointments) in the database, their CSV import, and the
server's booking requests: `booking.add`, `booking.cancel` (supervisor) and
`booking.check_in` (kiosk).

A booking lives in its own table, apart from the day's event log: bookings
are made days ahead (an import, an integration, the supervisor tab), and a
check-in is an ordinary `ticket.issued` event whose ticket carries the code,
so "already used" is read from today's tickets (it survives restarts with
them). Staff skills (which services and steps a member of staff may serve)
are checked here too, before `counter.open` reaches the core.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.engine import Connection

from antrean import protocol
from antrean.core.bookings import Booking, make_booking, normalise_code
from antrean.core.model import DomainError, StaffRef
from antrean.core.office import Office
from server.config import OfficeConfig, StaffMember
from server.store import Store, metadata

if TYPE_CHECKING:
    from server.app import AntreanServer

bookings_table = Table(
    "bookings",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("service", String(40), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("start", String(5), nullable=False),
    Column("end", String(5), nullable=False),
    Column("name", String(200)),
    Column("cancelled", Integer, nullable=False, default=0),
    Column("updated_at", String(40), nullable=False),
    # Who did it (the audit of bookings, which are not events: they hold names):
    # a supervisor's username, or "import:<file name>".
    Column("added_by", String(200)),
    Column("cancelled_by", String(200)),
)

CSV_COLUMNS = ("code", "service", "date", "start", "end", "name")


def _row(booking: Booking, by: str | None) -> dict[str, Any]:
    return {"added_by": by, "cancelled_by": None,
            "code": booking.code, "service": booking.service, "day": booking.day.isoformat(),
            "start": booking.start.strftime("%H:%M"), "end": booking.end.strftime("%H:%M"),
            "name": booking.name, "cancelled": int(booking.cancelled),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds")}


def _booking(row: Any) -> Booking:
    return Booking.from_wire({"code": row.code, "service": row.service, "date": row.day,
                              "start": row.start, "end": row.end, "name": row.name,
                              "cancelled": bool(row.cancelled)})


async def find_booking(store: Store, code: str) -> Booking | None:
    def work(conn: Connection) -> Booking | None:
        row = conn.execute(select(bookings_table).where(
            bookings_table.c.code == normalise_code(code))).first()
        return _booking(row) if row is not None else None

    # The store's own thread (SQLite) or connection pool (PostgreSQL).
    return await store._run(work)


async def bookings_of_day(store: Store, day: str) -> list[Booking]:
    def work(conn: Connection) -> list[Booking]:
        rows = conn.execute(select(bookings_table).where(bookings_table.c.day == day)
                            .order_by(bookings_table.c.start, bookings_table.c.code))
        return [_booking(row) for row in rows]

    return await store._run(work)


async def add_bookings(store: Store, bookings: Iterable[Booking], by: str | None = None
                       ) -> tuple[int, list[str]]:
    """Insert the new codes; a code already there with the same content is
    skipped (an import run twice adds nothing), with other content it is
    reported as a conflict and left as it is. Returns (added, conflicting codes)."""
    wanted = list(bookings)

    def work(conn: Connection) -> tuple[int, list[str]]:
        added, conflicts = 0, []
        for booking in wanted:
            row = conn.execute(select(bookings_table).where(
                bookings_table.c.code == booking.code)).first()
            if row is None:
                conn.execute(bookings_table.insert().values(**_row(booking, by)))
                added += 1
            elif _booking(row) != booking:
                conflicts.append(booking.code)
        return added, conflicts

    return await store._run(work, transaction=True)


async def cancel_booking(store: Store, code: str, by: str | None = None) -> Booking | None:
    def work(conn: Connection) -> Booking | None:
        key = normalise_code(code)
        row = conn.execute(select(bookings_table).where(bookings_table.c.code == key)).first()
        if row is None:
            return None
        conn.execute(bookings_table.update().where(bookings_table.c.code == key)
                     .values(cancelled=1, cancelled_by=by,
                             updated_at=datetime.now(UTC).isoformat(timespec="seconds")))
        return _booking(row)

    return await store._run(work, transaction=True)


class CsvError(ValueError):
    """A bookings file that cannot be imported; the message names the line."""


def read_csv(text: str, services: Iterable[str]) -> list[Booking]:
    """The documented CSV (docs/bookings.md): a header line with
    code,service,date,start,end[,name]; every line checked before any is used."""
    known = set(services)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS[:5] if c not in header]
    if missing:
        raise CsvError(f"line 1: missing column(s) {', '.join(missing)} "
                       f"(expected {','.join(CSV_COLUMNS)})")
    reader.fieldnames = header
    bookings: list[Booking] = []
    seen: set[str] = set()
    for line, record in enumerate(reader, start=2):
        try:
            booking = make_booking(record.get("code") or "", record.get("service") or "",
                                   record.get("date") or "", record.get("start") or "",
                                   record.get("end") or "", record.get("name"))
        except DomainError as exc:
            raise CsvError(f"line {line}: {exc.message}") from None
        if booking.service not in known:
            raise CsvError(f"line {line}: service: unknown service {booking.service!r}")
        if booking.code in seen:
            raise CsvError(f"line {line}: code: {booking.code} appears twice")
        seen.add(booking.code)
        bookings.append(booking)
    return bookings


async def import_file(store: Store, path: Path, services: Iterable[str]) -> tuple[int, list[str]]:
    return await add_bookings(store, read_csv(path.read_text(encoding="utf-8"), services),
                              by=f"import:{path.name}")


# ------------------------------------------------------------------ skills
def refused_skills(member: StaffMember | None, services: Iterable[str],
                   steps: Iterable[str], step_counts: dict[str, int]) -> list[str]:
    """The services or steps ("D:2") that `member` may not serve; empty when all
    are allowed. Without a choice of steps a counter serves every step."""
    if member is None or member.skills is None:
        return []
    whole = {s for s in member.skills if ":" not in s}
    single = {s for s in member.skills if ":" in s}
    chosen = list(steps)
    wanted = chosen or [f"{code}:{n}" for code in services
                        for n in range(1, step_counts.get(code, 1) + 1)]
    refused = []
    for key in wanted:
        code, _, step = key.partition(":")
        if code in whole or f"{code}:{step or 1}" in single:
            continue
        refused.append(key if step_counts.get(code, 1) > 1 else code)
    return list(dict.fromkeys(refused))


def check_skills(office: Office, config: OfficeConfig, staff: StaffRef | None,
                 services: Iterable[str], steps: Iterable[str]) -> None:
    """`forbidden`, naming them, when the member of staff may not serve some of
    the services or steps a counter is being opened for."""
    services = list(services)
    for code in services:
        office.find_service(code)  # an unknown service is not_found, not forbidden
    member = config.staff_by_username(staff.username) if staff else None
    counts = {code: s.spec.step_count for code, s in office.services.items()}
    refused = refused_skills(member, services, steps, counts)
    if refused:
        raise DomainError("forbidden", f"{member.username if member else 'staff'} may not "
                          f"serve {', '.join(refused)}", {"refused": refused})


# ------------------------------------------------------------------ requests
DIRECT_REQUESTS = frozenset({"booking.add", "booking.cancel", "booking.list"})


async def answer(server: AntreanServer, request: protocol.Request,
                 staff: StaffRef | None = None) -> str:
    """A supervisor's booking request, answered once the bookings table has it
    (with the username of the member of staff who asked)."""
    args = request.args
    by = staff.username if staff is not None else None
    try:
        if request.type == "booking.add":
            booking = make_booking(args["code"], args["service"], args["date"], args["start"],
                                   args["end"], args.get("name"))
            server.office.find_service(booking.service)
            _, conflicts = await add_bookings(server.store, [booking], by)
            if conflicts:
                raise DomainError("conflict", f"booking {booking.code} exists with other "
                                  "details: cancel it first")
            return protocol.ok(request.id, {"booking": booking.to_wire()})
        if request.type == "booking.cancel":
            cancelled = await cancel_booking(server.store, args["code"], by)
            if cancelled is None:
                raise DomainError("not_found", f"no booking {normalise_code(args['code'])}")
            return protocol.ok(request.id, {"booking": {**cancelled.to_wire(),
                                                        "cancelled": True}})
        day = args.get("date") or server.office.day.isoformat()
        used = server.office.bookings_used
        rows = await bookings_of_day(server.store, day)
        return protocol.ok(request.id, {"date": day, "bookings": [
            {**b.to_wire(), "ticket": used.get(b.code)} for b in rows]})
    except DomainError as exc:
        return protocol.error(request.id, exc.code, exc.message)
