"""`antrean report` on a month of a busy office: 30 days x 3,000 tickets
(issued, called, started, done; no-shows, transfers, out-of-order calls,
tickets left at the day's close, survey responses, complaints), written
straight into a SQLite file in the server's own row shapes and hash chain,
then the report timed from the command to the written file, per format.
Target: under 10 s for the month on the 2-core machine. Each run prints
wall time and the process's CPU time (the SQLite read runs in a thread of
the same process, so it is counted): on a machine shared with other work the
wall time grows with the load average, which is printed too.

Every format is a fresh `antrean report` call in this process, so the first
pays Python's imports (matplotlib, openpyxl, fpdf2: about 1.5 s) and later
ones do not.

    python bench/bench_report.py [--days 30] [--tickets 3000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import audit
from server.store import Store

JAKARTA = timezone(timedelta(hours=7))
SERVICES = {"A": (0.35, 12.0), "B": (0.25, 10.0), "C": (0.2, 3.0), "D": (0.1, 15.0),
            "E": (0.1, 5.0)}
COUNTERS = {"A": ["1", "2", "6"], "B": ["1", "2", "6"], "C": ["3"], "D": ["4"], "E": ["5"]}
STAFF = {"1": "ani", "2": "budi", "3": "citra", "4": "dewi", "5": "eko", "6": "fajar"}
CATEGORIES = ("pelayanan", "petugas", "fasilitas", "pungli", "lainnya")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _ticket(tid: str, number: str, service: str, priority: str, status: str, issued: str,
            called: str | None = None, started: str | None = None,
            finished: str | None = None, counter: str | None = None, calls: int = 0,
            origin: str | None = None, closed: str | None = None) -> dict[str, object]:
    return {"id": tid, "number": number, "service": service, "priority": priority,
            "status": status, "issued_at": issued, "called_at": called, "started_at": started,
            "finished_at": finished, "counter": counter, "calls": calls, "lang": "id",
            "origin_service": origin, "closed_reason": closed}


def generate(path: Path, days: int, per_day: int, seed: int = 11,
             first_day: date = date(2026, 11, 1)) -> int:
    """Write the month into a new SQLite database; returns the number of events."""
    import asyncio

    async def create() -> None:
        store = Store(f"sqlite:///{path}")
        await store.open()
        await store.close()

    asyncio.run(create())
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    seq = 0
    head = audit.GENESIS
    codes = list(SERVICES)
    weights = [SERVICES[code][0] for code in codes]
    for day_index in range(days):
        day = first_day + timedelta(days=day_index)
        iso_day = day.isoformat()
        opening = datetime(day.year, day.month, day.day, 8, 0, tzinfo=JAKARTA)
        events: list[tuple[datetime, int, str, dict[str, object], str | None, str | None]] = []
        ticket_rows = []
        numbers = dict.fromkeys(codes, 0)
        order = 0

        def add(at: datetime, name: str, data: dict[str, object], device: str | None,
                staff: str | None, events: list[tuple[datetime, int, str, dict[str, object],
                                                      str | None, str | None]] = events
                ) -> None:
            nonlocal order
            order += 1
            events.append((at, order, name, data, device, staff))

        for counter, staff in STAFF.items():
            add(opening - timedelta(minutes=5), "counter.opened",
                {"counter": {"id": counter, "state": "open", "staff": {"username": staff}}},
                f"counter-{counter}", staff)
        for n in range(per_day):
            service = rng.choices(codes, weights)[0]
            numbers[service] += 1
            number = f"{service}{numbers[service]:03d}"
            tid = f"{iso_day}-{number}"
            issued = opening + timedelta(seconds=n * 8 * 3600 / per_day + rng.random() * 5)
            priority = "priority" if rng.random() < 0.08 else "regular"
            base = 5 + 40 * (n / per_day) * (1 if priority == "regular" else 0.3)
            wait = max(0.2, rng.expovariate(1 / base))
            eta = max(0, round(wait * rng.uniform(0.6, 1.5)))
            issued_s = _iso(issued)
            add(issued, "ticket.issued", {"ticket": {**_ticket(
                tid, number, service, priority, "waiting", issued_s), "ahead": n % 30,
                "eta_minutes": eta}}, "kiosk-1", None)
            if n >= per_day - per_day // 100:  # the last ones are still waiting at close
                closed = _ticket(tid, number, service, priority, "no_show", issued_s,
                                 finished=_iso(opening + timedelta(hours=16)),
                                 closed="day_end")
                ticket_rows.append((iso_day, closed))
                continue
            counter = rng.choice(COUNTERS[service])
            staff = STAFF[counter]
            call = issued + timedelta(minutes=wait)
            specific = rng.random() < 0.003
            call_extra: dict[str, object] = ({"via": "specific", "reason": "dokumen lengkap, "
                                              "dipanggil lebih dulu"} if specific
                                             else {"via": "next"})
            called = _ticket(tid, number, service, priority, "called", issued_s, _iso(call),
                             counter=counter, calls=1)
            add(call, "ticket.called", {"ticket": called, **call_extra}, f"counter-{counter}",
                staff)
            roll = rng.random()
            if roll < 0.05:
                gone = {**called, "status": "no_show",
                        "finished_at": _iso(call + timedelta(minutes=2))}
                add(call + timedelta(minutes=2), "ticket.no_show", {"ticket": gone},
                    f"counter-{counter}", staff)
                ticket_rows.append((iso_day, gone))
                continue
            origin = None
            if roll < 0.08 and service == "A":
                moved = _ticket(tid, number, "B", priority, "waiting", issued_s, origin="A")
                at = call + timedelta(minutes=1)
                add(at, "ticket.transferred", {"ticket": moved, "from_service": "A",
                                               "from_counter": counter},
                    f"counter-{counter}", staff)
                call = at + timedelta(minutes=rng.uniform(1, 10))
                service, origin = "B", "A"
                called = _ticket(tid, number, "B", priority, "called", issued_s, _iso(call),
                                 counter=counter, calls=1, origin="A")
                add(call, "ticket.called", {"ticket": called, "via": "next"},
                    f"counter-{counter}", staff)
            start = call + timedelta(minutes=0.5)
            finish = start + timedelta(minutes=max(0.5, rng.expovariate(
                1 / SERVICES[service][1])))
            serving = {**called, "status": "serving", "started_at": _iso(start)}
            add(start, "ticket.started", {"ticket": serving}, f"counter-{counter}", staff)
            done = {**serving, "status": "done", "finished_at": _iso(finish)}
            add(finish, "ticket.completed", {"ticket": done}, f"counter-{counter}", staff)
            ticket_rows.append((iso_day, {**done, "origin_service": origin}))
            if rng.random() < 0.1:
                answers = {f"u{k}": rng.choices((1, 2, 3, 4), (1, 4, 30, 20))[0]
                           for k in range(1, 10)}
                add(finish + timedelta(minutes=3), "survey.submitted", {"survey": {
                    "ticket": tid, "number": number, "service": service, "counter": counter,
                    "staff": staff, "day": iso_day, "answers": answers,
                    "profile": {"age": rng.randint(17, 75), "gender": rng.choice("LP"),
                                "education": rng.choice(("SMA", "D3", "S1", "S2")),
                                "occupation": rng.choice(("Swasta", "PNS", "Wiraswasta"))},
                    "comment": "Pelayanan cepat, terima kasih" if rng.random() < 0.1 else None,
                    "source": "phone"}}, "visitor", None)
        for k in range(3):
            filed = opening + timedelta(hours=1 + 2 * k)
            complaint = {"code": f"P{day.strftime('%m%d')}{k}", "category": CATEGORIES[k],
                         "text": "Antrean terlalu lama di loket paspor", "ticket": None,
                         "service": "A", "name": None, "contact": None, "status": "diterima",
                         "reply": None, "filed_at": _iso(filed), "updated_at": _iso(filed),
                         "deadline": _iso(filed + timedelta(days=5))}
            add(filed, "complaint.filed", {"complaint": complaint}, "visitor", None)
            if k < 2:
                answered = filed + timedelta(hours=3)
                add(answered, "complaint.updated", {"complaint": {
                    **complaint, "status": "selesai" if k == 0 else "diproses",
                    "reply": "Terima kasih, sudah kami tindak lanjuti.",
                    "updated_at": _iso(answered)}, "staff": "fajar"}, "counter-6", "fajar")
        events.sort(key=lambda item: (item[0], item[1]))
        rows = []
        for at, _, name, data, device, staff in events:
            seq += 1
            rows.append({"seq": seq, "day": iso_day, "at": _iso(at), "name": name,
                         "data": orjson.dumps(data).decode(), "device": device, "staff": staff})
        closing = datetime(day.year, day.month, day.day, 23, 59, tzinfo=JAKARTA) + timedelta(
            minutes=1)
        seq += 1
        rows.append({"seq": seq, "day": (day + timedelta(days=1)).isoformat(),
                     "at": _iso(closing), "name": "day.rolled",
                     "data": orjson.dumps({"day": (day + timedelta(days=1)).isoformat(),
                                           "closed": [], "reason": "day_end",
                                           "previous_day": iso_day}).decode(),
                     "device": None, "staff": None})
        head = audit.chain_rows(head, rows)
        connection.executemany(
            "INSERT INTO events (seq, day, at, name, data, device, staff, hash) VALUES "
            "(:seq, :day, :at, :name, :data, :device, :staff, :hash)", rows)
        connection.executemany(
            "INSERT INTO tickets (id, day, number, service, priority, status, issued_at, "
            "called_at, started_at, finished_at, counter, calls, lang, origin_service, "
            "closed_reason) VALUES (:id, :day, :number, :service, :priority, :status, "
            ":issued_at, :called_at, :started_at, :finished_at, :counter, :calls, :lang, "
            ":origin_service, :closed_reason)",
            [{**row, "day": row_day} for row_day, row in ticket_rows])
        connection.commit()
    connection.close()
    return seq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--keep", help="keep the database and reports in this folder")
    parser.add_argument("--formats", default="xlsx,html,pdf,zip")
    args = parser.parse_args()
    from antrean.cli import main as cli

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="antrean-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "month.db"
    if db.exists():
        db.unlink()
    started = time.perf_counter()
    events = generate(db, args.days, args.tickets)
    print(f"generated {args.days} days x {args.tickets} tickets: {events:,} events, "
          f"{db.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.1f} s")
    last = date(2026, 11, 1) + timedelta(days=args.days - 1)
    config = Path(__file__).resolve().parent.parent / "assets" / "office.example.toml"
    for fmt in args.formats.split(","):
        out = folder / f"report.{fmt}"
        started = time.perf_counter()
        cpu = time.process_time()
        code = cli(["report", "--db", f"sqlite:///{db}", "--from", "2026-11-01", "--to",
                    last.isoformat(), "--out", str(out),
                    *(["--config", str(config)] if config.exists() else [])])
        elapsed = time.perf_counter() - started
        used = time.process_time() - cpu
        over = "  OVER 10 s" if elapsed > 10 else ""
        print(f"report .{fmt}: {elapsed:.2f} s wall, {used:.2f} s CPU (exit {code}){over}")
    started = time.perf_counter()
    cli(["audit", "verify", "--db", f"sqlite:///{db}", "--lang", "en"])
    print(f"audit verify of the whole month: {time.perf_counter() - started:.2f} s")
    load = os.getloadavg()[0]
    print(f"at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f} on "
          f"{os.cpu_count()} cores; files in {folder}")


if __name__ == "__main__":
    main()
