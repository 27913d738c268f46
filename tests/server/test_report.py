"""`antrean report` on a day produced through the real server (kiosk, two
counters with two members of staff, calls, a transfer, no-shows, an
out-of-order call, a quota, a day roll), plus survey responses and
complaints written into the log as the visitor pages write them. Every
figure checked is counted here again from the event log, and read back from
the XLSX (openpyxl), the CSV files, the HTML and the PDF's text."""

from __future__ import annotations

import asyncio
import csv
import io
import math
import subprocess
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from openpyxl import load_workbook

from antrean.cli import main as cli
from server.store import Batch, EventRow, Store
from tests.server.databases import ON_BOTH_DATABASES
from tests.server.offices import CLERK_PIN, CLERK_USERNAME, config_with_clerk
from tests.server.servers import Servers, app
from tests.server.wire import RawClient
from tests.support import FakeClock

Connect = Callable[..., RawClient]
MONDAY_8AM = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
DAY, NEXT = "2026-11-02", "2026-11-03"
SNEAKY = "<script>alert('x')</script> dokumen & berkas lengkap"
SURVEYS = [  # (ticket number, service, counter, answers u1..u9, comment)
    ("A002", "A", "1", [4, 3, 4, 4, 3, 4, 4, 3, 4], "Cepat <b>sekali</b>"),
    ("B001", "B", "2", [3, 3, 3, 4, 3, 3, 3, 3, 3], None),
    ("C001", "C", "1", [2, 3, 3, 4, 2, 3, 3, 2, 3], "Ruang tunggu panas"),
]


def _produce_day(servers: Servers, connect: Connect) -> None:
    clock = FakeClock(MONDAY_8AM)
    server = servers.start(config=config_with_clerk(), clock=clock)

    def later(minutes: float) -> None:
        clock.now += timedelta(minutes=minutes)

    kiosk = connect(server, "kiosk", "kiosk-1")
    supervisor = connect(server, "supervisor", "supervisor-1")
    supervisor.login()
    supervisor.ok("service.update", service="C", quota=5)
    first = connect(server, "counter", "counter-1")
    first.login()
    first.ok("counter.open", counter="1", services=["A", "B", "C"])
    second = connect(server, "counter", "counter-2")
    second.login(CLERK_USERNAME, CLERK_PIN)
    second.ok("counter.open", counter="2", services=["A", "B"])

    issued = {}
    for number, service, priority in (("A001", "A", "regular"), ("A002", "A", "regular"),
                                      ("B001", "B", "regular"), ("A003", "A", "priority"),
                                      ("C001", "C", "regular"), ("A004", "A", "regular"),
                                      ("A005", "A", "regular"), ("B002", "B", "regular")):
        ticket = kiosk.ok("ticket.issue", service=service, priority=priority)["ticket"]
        assert ticket["number"] == number
        issued[number] = ticket["id"]
        later(2)
    # 08:16. The priority ticket goes first; counter 1 serves it and ends it.
    assert first.ok("ticket.call_next", counter="1")["ticket"]["number"] == "A003"
    later(1)
    first.ok("ticket.start", ticket=issued["A003"])
    later(6)
    first.ok("ticket.complete", ticket=issued["A003"])
    # The clerk serves A001, then calls A002 and transfers it to B.
    assert second.ok("ticket.call_next", counter="2")["ticket"]["number"] == "A001"
    first_start = second.ok("ticket.start", ticket=issued["A001"])
    assert first_start["ticket"]["status"] == "serving"
    later(9)
    second.ok("ticket.complete", ticket=issued["A001"])
    assert second.ok("ticket.call_next", counter="2")["ticket"]["number"] == "A002"
    later(1)
    second.ok("ticket.transfer", ticket=issued["A002"], service="B")
    # Counter 1 calls A005 out of order, with a reason full of markup.
    first.ok("ticket.call", counter="1", ticket=issued["A005"], reason=SNEAKY)
    later(2)
    first.ok("ticket.no_show", ticket=issued["A005"])
    # A002 keeps its arrival time in B: the clerk serves it there.
    assert second.ok("ticket.call_next", counter="2")["ticket"]["number"] == "A002"
    later(3)
    second.ok("ticket.start", ticket=issued["A002"])
    later(4)
    second.ok("ticket.complete", ticket=issued["A002"])
    assert first.ok("ticket.call_next", counter="1")["ticket"]["number"] == "B001"
    later(1)
    first.ok("ticket.start", ticket=issued["B001"])
    later(5)
    first.ok("ticket.complete", ticket=issued["B001"])
    for _ in range(2):  # C001 and A004, in the order the policy picks
        called = first.ok("ticket.call_next", counter="1")["ticket"]
        later(3)
        if called["number"] == "C001":
            first.ok("ticket.complete", ticket=called["id"])  # straight from called to done
        else:
            assert called["number"] == "A004"
            first.ok("ticket.no_show", ticket=called["id"])
    later(2)
    # B002 is still waiting when the day ends; then the next day begins.
    clock.now = datetime(2026, 11, 2, 17, 0, 5, tzinfo=UTC)
    server.call(app(server).check_day)
    assert kiosk.event("day.rolled")["data"]["day"] == NEXT
    clock.now = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    kiosk.ok("ticket.issue", service="A")
    for client in (kiosk, supervisor, first, second):
        client.close()
    servers.stop_all()


