"""The `visitor` role (a ticket's page, by its key) and the `survey` role (a
survey point): what they receive, and that they can do nothing else."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed

from antrean.core.feedback import UNSUR
from tests.support import ServerThread, WireClient, open_counter
from tests.web.conftest import WebServers
from tests.web.helpers import SURVEY, Visitor, issue, key_of, serve


def test_visitor_sees_its_ticket_and_is_told_when_it_is_called(web_servers: WebServers) -> None:
    server = web_servers.start()
    mine, other = issue(server), issue(server)
    visitor = Visitor(server, key_of(other["url"]))
    view = visitor.welcome["snapshot"]["visitor"]
    assert visitor.welcome["type"] == "welcome" and set(visitor.welcome["snapshot"]) == {"visitor"}
    assert (view["number"], view["status"], view["ahead"]) == ("A002", "waiting", 1)
    console = WireClient(server.url, "counter", "counter-live")
    open_counter(console, "3", ["A"])
    frames = []
    console.ok("ticket.call_next", counter="3")  # calls A001: only the summary changes
    frames.append(visitor.recv())
    assert frames[-1]["type"] == "visitor"
    console.ok("ticket.complete", ticket=mine["id"])
    console.ok("ticket.call_next", counter="3")
    while True:
        frames.append(visitor.recv())
        if frames[-1]["ticket"]["status"] == "called":
            break
    called = frames[-1]["ticket"]
    assert (called["counter"], called["counter_name"]["id"], called["serving"]) == (
        "3", "Loket 3", ["A002"])
    text = json.dumps([visitor.welcome, *frames])
    for secret in (mine["id"], other["id"], "demo", "Petugas Demo", "counter-live", "kiosk-web"):
        assert secret not in text, secret
    assert '"event"' not in text  # never the office's event stream


@pytest.mark.parametrize("request_type,fields", [
    ("ticket.issue", {"service": "A"}),
    ("ticket.call_next", {"counter": "1"}),
    ("ticket.get", {"ticket": "A001"}),
    ("announce", {"text": "halo"}),
    ("complaint.list", {}),
    ("complaint.update", {"code": "PGD-AAAAA-AAAAA", "status": "selesai", "reply": "x"}),
    ("stats.today", {}),
    ("login", {"username": "demo", "pin": "1234"}),
    ("ping", {}),
])
def test_visitor_may_not_act_on_the_office(web_servers: WebServers, request_type: str,
                                          fields: dict[str, object]) -> None:
    server = web_servers.start()
    visitor = Visitor(server, key_of(issue(server)["url"]))
    answer = visitor.request(request_type, "r1", **fields)
    assert (answer["type"], answer["code"]) == ("error", "forbidden"), answer


def test_a_wrong_key_is_refused_and_counts_as_a_guess(web_servers: WebServers) -> None:
    server = web_servers.start(guesses_per_minute=2)
    ticket = issue(server)
    for _ in range(2):
        wrong = Visitor(server, "A001")
        assert wrong.welcome["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed) as closed:
            wrong.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert Visitor(server, key_of(ticket["url"])).welcome["code"] == "unauthorized"


def test_visitor_survey_over_the_websocket(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    visitor = Visitor(server, key_of(ticket["url"]))
    early = visitor.request("survey.submit", "s1", answers=SURVEY)
    assert (early["type"], early["code"]) == ("error", "conflict")
    serve(server, ticket)
    missing = visitor.request("survey.submit", "s2", answers={"u1": 4, "u2": 0})
    assert missing["code"] == "bad_request"
    assert missing["message"] == "missing or invalid: " + ", ".join(UNSUR[1:])
    other = visitor.request("survey.submit", "s3", answers=SURVEY, ticket="2026-01-01-A001")
    assert other["code"] == "forbidden"
    assert visitor.request("survey.submit", "s4", answers=SURVEY, profile={"gender": "L"},
                           comment="Bagus")["type"] == "ok"
    again = visitor.request("survey.submit", "s5", answers=SURVEY)
    assert (again["code"], again["message"]) == (
        "conflict", "this visit has already been rated: thank you")
    assert visitor.request("survey.submit", "s4", answers=SURVEY)["type"] == "ok"  # a retry


def test_visitor_complaint_over_the_websocket_is_linked_to_its_ticket(
        web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server, "B")
    visitor = Visitor(server, key_of(ticket["url"]))
    answer = visitor.request("complaint.file", "c1", category="pelayanan", text="Petugas kasar")
    code = answer["result"]["complaint"]["code"]
    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    [listed] = supervisor.ok("complaint.list")["complaints"]
    assert (listed["code"], listed["ticket"], listed["service"]) == (code, ticket["id"], "B")
    refused = visitor.request("complaint.file", "c2", category="pelayanan", text="x",
                              name="Budi")
    assert refused["code"] == "bad_request" and "consent" in refused["message"]


def survey_point(server: ServerThread) -> WireClient:
    return WireClient(server.url, "survey", "survey-exit")


def test_survey_point_rates_todays_finished_ticket_by_number(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    point = survey_point(server)
    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    assert set(point.welcome["snapshot"]) == {"office"}
    assert point.request("survey.submit", answers=SURVEY)["code"] == "bad_request"
    assert point.request("survey.submit", answers=SURVEY, ticket="A001")["code"] == "conflict"
    assert point.request("survey.submit", answers=SURVEY, ticket="A999")["code"] == "not_found"
    serve(server, ticket)
    assert point.ok("survey.submit", answers=SURVEY, ticket="a001") == {"survey": "received"}
    assert point.request("survey.submit", answers=SURVEY, ticket="A001")["code"] == "conflict"
    assert supervisor.event("survey.submitted")["data"]["survey"]["source"] == "point"
    assert point.request("ticket.issue", service="A")["code"] == "forbidden"


def test_survey_point_needs_its_token(web_servers: WebServers) -> None:
    server = web_servers.start()
    point = WireClient(server.url, "survey", "survey-exit", token="demo-kiosk")
    assert point.welcome["code"] == "unauthorized"


def test_a_failed_commit_never_reaches_the_page_and_the_page_is_resynced(
        web_servers: WebServers) -> None:
    from server.store import Batch

    server = web_servers.start()
    ticket = issue(server)
    visitor = Visitor(server, key_of(ticket["url"]))
    console = WireClient(server.url, "counter", "counter-fail")
    open_counter(console, "1", ["A"])
    while visitor.recv()["ticket"]["status"] != "waiting":
        pass  # the counter's opening changed the wait; the page was told
    assert server.server is not None
    store = server.server.store
    real_write = store.write
    failures = [RuntimeError("disk full")]

    async def failing_write(batch: Batch) -> None:
        if failures:
            raise failures.pop()
        await real_write(batch)

    store.write = failing_write  # type: ignore[method-assign]
    lost = console.request("ticket.call_next", counter="1")
    assert lost["code"] == "internal"
    resync = visitor.recv()
    assert resync["type"] == "visitor" and resync["ticket"]["status"] == "waiting"
    assert console.ok("ticket.call_next", counter="1")["ticket"]["number"] == "A001"
    while (frame := visitor.recv())["ticket"]["status"] != "called":
        pass
    assert frame["ticket"]["counter"] == "1"
