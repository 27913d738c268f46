"""PROTOCOL.md, Envelope: a request repeated with the same id from the same
device is not executed again; it gets the original answer, byte for byte,
also after a restart."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.server.databases import ON_BOTH_DATABASES
from tests.server.servers import Servers, hold_commits
from tests.server.wire import RawClient, health
from tests.support import ServerThread, open_counter

Connect = Callable[..., RawClient]


def test_a_repeated_request_gets_the_original_answer_and_no_new_event(
    server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk", "kiosk-1")
    display = connect(server, "display")
    first = kiosk.raw_request("ticket.issue", "issue-1", service="A")
    again = kiosk.raw_request("ticket.issue", "issue-1", service="A")
    assert again == first
    # Different fields under the same id are still the same request.
    assert kiosk.raw_request("ticket.issue", "issue-1", service="B") == first
    assert health(server.port)["seq"] == 1
    kiosk.ok("ticket.issue", service="A")
    assert [e["data"]["ticket"]["number"] for e in display.stream_through(2)] == [
        "A001", "A002"]


def test_a_repeated_counter_request_is_not_executed_again(server: ServerThread,
                                                          connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    for _ in range(2):
        kiosk.ok("ticket.issue", service="A")
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    called = counter.raw_request("ticket.call_next", "next-1", counter="1")
    assert counter.raw_request("ticket.call_next", "next-1", counter="1") == called
    completed = counter.raw_request("ticket.complete", "done-1",
                                    ticket=json.loads(called)["result"]["ticket"]["id"])
    assert counter.raw_request("ticket.complete", "done-1", ticket="A001") == completed
    # A refusal is remembered too.
    refusal = counter.raw_request("ticket.complete", "done-2", ticket="A002")
    assert json.loads(refusal)["code"] == "conflict"
    assert counter.raw_request("ticket.complete", "done-2", ticket="A002") == refusal
    assert health(server.port)["seq"] == 2 + 1 + 1 + 1


def test_the_same_id_from_another_device_is_another_request(server: ServerThread,
                                                            connect: Connect) -> None:
    one = connect(server, "kiosk", "kiosk-1")
    two = connect(server, "kiosk", "kiosk-2")
    first = json.loads(one.raw_request("ticket.issue", "same", service="A"))
    second = json.loads(two.raw_request("ticket.issue", "same", service="A"))
    assert first["result"]["ticket"]["number"] == "A001"
    assert second["result"]["ticket"]["number"] == "A002"
    # An integer id is refused and changes nothing; its text form is an id.
    third = json.loads(one.raw_request("ticket.issue", "7", service="A"))
    one.send({"type": "ticket.issue", "id": 7, "service": "A"})
    refused = json.loads(one.raw_answer(None))  # a refused id is answered as null
    assert refused["code"] == "bad_request" and refused["id"] is None
    assert third["result"]["ticket"]["number"] == "A003"
    assert health(server.port)["seq"] == 3


def test_a_reconnected_device_gets_its_original_answer(server: ServerThread,
                                                       connect: Connect) -> None:
    kiosk = connect(server, "kiosk", "kiosk-1")
    first = kiosk.raw_request("ticket.issue", "retry-me", service="B")
    kiosk.close()
    again = connect(server, "kiosk", "kiosk-1").raw_request("ticket.issue", "retry-me",
                                                            service="B")
    assert again == first
    assert health(server.port)["seq"] == 1


def test_an_in_flight_duplicate_runs_once_and_gets_two_identical_answers(
    server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk", "kiosk-1")
    display = connect(server, "display")
    gate = hold_commits(server)
    frame = json.dumps({"type": "ticket.issue", "id": "twice", "service": "A"})
    kiosk.send(frame)
    kiosk.send(frame)
    assert kiosk.request("ping", "between")["type"] == "ok"  # both are in, none answered
    assert not any(f.get("id") == "twice" for f in kiosk.frames)
    gate.set()
    answers = [kiosk.raw_answer("twice"), kiosk.raw_answer("twice")]
    assert answers[0] == answers[1]
    assert json.loads(answers[0])["result"]["ticket"]["number"] == "A001"
    kiosk.ok("ticket.issue", service="A")
    stream = display.stream_through(2)
    assert [e["data"]["ticket"]["number"] for e in stream] == ["A001", "A002"]


def test_an_in_flight_duplicate_from_a_second_connection_of_the_device(
    server: ServerThread, connect: Connect
) -> None:
    """A console that reconnects while its request waits for the commit."""
    old = connect(server, "kiosk", "kiosk-1")
    new = connect(server, "kiosk", "kiosk-1")
    gate = hold_commits(server)
    frame = json.dumps({"type": "ticket.issue", "id": "reconnect", "service": "C"})
    old.send(frame)
    assert old.request("ping", "sent")["type"] == "ok"
    new.send(frame)
    assert new.request("ping", "sent")["type"] == "ok"
    gate.set()
    assert old.raw_answer("reconnect") == new.raw_answer("reconnect")
    assert health(server.port)["seq"] == 1


@ON_BOTH_DATABASES
def test_the_original_answer_survives_a_restart(servers: Servers, connect: Connect) -> None:
    server = servers.start()
    kiosk = connect(server, "kiosk", "kiosk-1")
    issued = kiosk.raw_request("ticket.issue", "before-restart", service="A")
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    called = counter.raw_request("ticket.call_next", "call-before", counter="1")
    kiosk.close()
    counter.close()

    server = servers.restart(server)
    kiosk = connect(server, "kiosk", "kiosk-1")
    assert kiosk.raw_request("ticket.issue", "before-restart", service="A") == issued
    counter = connect(server, "counter", "counter-1")
    counter.login()
    assert counter.raw_request("ticket.call_next", "call-before", counter="1") == called
    assert health(server.port)["seq"] == 3
    fresh = json.loads(kiosk.raw_request("ticket.issue", "after-restart", service="A"))
    assert fresh["result"]["ticket"]["number"] == "A002"


LONGEST_DEVICE = "终端" * 50  # 100 characters, 300 bytes of UTF-8
LONGEST_IDS = ["编号" * 100, '"\\' * 100, "x" * 200]  # 200 characters each


@ON_BOTH_DATABASES
def test_the_longest_device_names_and_ids_are_remembered_too(
    servers: Servers, connect: Connect
) -> None:
    """Ids and device names are the clients' own: the longest the protocol
    accepts must still be stored, found again, and not fail anyone's commit."""
    server = servers.start()
    kiosk = connect(server, "kiosk", LONGEST_DEVICE)
    first = [kiosk.raw_request("ticket.issue", request_id, service="E")
             for request_id in LONGEST_IDS]
    assert [json.loads(a)["type"] for a in first] == ["ok"] * 3, first
    counter = connect(server, "counter", LONGEST_DEVICE)
    open_counter(counter, "5", ["E"])
    assert counter.ok("ticket.call_next", counter="5")["ticket"]["number"] == "E001"
    kiosk.close()
    counter.close()
    server = servers.restart(server)
    kiosk = connect(server, "kiosk", LONGEST_DEVICE)
    assert [kiosk.raw_request("ticket.issue", request_id, service="E")
            for request_id in LONGEST_IDS] == first
    assert health(server.port)["seq"] == 5
    too_long = connect(server, "kiosk", LONGEST_DEVICE + "!")
    assert too_long.welcome["code"] == "bad_request"
    assert too_long.expect_close() == 4400


def test_a_kiosk_named_like_a_counter_console_gets_its_own_answers(
    server: ServerThread, connect: Connect
) -> None:
    """Answers are remembered per role and device: a kiosk that takes a
    console's name neither replays the console's answers (with the name of
    the member of staff) nor skips its own request."""
    counter = connect(server, "counter", "desk-1")
    counter.request("login", "desk-1-a", username="demo", pin="1234")
    opened = counter.raw_request("counter.open", "desk-1-b", counter="1", services=["A"])
    assert "Petugas Demo" in opened
    kiosk = connect(server, "kiosk", "desk-1")
    answer = kiosk.raw_request("ticket.issue", "desk-1-b", service="A")
    assert "Petugas Demo" not in answer
    assert json.loads(answer)["result"]["ticket"]["number"] == "A001"
    assert counter.raw_request("counter.open", "desk-1-b", counter="1", services=["A"]) == (
        opened)