def _log(db_url: str) -> list[EventRow]:
    async def read() -> list[EventRow]:
        store = Store(db_url)
        await store.open()
        try:
            return await store.events_between(1, 10**9)
        finally:
            await store.close()

    return asyncio.run(read())


def _append_visitor_events(db_url: str, ids: dict[str, str]) -> None:
    """Survey responses and complaints, as the visitor pages write them."""

    async def write() -> None:
        store = Store(db_url)
        await store.open()
        seq = await store.last_seq()
        batch = Batch.empty()

        def add(name: str, at: str, data: dict[str, Any], staff: str | None = None) -> None:
            nonlocal seq
            seq += 1
            batch.events.append({"seq": seq, "day": at[:10], "at": at, "name": name,
                                 "data": orjson.dumps(data).decode(), "device": "visitor",
                                 "staff": staff})

        for number, service, counter, answers, comment in SURVEYS:
            add("survey.submitted", "2026-11-03T09:00:00.000+07:00", {"survey": {
                "ticket": ids[number], "number": number, "service": service,
                "counter": counter, "staff": None, "day": DAY,
                "answers": {f"u{k}": value for k, value in enumerate(answers, start=1)},
                "profile": {"age": 30, "gender": "P", "education": "S1", "occupation": None},
                "comment": comment, "source": "phone"}})
        base = {"category": "pelayanan", "ticket": None, "service": "A", "name": None,
                "contact": None, "reply": None, "filed_at": "2026-11-03T08:30:00.000+07:00",
                "deadline": "2026-11-03T12:00:00.000+07:00"}
        first = {**base, "code": "K-1", "text": "Antrean <lama>", "status": "diterima",
                 "updated_at": base["filed_at"]}
        add("complaint.filed", "2026-11-03T08:30:00.000+07:00", {"complaint": first})
        add("complaint.updated", "2026-11-03T10:30:00.000+07:00", {"complaint": {
            **first, "status": "selesai", "reply": "Sudah ditambah loket",
            "updated_at": "2026-11-03T10:30:00.000+07:00"}, "staff": "demo"}, "demo")
        second = {**base, "code": "K-2", "category": "fasilitas", "text": "AC mati",
                  "status": "diterima", "updated_at": base["filed_at"]}
        add("complaint.filed", "2026-11-03T08:30:00.000+07:00", {"complaint": second})
        await store.write(batch)
        await store.close()

    asyncio.run(write())


