"""A busy, careless office day: random requests from every role, valid and
not. Every one gets a known answer (never `internal`), the server lives, the
stream has no gap, and a restart rebuilds exactly the office it had."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from antrean.protocol import ERROR_CODES, REQUESTS
from tests.server.servers import Servers, app
from tests.server.wire import RawClient, health

Connect = Callable[..., RawClient]

TICKETS = ["A001", "A002", "A003", "B001", "B002", "C001", "E001", "Z999", "", "a001"]
COUNTERS = ["1", "2", "3", "6", "99", ""]
SERVICE_LISTS = [["A"], ["A", "B"], ["B", "C"], ["C", "D", "E"], [], ["Z"], ["A", "A"]]
SERVICES = ["A", "B", "C", "D", "E", "Z"]
BOOKINGS = ["MP-0001", "MP-0002", "x", "", "mp-0001 "]


def _fields(request_type: str, rng: random.Random) -> dict[str, Any]:
    choice = rng.choice
    pool: dict[str, dict[str, Any]] = {
        "ticket.issue": {"service": choice(SERVICES),
                         "priority": choice(["regular", "priority"]),
                         "lang": choice(["id", "en"])},
        "counter.open": {"counter": choice(COUNTERS), "services": choice(SERVICE_LISTS)},
        "counter.pause": {"counter": choice(COUNTERS)},
        "counter.close": {"counter": choice(COUNTERS)},
        "ticket.call_next": {"counter": choice(COUNTERS)},
        "ticket.call": {"counter": choice(COUNTERS), "ticket": choice(TICKETS),
                        "reason": choice(["elderly", " ", "wheelchair"])},
        "ticket.recall": {"ticket": choice(TICKETS)},
        "ticket.start": {"ticket": choice(TICKETS)},
        "ticket.complete": {"ticket": choice(TICKETS)},
        "ticket.no_show": {"ticket": choice(TICKETS)},
        "ticket.transfer": {"ticket": choice(TICKETS), "service": choice(SERVICES)},
        "ticket.get": {"ticket": choice(TICKETS)},
        "announce": {"text": choice([{"id": "Halo", "en": "Hello"}, {"id": "", "en": ""}])},
        "ping": {},
        "login": {"username": "demo", "pin": choice(["1234", "1234", "1234", "0000"])}
        if rng.random() < 0.9 else {"username": "nobody", "pin": "1234"},
        "logout": {},
        "service.update": choice([{"service": choice(SERVICES), "open": rng.random() < 0.7},
                                  {"service": choice(SERVICES), "quota": choice([None, 3, 0])}]),
        "device.status": {"status": choice(["ok", "printer_error"]),
                          "detail": choice(["", "no_paper"])},
        "stats.today": {},
        "visitor.ping": {},
        "survey.submit": {"ticket": choice(TICKETS),
                          "answers": {f"u{i}": choice([1, 2, 3, 4, 4, 0]) for i in range(1, 10)},
                          "profile": choice([{}, {"age": choice([30, 5]), "gender": "L"}])},
        "complaint.file": {"category": choice(["waktu", "biaya", "nope"]),
                           "text": choice(["Antrean lama", "", "<b>x</b>"])},
        "complaint.list": {},
        "complaint.update": {"code": choice(["PGD-AAAAA-AAAAA", ""]),
                             "status": choice(["diproses", "selesai", "ditolak", "x"]),
                             "reply": choice(["Sudah ditangani", ""])},
        # calendar, steps and bookings (issue 12)
        "ticket.send_back": {"ticket": choice(TICKETS), "reason": choice(["KK kurang", " "])},
        "booking.add": {"code": choice(BOOKINGS), "service": choice(SERVICES),
                        "date": choice(["2026-03-04", "2026-02-30", "today"]),
                        "start": choice(["08:00", "25:00"]), "end": choice(["08:30", "07:00"])},
        "booking.cancel": {"code": choice(BOOKINGS)},
        "booking.list": choice([{}, {"date": "2026-03-04"}]),
        "booking.check_in": {"code": choice(BOOKINGS), "lang": choice(["id", "en"])},
    }
    return pool[request_type]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_day(seed: int, servers: Servers, connect: Connect) -> None:
    rng = random.Random(seed)
    server = servers.start()
    clients = [connect(server, role, f"{role}-{n}") for role, n in
               (("kiosk", 1), ("kiosk", 2), ("display", 1), ("counter", 1), ("counter", 2),
                ("counter", 3), ("supervisor", 1), ("survey", 1))]
    for client in clients:
        if client.role in ("counter", "supervisor"):
            client.login()
    types = sorted(REQUESTS)
    kiosk_heavy = (["ticket.issue"] * 8 + ["ticket.call_next"] * 6 + ["ticket.complete"] * 3
                   + ["counter.open"] * 2)
    outcomes: list[tuple[str, str]] = []
    held: dict[str, str] = {}
    for _ in range(500):
        request_type = rng.choice(types + kiosk_heavy)
        allowed = [c for c in clients if c.role in REQUESTS[request_type].roles]
        client = rng.choice(allowed if allowed and rng.random() < 0.85 else clients)
        fields = _fields(request_type, rng)
        if "ticket" in fields and client.device in held and rng.random() < 0.7:
            fields["ticket"] = held[client.device]  # mostly the one at the console
        if "counter" in fields and client.role == "counter" and rng.random() < 0.7:
            fields["counter"] = client.device.rsplit("-", 1)[1]  # mostly its own counter
        answer = client.request(request_type, **fields)
        ticket = answer.get("result", {}).get("ticket") if answer["type"] == "ok" else None
        if request_type in ("ticket.call_next", "ticket.call") and ticket:
            held[client.device] = ticket["id"]
        assert answer["type"] in ("ok", "error"), answer
        if answer["type"] == "error":
            assert answer["code"] in ERROR_CODES and answer["code"] != "internal", answer
            if answer["code"] == "unauthorized" and request_type != "login":
                client.login()  # after a logout, as staff would
        outcomes.append((request_type, answer.get("code", "ok")))
    last = health(server.port)["seq"]
    assert last > 60, outcomes  # a day with plenty of changes, not only refusals
    display = clients[2]
    stream = display.stream_through(last)
    assert [e["seq"] for e in stream] == list(range(1, last + 1))
    assert len({e["name"] for e in stream}) >= 8, {e["name"] for e in stream}

    def office_state() -> Any:
        office = app(server).office
        return (office.seq, office.snapshot(app(server).clock()), office.figures())

    before = server.call(office_state)
    server = servers.restart(server)
    assert server.call(office_state) == before
