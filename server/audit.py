"""The tamper-evident event log: every event row carries
`hash = SHA-256(previous hash || the event's canonical bytes)` (hex), so a
changed, removed or inserted row breaks the chain from that row on.

The canonical bytes of an event are the compact JSON array
`[seq, day, at, name, data, device, staff]` as orjson writes it (UTF-8, no
spaces; `data` is the stored JSON text, byte for byte). The previous hash
enters as its 64 hex characters; the first event chains from `GENESIS`.

The store computes the hashes on its own thread, in the transaction that
writes the events, from the last hash it keeps in memory; `prepare` reads it
once when the store opens, after giving an older database its chain
(`backfill_chain`) and, on PostgreSQL, the trigger that refuses UPDATE and
DELETE on the log. `verify` recomputes the chain for `antrean audit verify`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.engine import Connection

GENESIS = "0" * 64  # the "previous hash" of a database's first event
HASH_COLUMN = "hash"
_EVENT_FIELDS = ("seq", "day", "at", "name", "data", "device", "staff")
_BACKFILL_BATCH = 5000

# PostgreSQL: the log is append-only for everyone who is not the table's owner
# disabling the trigger on purpose. The one update let through fills a missing
# hash (an older database getting its chain) and changes nothing else.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION antrean_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
     AND (NEW.seq, NEW.day, NEW.at, NEW.name, NEW.data, NEW.device, NEW.staff)
         IS NOT DISTINCT FROM
         (OLD.seq, OLD.day, OLD.at, OLD.name, OLD.data, OLD.device, OLD.staff) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the event log is append-only: % on events refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION antrean_events_append_only()",
    "CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION antrean_events_append_only()",
)


def canonical(seq: int, day: str, at: str, name: str, data: str, device: str | None,
              staff: str | None) -> bytes:
    return orjson.dumps([seq, day, at, name, data, device, staff])


def chain(previous: str, seq: int, day: str, at: str, name: str, data: str,
          device: str | None, staff: str | None) -> str:
    digest = hashlib.sha256(previous.encode("ascii"))
    digest.update(orjson.dumps([seq, day, at, name, data, device, staff]))
    return digest.hexdigest()


def chain_rows(previous: str, rows: Iterable[dict[str, Any]]) -> str:
    """Give each event row (a dict as the store writes it) its `hash`, in
    order; returns the last hash."""
    for row in rows:
        digest = hashlib.sha256(previous.encode("ascii"))
        digest.update(orjson.dumps([row["seq"], row["day"], row["at"], row["name"],
                                    row["data"], row["device"], row["staff"]]))
        previous = row["hash"] = digest.hexdigest()
    return previous


# The log as these functions need it (a migration can use them without the store's tables).
_EVENTS = table("events", *(column(name) for name in (*_EVENT_FIELDS, HASH_COLUMN)))


def add_hash_column(conn: Connection) -> bool:
    """The nullable `hash` column on an `events` table made before it existed;
    True when it had to be added."""
    columns = {column["name"] for column in inspect(conn).get_columns("events")}
    if HASH_COLUMN in columns:
        return False
    conn.exec_driver_sql("ALTER TABLE events ADD COLUMN hash VARCHAR(64)")
    return True


def backfill_chain(connection: Connection) -> str:
    """Chain every event that has no hash yet, from the last hashed event
    before it (or from GENESIS), in seq order; returns the last hash of the
    log (GENESIS when it is empty). Meant to run in one transaction, by the
    store on start or by a migration."""
    events = _EVENTS
    first_missing = connection.execute(
        select(events.c.seq).where(events.c.hash.is_(None)).order_by(events.c.seq).limit(1)
    ).scalar()
    if first_missing is not None:
        before = connection.execute(
            select(events.c.hash).where(events.c.seq < first_missing)
            .order_by(events.c.seq.desc()).limit(1)
        ).scalar()
        previous = before or GENESIS
        update = text("UPDATE events SET hash = :hash WHERE seq = :seq")
        after = first_missing - 1
        while True:
            rows = connection.execute(
                select(*(events.c[name] for name in _EVENT_FIELDS))
                .where(events.c.seq > after).order_by(events.c.seq).limit(_BACKFILL_BATCH)
            ).all()
            if not rows:
                break
            changes = []
            for row in rows:
                previous = chain(previous, *row)
                changes.append({"hash": previous, "seq": row[0]})
            connection.execute(update, changes)
            after = rows[-1][0]
    return last_hash(connection)


def last_hash(connection: Connection) -> str:
    events = _EVENTS
    value = connection.execute(
        select(events.c.hash).order_by(events.c.seq.desc()).limit(1)).scalar()
    return str(value) if value else GENESIS


def hash_before(connection: Connection, seq: int) -> str:
    """The hash an event numbered `seq` chains from (one look-up by key)."""
    events = _EVENTS
    value = connection.execute(
        select(events.c.hash).where(events.c.seq < seq).order_by(events.c.seq.desc()).limit(1)
    ).scalar()
    return str(value) if value else GENESIS


def prepare(connection: Connection) -> tuple[int, str]:
    """On opening a database: the hash column, the chain of any events written
    before it, the append-only trigger (PostgreSQL); returns the last event's
    seq (0 for none) and hash."""
    add_hash_column(connection)
    events = _EVENTS
    newest = connection.execute(
        select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)).first()
    # Hashes are always written with their events, so a hashed last row means a
    # hashed log: one look at the last row, not a scan, on every start.
    if newest is None:
        result = (0, GENESIS)
    else:
        result = (int(newest[0]), backfill_chain(connection) if newest[1] is None
                  else str(newest[1]))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            connection.exec_driver_sql(statement)
    return result


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    count: int  # events checked
    last_hash: str  # the last good hash (the last event's when ok)
    seq: int | None = None  # the first seq found changed, removed or inserted
    problem: str | None = None  # changed, removed, inserted, changed_or_inserted


def verify(connection: Connection, first_day: str | None = None,
           last_day: str | None = None) -> Verdict:
    """Recompute the chain over the days asked for (all by default). The range
    starts from the stored hash of the event before it, so a range is checked
    against the log as it stood; the whole log is checked from GENESIS."""
    events = _EVENTS
    query = select(*(events.c[name] for name in _EVENT_FIELDS), events.c.hash)
    previous = GENESIS
    previous_seq = 0
    if first_day is not None:
        query = query.where(events.c.day >= first_day)
        before = connection.execute(
            select(events.c.seq, events.c.hash).where(events.c.day < first_day)
            .order_by(events.c.seq.desc()).limit(1)).first()
        if before is not None:
            previous_seq, previous = int(before[0]), str(before[1] or GENESIS)
    if last_day is not None:
        query = query.where(events.c.day <= last_day)
    rows: Sequence[Any] = connection.execute(query.order_by(events.c.seq)).all()
    return check_rows(rows, previous, previous_seq)


def check_rows(rows: Sequence[Any], previous: str, previous_seq: int) -> Verdict:
    """The chain over rows of (seq, day, at, name, data, device, staff, hash).

    Seqs run 1, 2, 3, ... with no gap, so a gap is a removed row, unless the
    row after it is the last and foreign (an insertion beyond the end). A row
    whose hash does not follow is inserted when it has none or when the next
    row chains straight from the row before it, and changed otherwise."""
    count = 0
    for index, row in enumerate(rows):
        seq = int(row[0])
        expected = chain(previous, *row[:7])
        last = index + 1 == len(rows)
        if seq <= previous_seq:
            return Verdict(False, count, previous, seq, "inserted")
        if seq != previous_seq + 1:
            if row[7] == expected or (last and row[7] is None):
                return Verdict(False, count, previous, seq, "inserted")
            return Verdict(False, count, previous, previous_seq + 1, "removed")
        if row[7] != expected:
            if row[7] is None:
                return Verdict(False, count, previous, seq, "inserted")
            if last:  # nothing after it to tell the two apart
                return Verdict(False, count, previous, seq, "changed_or_inserted")
            following = rows[index + 1]
            if following[7] == chain(previous, *following[:7]):
                return Verdict(False, count, previous, seq, "inserted")
            return Verdict(False, count, previous, seq, "changed")
        previous, previous_seq = expected, seq
        count += 1
    return Verdict(True, count, previous)


def run_verify(db_url: str, first_day: str | None, last_day: str | None,
               lang: str = "id") -> int:
    """`antrean audit verify`: 0 and the count and last hash when the chain
    holds, 1 naming the first bad seq, 2 when the database cannot be read."""
    import asyncio
    import sys

    from sqlalchemy.exc import SQLAlchemyError

    from antrean.i18n import tr
    from server.store import Store

    for value in (first_day, last_day):
        if value is not None and not _is_day(value):
            print(tr("audit.bad_day", lang, value=value), file=sys.stderr)
            return 2

    async def read() -> Verdict:
        store = Store(db_url)
        try:
            return await store.run(lambda conn: verify(conn, first_day, last_day))
        finally:
            await store.close()

    try:
        verdict = asyncio.run(read())
    except (ValueError, OSError, SQLAlchemyError) as exc:
        print(tr("audit.unreadable", lang, reason=str(exc).splitlines()[0]), file=sys.stderr)
        return 2
    if verdict.ok:
        print(tr("audit.ok", lang, count=verdict.count, hash=verdict.last_hash))
        return 0
    print(tr(f"audit.{verdict.problem}", lang, seq=verdict.seq, count=verdict.count,
             hash=verdict.last_hash), file=sys.stderr)
    return 1


def _is_day(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