def _nearest_rank(values: list[float], p: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


def _from_the_log(rows: list[EventRow]) -> dict[str, Any]:
    """The figures, counted straight from the events."""
    issued: dict[str, dict[str, Any]] = {}
    first_call: dict[str, datetime] = {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    out_of_order = []
    closed: list[str] = []
    for row in rows:
        data = orjson.loads(row.data)
        ticket = data.get("ticket") or {}
        if row.name == "ticket.issued":
            issued[ticket["id"]] = ticket
            counts[ticket["service"]]["issued"] += 1
        elif row.name == "ticket.called":
            first_call.setdefault(ticket["id"], datetime.fromisoformat(row.at))
            if data.get("via") == "specific":
                out_of_order.append((ticket["number"], data["reason"], row.staff))
        elif row.name == "ticket.completed":
            counts[issued[ticket["id"]]["service"]]["served"] += 1
        elif row.name == "ticket.no_show":
            counts[issued[ticket["id"]]["service"]]["no_shows"] += 1
        elif row.name == "ticket.transferred":
            counts[issued[ticket["id"]]["service"]]["transfers"] += 1
        elif row.name == "day.rolled":
            closed += data["closed"]
    waits: dict[str, list[float]] = defaultdict(list)
    for tid, ticket in issued.items():
        if tid in first_call:
            wait = (first_call[tid] - datetime.fromisoformat(ticket["issued_at"]))
            waits[ticket["service"]].append(wait.total_seconds() / 60)
    return {"counts": counts, "waits": waits, "out_of_order": out_of_order,
            "closed": closed, "issued": issued}


@ON_BOTH_DATABASES
def test_a_day_through_the_server_reported_in_every_format(
        db_url: str, connect: Connect, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers = Servers(db_url)
    try:
        _produce_day(servers, connect)
    finally:
        servers.stop_all()
    server_rows = _log(db_url)
    ids = {orjson.loads(r.data)["ticket"]["number"]: orjson.loads(r.data)["ticket"]["id"]
           for r in server_rows if r.name == "ticket.issued" and r.day == DAY}
    _append_visitor_events(db_url, ids)
    rows = _log(db_url)
    log = _from_the_log(rows)  # both days of the period
    counts, waits = log["counts"], log["waits"]
    # What the period was, as the log tells it (so the checks below mean something):
    # the first day's A001-A005, and the next day's A001 still waiting.
    assert dict(counts["A"]) == {"issued": 6, "served": 3, "no_shows": 2, "transfers": 1}
    assert dict(counts["B"]) == {"issued": 2, "served": 1}
    assert log["closed"] == [ids["B002"]]
    assert [(n, r) for n, r, _ in log["out_of_order"]] == [("A005", SNEAKY)]

    out = tmp_path / "laporan"
    for suffix in (".xlsx", ".zip", ".html", ".pdf"):
        assert cli(["report", "--db", db_url, "--from", DAY, "--to", NEXT,
                    "--out", f"{out}{suffix}"]) == 0
    assert cli(["report", "--db", db_url, "--from", DAY, "--to", NEXT, "--lang", "en",
                "--out", str(tmp_path / "report.csv")]) == 0
    capsys.readouterr()

    # ---- XLSX: real numbers, frozen headers, one sheet per table.
    book = load_workbook(f"{out}.xlsx")
    assert book.sheetnames[0] == "Ringkasan" and "Grafik" in book.sheetnames
    assert len(book["Grafik"]._images) == 4  # hourly, waits, per service, SKM
    services = book["Per layanan"]
    assert services.freeze_panes == "A2"
    header = [cell.value for cell in services[1]]
    assert header[:5] == ["Layanan", "Tiket diambil", "Dilayani", "Tidak hadir", "Dialihkan"]
    by_service = {row[0]: row for row in services.iter_rows(min_row=2, values_only=True)}
    a_row = by_service["A"]
    assert a_row[1:5] == (6, 3, 2, 1)
    assert all(isinstance(value, int) for value in a_row[1:5])
    column = {name: header.index(name) for name in header}
    assert a_row[column["Tunggu p50 (menit)"]] == pytest.approx(_nearest_rank(waits["A"], 50))
    assert a_row[column["Tunggu p90 (menit)"]] == pytest.approx(_nearest_rank(waits["A"], 90))
    assert a_row[column["Tunggu maks. (menit)"]] == pytest.approx(max(waits["A"]))
    assert a_row[column["Porsi prioritas"]] == pytest.approx(1 / 6)
    assert by_service["B"][column["Terbuka saat tutup"]] == 1
    assert services.cell(2, column["Tunggu p50 (menit)"] + 1).number_format == "0.0"
    days = {row[0]: row for row in book["Per hari"].iter_rows(min_row=2, values_only=True)}
    # Issued, served, no-shows, transfers of the first day (the next day only issued one).
    assert days[DAY][1:5] == tuple(sum(c[k] for c in counts.values()) - (k == "issued")
                                   for k in ("issued", "served", "no_shows", "transfers"))
    assert days[DAY][1:5] == (8, 5, 2, 1)
    assert days[NEXT][1] == 1

    staff = {row[0]: row for row in book["Per petugas"].iter_rows(min_row=2, values_only=True)}
    completed_by = defaultdict(int)
    for row in rows:
        if row.name == "ticket.completed":
            completed_by[row.staff] += 1
    assert staff["demo"][2] == completed_by["demo"] == 3
    assert staff[CLERK_USERNAME][2] == completed_by[CLERK_USERNAME] == 2
    assert staff[CLERK_USERNAME][4] == 1  # the transfer

    calls = list(book["Panggilan tidak urut"].iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[5], row[6]) for row in calls if row[2]] == [
        (n, s, r) for n, r, s in log["out_of_order"]]
    quota = list(book["Pemakaian kuota"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert quota == [(DAY, "C", 5, 1, pytest.approx(0.2))]
    closed = list(book["Terbuka saat tutup"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert closed == [(DAY, "B", "Menunggu", "Ditutup otomatis saat pergantian hari", 1)]

    eta = {row[0]: row for row in book["Ketepatan perkiraan"].iter_rows(
        min_row=2, values_only=True) if row[0]}
    served_with_eta = [tid for tid, ticket in log["issued"].items()
                       if ticket["service"] == "A" and tid in {
                           orjson.loads(r.data)["ticket"]["id"] for r in rows
                           if r.name == "ticket.completed"}]
    assert eta["A"][1] == len(served_with_eta) == 3

    # SKM: the three responses, worked by hand: sums per unsur 9,9,10,12,8,10,10,8,10
    # -> NRRs /3, their sum 86/3, IKM 86/27 = 3.185, converted 79.63 -> B (Baik).
    skm_rows = list(book["SKM - IKM"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in skm_rows[:9]] == [9, 9, 10, 12, 8, 10, 10, 8, 10]
    assert skm_rows[9][5] == pytest.approx(3.185)
    assert skm_rows[10][5] == pytest.approx(79.63)
    assert skm_rows[11][5] == "B (Baik)"
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]}
    last_hash = rows[-1].hash
    assert last_hash and summary["Hash audit terakhir"] == last_hash
    assert any("Responden kurang" in str(value) for value in summary.values()) or any(
        "Responden kurang" in str(row) for row in book["Ringkasan"].iter_rows(values_only=True))
    complaints = {row[0]: row for row in book["Daftar pengaduan"].iter_rows(
        min_row=2, values_only=True) if row[0]}
    assert complaints["K-1"][5] == "Sudah ditambah loket" and complaints["K-1"][7] == 2.0
    assert complaints["K-2"][9] == "Ya"  # open past its deadline

    # ---- CSV (a zip, and an English folder): the same figures.
    with zipfile.ZipFile(f"{out}.zip") as archive:
        text = archive.read("per_service.csv").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["Layanan", "Tiket diambil", "Dilayani"]
    a_csv = next(row for row in table if row[0] == "A")
    assert a_csv[1:5] == ["6", "3", "2", "1"]
    english = list(csv.reader(io.StringIO(
        (tmp_path / "report" / "per_service.csv").read_text(encoding="utf-8-sig"))))
    assert english[0][:3] == ["Service", "Tickets issued", "Served"]

    # ---- HTML: one self-contained file, everything escaped.
    html = Path(f"{out}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)" in html
    assert "Cepat &lt;b&gt;sekali&lt;/b&gt;" in html
    assert html.count("data:image/png;base64,") >= 3 and "http" not in html.split("<body>")[1]
    assert last_hash in html

    # ---- PDF: A4 pages with the office, period and page numbers.
    pdf_text = subprocess.run(["pdftotext", "-layout", f"{out}.pdf", "-"], check=True,
                              capture_output=True, text=True).stdout
    assert "Periode 2026-11-02 s.d. 2026-11-03" in pdf_text
    pages = pdf_text.count("\f")
    assert f"Halaman 1 dari {pages}" in pdf_text and f"Halaman {pages} dari {pages}" in pdf_text
    assert last_hash in pdf_text.replace("\n", "")

    # The log the report came from verifies, ending in the printed hash.
    assert cli(["audit", "verify", "--db", db_url, "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip().endswith(last_hash)


def test_bad_requests_exit_2_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    out = tmp_path / "r.xlsx"
    base = ["report", "--db", db, "--out", str(out)]
    assert cli([*base, "--from", "2026-11-31", "--to", "2026-11-30"]) == 2
    assert "Tanggal tidak valid: 2026-11-31" in capsys.readouterr().err
    assert cli([*base, "--from", "2026-11-30", "--to", "2026-11-01", "--lang", "en"]) == 2
    assert "The period is backwards" in capsys.readouterr().err
    assert cli(["report", "--db", db, "--from", "2026-11-01", "--to", "2026-11-30",
                "--out", str(tmp_path / "r.docx")]) == 2
    assert "Format tidak dikenal" in capsys.readouterr().err
    assert cli([*base, "--from", "2026-11-01", "--to", "2026-11-30", "--office", "x"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert cli([*base, "--from", "2026-11-01", "--to", "2026-11-30", "--config",
                str(tmp_path / "none.toml")]) == 2
    assert "none.toml" in capsys.readouterr().err
    assert not out.exists()


def test_an_empty_period_still_makes_a_report(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"

    async def create() -> None:
        store = Store(db)
        await store.open()
        await store.close()

    asyncio.run(create())
    out = tmp_path / "r.xlsx"
    assert cli(["report", "--db", db, "--from", "2026-11-01", "--to", "2026-11-30",
                "--out", str(out), "--lang", "en"]) == 0
    book = load_workbook(out)
    first_row = next(book["Per day"].iter_rows(min_row=2, values_only=True))
    assert first_row[:2] == ("Total", 0)  # the period had no events at all
    assert "No survey responses" in str(list(book["IKM per group"].values))
