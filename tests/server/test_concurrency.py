"""DESIGN.md: two counters calling at the same instant never get the same
ticket. Six consoles, each on its own connection, on overlapping services."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.databases import ON_BOTH_DATABASES
from tests.server.wire import AsyncClient, health
from tests.support import ServerThread

# Every counter shares at least one service with another one.
COUNTER_SERVICES = {"1": ["A", "B"], "2": ["A", "B"], "3": ["B", "C"], "4": ["C"],
                    "5": ["A", "C"], "6": ["A", "B", "C"]}
TICKETS = {"A": 14, "B": 10, "C": 8}


async def _call_everyone(url: str) -> tuple[list[list[dict[str, Any] | None]], set[str]]:
    kiosk = await AsyncClient.connect(url, "kiosk", "kiosk-1")
    issued: set[str] = set()
    for service, count in TICKETS.items():
        for _ in range(count):
            issued.add((await kiosk.ok("ticket.issue", service=service))["ticket"]["id"])
    consoles = await asyncio.gather(*(
        AsyncClient.connect(url, "counter", f"counter-{cid}") for cid in COUNTER_SERVICES))
    await asyncio.gather(*(console.login() for console in consoles))
    await asyncio.gather(*(
        console.ok("counter.open", counter=cid, services=services)
        for console, (cid, services) in zip(consoles, COUNTER_SERVICES.items(), strict=True)))

    rounds: list[list[dict[str, Any] | None]] = []
    while True:
        # All six requests leave before any answer is read: the same instant.
        ids = [console.next_id() for console in consoles]
        await asyncio.gather(*(
            console.send("ticket.call_next", request_id, counter=cid)
            for console, request_id, cid in zip(consoles, ids, COUNTER_SERVICES, strict=True)))
        answers = await asyncio.gather(*(
            console.answer(request_id) for console, request_id in zip(consoles, ids,
                                                                        strict=True)))
        for answer in answers:
            assert answer["type"] == "ok", answer
        called = [answer["result"]["ticket"] for answer in answers]
        rounds.append(called)
        if all(ticket is None for ticket in called):
            break
        await asyncio.gather(*(
            console.ok("ticket.complete", ticket=ticket["id"])
            for console, ticket in zip(consoles, called, strict=True) if ticket is not None))
    for client in (kiosk, *consoles):
        await client.close()
    return rounds, issued


@ON_BOTH_DATABASES
def test_counters_calling_at_the_same_instant_never_share_a_ticket(
    server: ServerThread,
) -> None:
    rounds, issued = asyncio.run(_call_everyone(server.url))
    every_call: list[str] = []
    for called in rounds:
        ids = [ticket["id"] for ticket in called if ticket is not None]
        assert len(ids) == len(set(ids)), called  # distinct within the instant
        every_call += ids
        for counter_id, ticket in zip(COUNTER_SERVICES, called, strict=True):
            if ticket is not None:
                assert ticket["counter"] == counter_id
                assert ticket["service"] in COUNTER_SERVICES[counter_id]
    assert len(every_call) == len(set(every_call)), "a ticket was called twice"
    assert set(every_call) == issued, "every ticket was called exactly once"
    assert len(rounds) > 3  # the six really competed over several rounds
    total = sum(TICKETS.values())
    assert health(server.port)["seq"] == total + len(COUNTER_SERVICES) + 2 * total


async def _issue_together(url: str, kiosks: int, each: int) -> list[str]:
    clients = await asyncio.gather(*(
        AsyncClient.connect(url, "kiosk", f"kiosk-{n}") for n in range(kiosks)))

    async def issue_many(client: AsyncClient) -> list[str]:
        ids = [client.next_id() for _ in range(each)]
        for request_id in ids:
            await client.send("ticket.issue", request_id, service="A")
        answers = [await client.answer(request_id) for request_id in ids]
        return [answer["result"]["ticket"]["number"] for answer in answers]

    numbers = [n for batch in await asyncio.gather(*(issue_many(c) for c in clients))
               for n in batch]
    for client in clients:
        await client.close()
    return numbers


def test_kiosks_issuing_at_once_never_share_a_number(server: ServerThread) -> None:
    numbers = asyncio.run(_issue_together(server.url, kiosks=5, each=20))
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 101)]
    assert health(server.port)["seq"] == 100
