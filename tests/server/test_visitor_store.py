"""The visitor pages' state in the database, on SQLite and PostgreSQL: the key
secret (table `settings`) survives a restart, and so do the survey answers and
complaints rebuilt from the event log."""

from __future__ import annotations

from tests.server.databases import ON_BOTH_DATABASES
from tests.server.servers import Servers, app
from tests.support import WireClient, open_counter
from tests.web.helpers import SURVEY, Visitor, get, issue, key_of, path_of


@ON_BOTH_DATABASES
def test_keys_survey_and_complaints_survive_a_restart(servers: Servers) -> None:
    server = servers.start()
    ticket = issue(server)
    console = WireClient(server.url, "counter", "counter-store")
    open_counter(console, "1", ["A"])
    console.ok("ticket.call_next", counter="1")
    console.ok("ticket.complete", ticket=ticket["id"])
    visitor = Visitor(server, key_of(ticket["url"]))
    assert visitor.request("survey.submit", "s1", answers=SURVEY)["type"] == "ok"
    filed = visitor.request("complaint.file", "c1", category="waktu", text="Lama sekali")
    code = filed["result"]["complaint"]["code"]
    supervisor = WireClient(server.url, "supervisor", "supervisor-store")
    supervisor.login()
    supervisor.ok("complaint.update", code=code, status="diproses")
    visitor.close()
    console.close()
    supervisor.close()
    secret = app(server).web.secret

    server = servers.restart(server)
    assert app(server).web.secret == secret
    again = Visitor(server, key_of(ticket["url"]))
    assert again.welcome["snapshot"]["visitor"]["survey"] == "done"
    second = again.request("survey.submit", "s2", answers=SURVEY)
    assert second["code"] == "conflict"
    page = get(server, f"/pengaduan/{code}")
    assert page.status == 200 and "Diproses" in page.text
    assert get(server, path_of(ticket["url"])).status == 200
    again.close()
