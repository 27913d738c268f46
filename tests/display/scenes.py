"""A busy morning at the demo office, made over the wire: used by the layout
tests and by docs/screenshots/make_display.py, so the pictures show what the
tests check."""

from __future__ import annotations

from tests.support import WireClient, open_counter

# (counter, services it opens with)
COUNTERS = (("1", ["A", "B"]), ("2", ["A", "B"]), ("3", ["C"]), ("4", ["D"]), ("5", ["E"]),
            ("6", ["A", "B", "C", "D", "E"]))
ISSUED = "AAAAAABBBBCCCDDEE"
# Calls in order (counter), each finishing that counter's previous ticket first.
CALLS = ("1", "2", "3", "4", "5", "6", "1", "3")
NOTICE = {
    "id": "Loket 5 istirahat pukul 12.00–13.00. Informasi dilayani di loket 6.",
    "en": "Counter 5 breaks from 12:00 to 13:00. Information is served at counter 6.",
}


def busy_morning(url: str, *, announce: bool = True) -> list[str]:
    """Issue tickets, open every counter and make the calls; returns the
    numbers called, oldest first."""
    kiosk = WireClient(url, "kiosk", "kiosk-1")
    for code in ISSUED:
        kiosk.ok("ticket.issue", service=code)
    kiosk.close()
    clients = {}
    for counter, services in COUNTERS:
        clients[counter] = WireClient(url, "counter", f"counter-{counter}")
        open_counter(clients[counter], counter, services)
    held: dict[str, str] = {}
    called: list[str] = []
    for counter in CALLS:
        client = clients[counter]
        if counter in held:
            client.ok("ticket.complete", ticket=held.pop(counter))
        ticket = client.ok("ticket.call_next", counter=counter)["ticket"]
        held[counter] = ticket["id"]
        called.append(ticket["number"])
    for client in clients.values():
        client.close()
    if announce:
        supervisor = WireClient(url, "supervisor", "supervisor-1")
        supervisor.login()
        supervisor.ok("announce", text=NOTICE)
        supervisor.close()
    return called
