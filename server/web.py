"""The visitor's phone: the ticket page, the satisfaction survey (SKM) and
complaints, served by the Antrean server itself on its own port.

HTTP goes through the `websockets` server's `process_request` hook, which
sees the request line and headers but never a body (websockets refuses a
request that has one): every form is therefore a GET form whose answer
redirects (303) to a page that is safe to reload, and a phone with
JavaScript also gets live updates over the WebSocket in the `visitor` role.
Pages are Jinja2 templates (autoescape on) in `antrean/web/`.

A ticket's page is `/t/<key>`, key = HMAC-SHA256(server secret, ticket id)
cut to 128 bits, URL-safe base64; the secret lives in the database. The
page, its live stream and its survey accept only that key.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from websockets.asyncio.server import ServerConnection, broadcast
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from antrean import __version__, protocol
from antrean.core import feedback
from antrean.core.feedback import FeedbackError
from antrean.core.model import DomainError, Text
from antrean.core.office import Event
from antrean.i18n import LANGUAGES, tr
from server.security import RateLimiter

if TYPE_CHECKING:
    from server.app import AntreanServer
    from server.session import Session

log = logging.getLogger("antrean.web")

WEB_ROOT = Path(__file__).resolve().parent.parent / "antrean" / "web"
SECRET_SETTING = "visitor_key_secret"
KEY_BYTES = 16  # 128 bits
COMPLAINT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REFRESH_SECONDS = 30  # the page's own refresh without JavaScript
SUMMARY_DELAY = 0.3  # a service's other visitors are told of a change this much later
PUSH_SLICE = 100  # pages updated between two turns of the event loop
MAX_TRACKED_ADDRESSES = 10_000
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}
# connect-src names the page's own ws:// and wss:// too: older Safari does not read
# 'self' as covering them.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "connect-src 'self'{sockets}; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),  # the key is in the address: never pass it on
]
FIELD_KEYS = {"category": "web.complaint.category", "text": "web.complaint.text",
              "name": "web.complaint.name", "contact": "web.complaint.contact",
              "consent": "web.complaint.consent", "age": "web.profile.age",
              "gender": "web.profile.gender", "education": "web.profile.education",
              "occupation": "web.profile.occupation", "comment": "web.survey.comment",
              "reply": "web.complaint.reply"}


def public_event_data(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A feedback event as kiosks and displays may see it: no staff, no
    complainant, no complaint text."""
    if name == "survey.submitted":
        return {"survey": feedback.public_survey(data["survey"])}
    return {"complaint": feedback.public_complaint(data["complaint"])}


class Guesses:
    """Wrong keys and codes per client address (token bucket): past the limit
    the address gets `429` for every key, right or wrong, until it refills."""

    def __init__(self, per_minute: int) -> None:
        self.per_second = per_minute / 60
        self.burst = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}

    def _tokens(self, address: str, now: float) -> float:
        tokens, last = self._buckets.get(address, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.per_second)

    def blocked(self, address: str, now: float) -> bool:
        return self._tokens(address, now) < 1

    def missed(self, address: str, now: float) -> None:
        if len(self._buckets) >= MAX_TRACKED_ADDRESSES:
            self._buckets = {a: b for a, b in self._buckets.items()
                             if self._tokens(a, now) < self.burst}
        self._buckets[address] = (self._tokens(address, now) - 1, now)


class VisitorDesk:
    """Keys, pages and feedback for the public; one per server."""

    def __init__(self, server: AntreanServer) -> None:
        self.server = server
        self.settings = server.config.visitor
        self.secret = b""
        self.base_url = ""
        self.keys: dict[str, str] = {}  # key -> ticket id
        self.survey_keys: dict[str, str] = {}  # the survey-only key (counter's QR) -> ticket id
        self.past: dict[str, dict[str, Any]] = {}  # earlier days' tickets still shown
        self.surveyed: set[str] = set()
        self.served_by: dict[str, str | None] = {}
        self.complaints: dict[str, dict[str, Any]] = {}
        self.nonces: dict[str, str] = {}  # a complaint form's nonce -> its code
        self.watchers: dict[str, set[ServerConnection]] = {}  # ticket id -> its pages
        self._dirty_tickets: set[str] = set()
        self._dirty_services: set[str] = set()
        self._later: dict[str, asyncio.TimerHandle] = {}
        self._waiters: list[tuple[int, asyncio.Future[bool]]] = []
        self.guesses = Guesses(self.settings.guesses_per_minute)
        self.filings = RateLimiter()  # complaints per client address
        self._filing_addresses: set[str] = set()
        self.env = Environment(loader=FileSystemLoader(WEB_ROOT / "templates"),
                               autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self._static: dict[str, bytes] = {}

    # ------------------------------------------------------------ start-up
    def listening(self, host: str, port: int, tls: bool) -> None:
        if self.settings.public_url:
            self.base_url = self.settings.public_url
            return
        if host in ("", "0.0.0.0", "::"):
            host = socket.gethostbyname(socket.gethostname())
        if ":" in host:
            host = f"[{host}]"
        self.base_url = f"{'https' if tls else 'http'}://{host}:{port}"

    async def load(self) -> None:
        """The secret, the keys of the tickets still shown, and the feedback so far."""
        store = self.server.store
        self.secret = (await store.setting(
            SECRET_SETTING, lambda: secrets.token_urlsafe(32))).encode()
        today = self.server.office.day
        since = today - timedelta(days=self.settings.days_after)
        self.keys.clear()
        self.past.clear()
        self.survey_keys.clear()
        for row in await store.tickets_since(since):
            self.key_for(row["id"])
            if row["status"] == "done":
                self.survey_url_for(row["id"])
            if row["day"] != today.isoformat():
                self.past[row["id"]] = row
        for ticket_id in self.server.office.tickets:
            self.key_for(ticket_id)
        self.surveyed.clear()
        self.served_by.clear()
        for event in await store.events_named(("survey.submitted", "ticket.completed"), since):
            data = orjson.loads(event.data)
            if event.name == "survey.submitted":
                self.surveyed.add(data["survey"]["ticket"])
            else:
                self.served_by[data["ticket"]["id"]] = event.staff
        self.complaints.clear()
        for event in await store.events_named(("complaint.filed", "complaint.updated"),
                                              date(1970, 1, 1)):
            complaint = orjson.loads(event.data)["complaint"]
            self.complaints[complaint["code"]] = complaint

    # ------------------------------------------------------------ keys
    def key_for(self, ticket_id: str) -> str:
        digest = hmac.new(self.secret, ticket_id.encode(), hashlib.sha256).digest()
        key = base64.urlsafe_b64encode(digest[:KEY_BYTES]).rstrip(b"=").decode()
        self.keys[key] = ticket_id
        return key

    def url_for(self, ticket_id: str) -> str:
        return f"{self.base_url}/t/{self.key_for(ticket_id)}"

    def survey_url_for(self, ticket_id: str) -> str:
        """The survey alone (no live page): what the counter's QR carries."""
        digest = hmac.new(self.secret, b"survey:" + ticket_id.encode(), hashlib.sha256).digest()
        key = base64.urlsafe_b64encode(digest[:KEY_BYTES]).rstrip(b"=").decode()
        self.survey_keys[key] = ticket_id
        return f"{self.base_url}/s/{key}"

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        """Today's ticket from the office, or an earlier one still shown."""
        office = self.server.office
        current = office.tickets.get(ticket_id)
        if current is not None:
            wire = current.to_wire()
            wire["day"] = office.day.isoformat()
            return wire
        return self.past.get(ticket_id)

    def ticket_by_key(self, key: str) -> dict[str, Any] | None:
        ticket_id = self.keys.get(key)
        if ticket_id is None or len(key) > 40:
            return None
        return self.ticket(ticket_id)

    # ------------------------------------------------------------ the day
    def day_closing(self, closing: list[Any], new_day: date) -> None:
        """Before the office forgets a day: keep its tickets for their pages."""
        office = self.server.office
        closed = {t.id: t for t in closing}
        for ticket in office.tickets.values():
            wire = closed.get(ticket.id, ticket).to_wire()
            wire["day"] = office.day.isoformat()
            self.past[ticket.id] = wire
        oldest = (new_day - timedelta(days=self.settings.days_after)).isoformat()
        for ticket_id in [i for i, t in self.past.items() if str(t["day"]) < oldest]:
            self.past.pop(ticket_id)
        self.keys = {key: i for key, i in self.keys.items() if i in self.past}
        self.survey_keys = {key: i for key, i in self.survey_keys.items() if i in self.past}
        self._dirty_tickets.update(office.tickets)

    # ------------------------------------------------------------ what a page shows
    def view(self, ticket: dict[str, Any], now: datetime) -> dict[str, Any]:
        office = self.server.office
        ticket_id = str(ticket["id"])
        today = ticket_id in office.tickets
        service = office.services.get(str(ticket["service"]))
        ahead = eta = 0
        serving: list[str] = []
        if today:
            current = office.tickets[ticket_id]
            view = office.view(current, now)
            ahead, eta = view.ahead, view.eta_minutes
            for counter in office.counters.values():
                held = office.tickets.get(counter.ticket) if counter.ticket else None
                if held is not None and held.service == current.service:
                    serving.append(held.number)
        counter_name: dict[str, str] | None = None
        counter_id = ticket.get("counter")
        if counter_id and counter_id in office.counters:
            counter_name = office.counters[counter_id].spec.name.to_wire()
        elif counter_id:
            counter_name = {"id": f"Loket {counter_id}", "en": f"Counter {counter_id}"}
        status = str(ticket["status"])
        survey = None
        if status == "done":
            survey = "done" if ticket_id in self.surveyed else "open"
        return {
            "number": ticket["number"], "service": ticket["service"],
            "service_name": service.spec.name.to_wire() if service is not None
            else {"id": ticket["service"], "en": ticket["service"]},
            "status": status, "counter": counter_id, "counter_name": counter_name,
            "calls": ticket.get("calls") or 0, "ahead": ahead, "eta_minutes": eta,
            "serving": sorted(serving), "today": today, "day": ticket.get("day"),
            "steps": [t.to_wire() for t in self.settings.steps.get(str(ticket["service"]), ())],
            "survey": survey,
        }

    # ------------------------------------------------------------ live pages
    async def join(self, ws: ServerConnection, hello: protocol.Hello) -> Session | None:
        from server.session import Session

        address = _address(ws)
        now = time.monotonic()
        if hello.role == "visitor":
            ticket = None if self.guesses.blocked(address, now) else self.ticket_by_key(
                hello.token)
            if ticket is None:
                self.guesses.missed(address, now)
                await self.server._refuse(ws, "unauthorized", "unknown ticket key",
                                         protocol.CLOSE_UNAUTHORIZED)
                return None
            ticket_id = str(ticket["id"])
            # Its own device name: answers are remembered per device, and
            # every phone names itself the same.
            session = Session(ws, "visitor", f"ticket:{ticket_id}", ticket=ticket_id)
            self.watchers.setdefault(ticket_id, set()).add(ws)
            self._send(ws, protocol.dumps({
                "type": "welcome", "protocol": protocol.PROTOCOL_VERSION,
                "server": f"antrean/{__version__}", "seq": self.server.committed_seq,
                "snapshot": {"visitor": self.view(ticket, self.server.clock())}}))
            return session
        if not await self.server._token_ok(hello):
            await self.server._refuse(ws, "unauthorized", "unknown device token for this role",
                                     protocol.CLOSE_UNAUTHORIZED)
            return None
        self._send(ws, protocol.dumps({
            "type": "welcome", "protocol": protocol.PROTOCOL_VERSION,
            "server": f"antrean/{__version__}", "seq": self.server.committed_seq,
            "snapshot": {"office": {"name": self.server.config.office.name,
                                    "day": self.server.office.day.isoformat()}}}))
        return Session(ws, hello.role, hello.device)

    def leave(self, session: Session) -> None:
        if session.ticket is not None:
            pages = self.watchers.get(session.ticket)
            if pages is not None:
                pages.discard(session.ws)
                if not pages:
                    del self.watchers[session.ticket]

    def queued(self, event: Event, staff: str | None) -> None:
        """An event about to be committed: note whose pages it changes."""
        if event.ticket is not None:
            self._dirty_tickets.add(event.ticket.id)
            self._dirty_services.add(event.ticket.service)
            origin = event.extra.get("from_service")
            if isinstance(origin, str):
                self._dirty_services.add(origin)
            if event.name == "ticket.completed":
                self.served_by[event.ticket.id] = staff
                self.survey_url_for(event.ticket.id)
        if event.counter is not None:
            self._dirty_services.update(event.counter.services)
        if event.service is not None:
            self._dirty_services.add(event.service.code)

    def committed(self, seq: int) -> None:
        """After a commit: the pages of the tickets it changed first, then (a
        moment later, once per burst) the other pages of those services."""
        if self._waiters:
            still = []
            for wanted, waiter in self._waiters:
                if wanted <= seq:
                    if not waiter.done():
                        waiter.set_result(True)
                else:
                    still.append((wanted, waiter))
            self._waiters = still
        tickets, self._dirty_tickets = self._dirty_tickets, set()
        services, self._dirty_services = self._dirty_services, set()
        if not self.watchers:
            return
        now = self.server.clock()
        for ticket_id in tickets:
            self._push(ticket_id, now)
        loop = asyncio.get_running_loop()
        for code in services:
            if code not in self._later:
                self._later[code] = loop.call_later(SUMMARY_DELAY, self._push_service, code,
                                                    tickets)

    def failed(self) -> None:
        """A commit failed: whatever waited for it is told so."""
        self._dirty_tickets.clear()
        self._dirty_services.clear()
        for _, waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(False)
        self._waiters = []

    def resync(self) -> None:
        """Every open page gets its view as the database now has it (after a
        failed commit put the office back)."""
        now = self.server.clock()
        for ticket_id in list(self.watchers):
            self._push(ticket_id, now)

    def _push(self, ticket_id: str, now: datetime) -> None:
        pages = self.watchers.get(ticket_id)
        ticket = self.ticket(ticket_id) if pages else None
        if pages and ticket is not None:
            frame = protocol.dumps({"type": "visitor", "ticket": self.view(ticket, now)})
            broadcast(list(pages), frame)

    def _push_service(self, code: str, done: set[str]) -> None:
        self._later.pop(code, None)
        office = self.server.office
        ids = [ticket_id for ticket_id in self.watchers if ticket_id not in done
               and (current := office.tickets.get(ticket_id)) is not None
               and current.service == code]
        self._push_some(ids, 0)

    def _push_some(self, ids: list[str], start: int) -> None:
        """A service's pages a slice at a time, the loop free in between: a call
        that comes meanwhile is not kept waiting behind a thousand pages."""
        now = self.server.clock()
        for ticket_id in ids[start:start + PUSH_SLICE]:
            self._push(ticket_id, now)
        if start + PUSH_SLICE < len(ids):
            asyncio.get_running_loop().call_soon(self._push_some, ids, start + PUSH_SLICE)

    @staticmethod
    def _send(ws: ServerConnection, text: str) -> None:
        broadcast((ws,), text)

    # ------------------------------------------------------------ feedback
    def submit_survey(self, ticket_id: str, raw: dict[str, Any], source: str,
                      now: datetime) -> list[Event]:
        ticket = self.ticket(ticket_id)
        if ticket is None:
            raise FeedbackError("not_found", "no such ticket")
        feedback.survey_allowed(str(ticket["status"]))
        if ticket_id in self.surveyed:
            raise FeedbackError("conflict", "this visit has already been rated: thank you")
        answers = feedback.check_survey(raw)
        data = feedback.survey_data(ticket, str(ticket.get("day") or ticket_id[:10]), answers,
                                    self.served_by.get(ticket_id), source)
        events = self.server.office.record("survey.submitted", now, data)
        self.surveyed.add(ticket_id)
        return events

    def file_complaint(self, raw: dict[str, Any], ticket_id: str | None, now: datetime,
                       address: str) -> tuple[dict[str, Any], list[Event]]:
        ticket = self.ticket(ticket_id) if ticket_id else None
        code = self._new_code()
        now = self.server.office.local(now)  # the office's own time on the visitor's page
        complaint = feedback.new_complaint(raw, self.settings.category_keys, code, now,
                                           self.settings.complaint_deadline_days, ticket)
        # Only a complaint that would be filed counts against its address.
        per_hour = self.settings.complaints_per_hour
        if len(self._filing_addresses) >= MAX_TRACKED_ADDRESSES:
            self.filings = RateLimiter()
            self._filing_addresses.clear()
        self._filing_addresses.add(address)
        if not self.filings.allow(address, "complaint", per_hour / 3600, per_hour,
                                  time.monotonic()):
            raise FeedbackError("rate_limited", "too many complaints from this address: "
                                "try again later")
        events = self.server.office.record("complaint.filed", now, {"complaint": complaint})
        self.complaints[code] = complaint
        return complaint, events

    def update_complaint(self, code: str, status: str, reply: Any, staff: str | None,
                         now: datetime) -> tuple[dict[str, Any], list[Event]]:
        complaint = self.complaints.get(code.strip().upper())
        if complaint is None:
            raise DomainError("not_found", f"no complaint {code[:40]!r}")
        changed = feedback.update_complaint(complaint, status, reply,
                                            self.server.office.local(now))
        events = self.server.office.record("complaint.updated", now,
                                           {"complaint": changed, "staff": staff})
        self.complaints[changed["code"]] = changed
        return changed, events

    def complaint_list(self, now: datetime) -> list[dict[str, Any]]:
        items = sorted(self.complaints.values(), key=lambda c: str(c["filed_at"]), reverse=True)
        return [{**c, "overdue": feedback.overdue(c, now)} for c in items]

    def _new_code(self) -> str:
        while True:
            raw = "".join(secrets.choice(COMPLAINT_ALPHABET) for _ in range(10))
            code = f"PGD-{raw[:5]}-{raw[5:]}"
            if code not in self.complaints:
                return code

    async def durable(self, events: list[Event]) -> bool:
        """Queue feedback made from a page and wait for its commit."""
        from server.commit import Pending

        if not events:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append((events[-1].seq, waiter))
        self.server.queue_events(Pending([], None, None), events)
        return await waiter

    # ------------------------------------------------------------ WebSocket requests
    def handlers(self) -> dict[str, Callable[..., tuple[dict[str, Any], list[Event]]]]:
        return {
            "visitor.ping": self._ws_ping,
            "survey.submit": self._ws_survey,
            "complaint.file": self._ws_complaint,
            "complaint.list": self._ws_list,
            "complaint.update": self._ws_update,
        }

    def _ws_ping(self, session: Session, request: protocol.Request, now: datetime
                 ) -> tuple[dict[str, Any], list[Event]]:
        ticket = self.ticket(session.ticket) if session.ticket else None
        return {"ticket": self.view(ticket, now) if ticket else None}, []

    def _ws_survey(self, session: Session, request: protocol.Request, now: datetime
                   ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        if session.role == "visitor":
            assert session.ticket is not None
            ticket_id = session.ticket
            if "ticket" in args and args["ticket"] not in (ticket_id,):
                raise FeedbackError("forbidden", "a visitor page rates only its own ticket")
        else:
            if "ticket" not in args:
                raise FeedbackError("bad_request", "missing field 'ticket'", ("ticket",))
            ticket_id = self.server.office.find_ticket(str(args["ticket"])).id
        raw = {**args["answers"], **args.get("profile", {}), "comment": args.get("comment")}
        source = "phone" if session.role == "visitor" else "point"
        return {"survey": "received"}, self.submit_survey(ticket_id, raw, source, now)

    def _ws_complaint(self, session: Session, request: protocol.Request, now: datetime
                      ) -> tuple[dict[str, Any], list[Event]]:
        complaint, events = self.file_complaint(dict(request.args), session.ticket, now,
                                                _address(session.ws))
        return {"complaint": {"code": complaint["code"], "status": complaint["status"]}}, events

    def _ws_list(self, session: Session, request: protocol.Request, now: datetime
                 ) -> tuple[dict[str, Any], list[Event]]:
        return {"complaints": self.complaint_list(now)}, []

    def _ws_update(self, session: Session, request: protocol.Request, now: datetime
                   ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        staff = session.staff.username if session.staff else None
        changed, events = self.update_complaint(args["code"], args["status"], args.get("reply"),
                                                staff, now)
        return {"complaint": changed}, events

    # ------------------------------------------------------------ HTTP
    def respond(self, connection: ServerConnection, request: HttpRequest
                ) -> Awaitable[Response]:
        return self._respond(connection, request)

    async def _respond(self, connection: ServerConnection, request: HttpRequest) -> Response:
        path, _, query_text = request.path.partition("?")
        query = {k: v[0] for k, v in parse_qs(query_text, max_num_fields=60).items()}
        page = _Page(self, request, query)
        try:
            return await self._route(connection, page, path.rstrip("/") or "/")
        except Exception:
            log.exception("page %s failed", path[:100])
            return page.message(HTTPStatus.INTERNAL_SERVER_ERROR, "web.error.title",
                                "web.error.internal")

    async def _route(self, connection: ServerConnection, page: _Page, path: str) -> Response:
        if path.startswith("/static/"):
            return self._static_file(path.removeprefix("/static/"))
        parts = path.strip("/").split("/")
        if path == "/":
            return page.render("home.html", HTTPStatus.OK)
        if parts[0] == "t" and len(parts) in (2, 3):
            return await self._ticket_route(connection, page, parts)
        if parts[0] == "s" and len(parts) == 2:
            return await self._survey_route(connection, page, parts[1])
        if parts[0] == "survei" and len(parts) <= 2:
            return await self._point(connection, page, parts[1] if len(parts) == 2 else None)
        if parts[0] == "pengaduan":
            if len(parts) == 1:
                return await self._complaint_form(page, None, None, _address(connection))
            if len(parts) == 2 and parts[1] == "cek":
                code = page.query.get("kode", "").strip().upper()
                return page.redirect(f"/pengaduan/{quote(code, safe='')}") if code else (
                    page.render("complaint_lookup.html", HTTPStatus.OK))
            if len(parts) == 2:
                return self._complaint_status(connection, page, parts[1])
        return page.not_found()

    async def _ticket_route(self, connection: ServerConnection, page: _Page, parts: list[str]
                            ) -> Response:
        address = _address(connection)
        now = time.monotonic()
        if self.guesses.blocked(address, now):
            return page.limited()
        key = parts[1]
        ticket = self.ticket_by_key(key)
        if ticket is None:
            self.guesses.missed(address, now)
            return page.not_found()
        if len(parts) == 2:
            view = self.view(ticket, self.server.clock())
            return page.render("ticket.html", HTTPStatus.OK, ticket=view, key=key,
                               refresh=REFRESH_SECONDS if view["today"] and view["status"] in (
                                   "waiting", "called", "serving") else None,
                               received=page.query.get("terima"))
        if parts[2] == "survei":
            return await self._survey(page, key, ticket)
        if parts[2] == "pengaduan":
            return await self._complaint_form(page, key, ticket, address)
        return page.not_found()

    async def _survey_route(self, connection: ServerConnection, page: _Page, key: str
                            ) -> Response:
        address = _address(connection)
        now = time.monotonic()
        if self.guesses.blocked(address, now):
            return page.limited()
        ticket_id = self.survey_keys.get(key)
        ticket = self.ticket(ticket_id) if ticket_id else None
        if ticket is None:
            self.guesses.missed(address, now)
            return page.not_found()
        if page.query.get("terima") == "1":
            return page.message(HTTPStatus.OK, "web.survey.title", "web.ticket.survey_done")
        return await self._survey(page, key, ticket, base=f"/s/{key}",
                                  thanks=f"/s/{key}?terima=1")

    async def _survey(self, page: _Page, key: str, ticket: dict[str, Any],
                      base: str | None = None, thanks: str | None = None) -> Response:
        ticket_id = str(ticket["id"])
        view = self.view(ticket, self.server.clock())
        back = None if base else f"/t/{key}"
        if ticket_id in self.surveyed:
            return page.message(HTTPStatus.CONFLICT, "web.survey.title", "web.survey.already",
                                back=back)
        if view["status"] != "done":
            return page.message(HTTPStatus.CONFLICT, "web.survey.title", "web.survey.not_yet",
                                back=back)
        errors: tuple[str, ...] = ()
        if page.query.get("kirim") == "1":
            try:
                events = self.submit_survey(ticket_id, page.query, "phone", self.server.clock())
            except FeedbackError as exc:
                if exc.code != "bad_request":
                    return page.message(HTTPStatus.CONFLICT, "web.survey.title",
                                        "web.survey.already", back=back)
                errors = exc.fields
            else:
                if not await self.durable(events):
                    return page.message(HTTPStatus.SERVICE_UNAVAILABLE, "web.error.title",
                                        "web.error.internal")
                return page.redirect(thanks or f"/t/{key}?terima=survei")
        return page.render("survey.html", HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
                           ticket=view, key=key, errors=errors, questions=self._questions(page),
                           action=base or f"/t/{key}/survei")

    # ------------------------------------------------------------ the survey point
    def _point_mark(self, device: str) -> str:
        digest = hmac.new(self.secret, b"point:" + device.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:KEY_BYTES]).rstrip(b"=").decode()

    def _point_device(self, page: _Page) -> str | None:
        """The survey point this browser was registered as (its cookie), if any."""
        value = _cookie(page.request.headers.get("Cookie", ""), "point") or ""
        device, _, mark = value.rpartition(".")
        if device and hmac.compare_digest(mark, self._point_mark(device)):
            return device
        return None

    async def _point(self, connection: ServerConnection, page: _Page, step: str | None
                     ) -> Response:
        """A tablet at the exit: registered once with its device token, then any
        visitor types the number of today's finished ticket and answers."""
        if step == "masuk":
            address = _address(connection)
            now = time.monotonic()
            device = page.query.get("perangkat", "")[:protocol.MAX_DEVICE]
            token = page.query.get("token", "")
            hello = protocol.Hello("survey", device or "-", token)
            if self.guesses.blocked(address, now) or not device or not (
                await self.server._token_ok(hello)
            ):
                self.guesses.missed(address, now)
                return page.message(HTTPStatus.UNAUTHORIZED, "web.point.title",
                                    "web.point.unregistered")
            response = page.redirect("/survei")
            response.headers["Set-Cookie"] = (
                f"point={quote(device, safe='')}.{self._point_mark(quote(device, safe=''))}; "
                "Path=/survei; Max-Age=31536000; HttpOnly; SameSite=Strict")
            return response
        if self._point_device(page) is None:
            return page.message(HTTPStatus.FORBIDDEN, "web.point.title",
                                "web.point.unregistered")
        if step is None and page.query.get("terima") == "1":
            return page.render("point.html", HTTPStatus.OK, thanks=True, problem=None)
        typed = page.query.get("nomor", "").strip()
        if step is None and "/t/" in typed:  # a scanned ticket QR: its page's address
            scanned = self.ticket_by_key(typed.rsplit("/t/", 1)[1].split("?")[0].strip("/"))
            typed = str(scanned["number"]) if scanned is not None else "?"
        number = (step or typed).strip().upper()[:10]
        if not number:
            return page.render("point.html", HTTPStatus.OK, thanks=False, problem=None)
        try:
            ticket = self.server.office.find_ticket(number)
        except DomainError:
            return page.render("point.html", HTTPStatus.NOT_FOUND, thanks=False,
                               problem="web.point.unknown")
        if ticket.id in self.surveyed:
            return page.render("point.html", HTTPStatus.CONFLICT, thanks=False,
                               problem="web.survey.already")
        if ticket.status.value != "done":
            return page.render("point.html", HTTPStatus.CONFLICT, thanks=False,
                               problem="web.survey.not_yet")
        errors: tuple[str, ...] = ()
        if step is not None and page.query.get("kirim") == "1":
            try:
                events = self.submit_survey(ticket.id, page.query, "point", self.server.clock())
            except FeedbackError as exc:
                errors = exc.fields
            else:
                if not await self.durable(events):
                    return page.message(HTTPStatus.SERVICE_UNAVAILABLE, "web.error.title",
                                        "web.error.internal")
                return page.redirect("/survei?terima=1")
        wire = self.ticket(ticket.id)
        assert wire is not None
        return page.render("survey.html", HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
                           ticket=self.view(wire, self.server.clock()), key="", errors=errors,
                           questions=self._questions(page), action=f"/survei/{ticket.number}")

    def _questions(self, page: _Page) -> list[dict[str, Any]]:
        lang = page.lang
        items = []
        for unsur in feedback.UNSUR:
            own = self.settings.questions.get(unsur)
            items.append({
                "unsur": unsur, "title": tr(f"web.survey.{unsur}.title", lang),
                "question": own.get(lang) if own else tr(f"web.survey.{unsur}.q", lang),
                "answers": [(g, tr(f"web.survey.{unsur}.a{g}", lang)) for g in feedback.GRADES],
            })
        return items

    async def _complaint_form(self, page: _Page, key: str | None,
                              ticket: dict[str, Any] | None, address: str) -> Response:
        errors: tuple[str, ...] = ()
        if page.query.get("kirim") == "1":
            nonce = page.query.get("f", "")[:40]
            known = self.nonces.get(nonce) if nonce else None
            if known is not None:  # the same form sent again (a reload): the same complaint
                return page.redirect(f"/pengaduan/{known}?baru=1")
            try:
                complaint, events = self.file_complaint(
                    page.query, str(ticket["id"]) if ticket else None, self.server.clock(),
                    address)
            except FeedbackError as exc:
                if exc.code == "rate_limited":
                    return page.message(HTTPStatus.TOO_MANY_REQUESTS, "web.complaint.title",
                                        "web.complaint.too_many")
                errors = exc.fields
            else:
                if not await self.durable(events):
                    return page.message(HTTPStatus.SERVICE_UNAVAILABLE, "web.error.title",
                                        "web.error.internal")
                if nonce:
                    if len(self.nonces) > MAX_TRACKED_ADDRESSES:
                        self.nonces.clear()
                    self.nonces[nonce] = complaint["code"]
                return page.redirect(f"/pengaduan/{complaint['code']}?baru=1")
        categories = [(k, text.get(page.lang) if text else tr(f"web.category.{k}", page.lang))
                      for k, text in self.settings.categories]
        return page.render(
            "complaint.html", HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
            errors=errors, categories=categories, nonce=secrets.token_urlsafe(12),
            action=f"/t/{key}/pengaduan" if key else "/pengaduan",
            ticket=self.view(ticket, self.server.clock()) if ticket else None,
            limits={"text": feedback.MAX_COMPLAINT_TEXT, "name": feedback.MAX_NAME,
                    "contact": feedback.MAX_CONTACT})

    def _complaint_status(self, connection: ServerConnection, page: _Page, code: str
                          ) -> Response:
        address = _address(connection)
        now = time.monotonic()
        if self.guesses.blocked(address, now):
            return page.limited()
        complaint = self.complaints.get(code.strip().upper()[:40])
        if complaint is None:
            self.guesses.missed(address, now)
            return page.not_found()
        category = dict(self.settings.categories).get(complaint["category"])
        label = category.get(page.lang) if isinstance(category, Text) else tr(
            f"web.category.{complaint['category']}", page.lang)
        return page.render("complaint_status.html", HTTPStatus.OK, complaint=complaint,
                           category=label, new=page.query.get("baru") == "1",
                           overdue=feedback.overdue(complaint, self.server.clock()))

    def _static_file(self, name: str) -> Response:
        body = self._static.get(name)
        suffix = Path(name).suffix
        if body is None:
            path = WEB_ROOT / "static" / name
            if "/" in name or name.startswith(".") or suffix not in STATIC_TYPES or not (
                path.is_file()
            ):
                return _response(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            body = self._static[name] = path.read_bytes()
        return _response(HTTPStatus.OK, body, STATIC_TYPES[suffix],
                         [("Cache-Control", "public, max-age=3600")])


class _Page:
    """One request's language and the helpers that render its answer."""

    def __init__(self, desk: VisitorDesk, request: HttpRequest, query: dict[str, str]) -> None:
        self.desk = desk
        self.request = request
        self.query = query
        cookie_lang = _cookie(request.headers.get("Cookie", ""), "lang")
        asked = query.get("lang")
        self.set_lang = asked if asked in LANGUAGES else None
        self.lang = self.set_lang or (cookie_lang if cookie_lang in LANGUAGES else "id")

    def t(self, key: str, **params: object) -> str:
        return tr(key, self.lang, **params)

    def switch_url(self) -> str:
        other = "en" if self.lang == "id" else "id"
        path = self.request.path.partition("?")[0]
        query = {k: v for k, v in self.query.items() if k not in ("lang", "kirim", "f")}
        query["lang"] = other
        return f"{path}?{urlencode(query)}"

    def render(self, template: str, status: HTTPStatus, **context: Any) -> Response:
        text = self.desk.env.get_template(template).render(
            t=self.t, lang=self.lang, switch_url=self.switch_url(), query=self.query,
            office=self.desk.server.config.office.name, field_label=self.field_label,
            text_of=lambda value: value.get(self.lang) or value.get("id")
            if isinstance(value, dict) else value,
            **context)
        host = self.request.headers.get("Host", "")
        sockets = f" ws://{host} wss://{host}" if HOST.fullmatch(host) else ""
        return _response(status, text.encode(), "text/html; charset=utf-8", self._cookie(),
                         csp=CSP.format(sockets=sockets))

    def field_label(self, name: str) -> str:
        if name in feedback.UNSUR:
            return self.t(f"web.survey.{name}.title")
        return self.t(FIELD_KEYS.get(name, "web.field.unknown"))

    def message(self, status: HTTPStatus, title: str, text: str, back: str | None = None
                ) -> Response:
        return self.render("message.html", status, title=self.t(title), text=self.t(text),
                           back=back)

    def not_found(self) -> Response:
        """The one plain "not found" page: the same for a wrong key, an unknown
        code and an unknown address, so a miss says nothing about what exists."""
        return self.message(HTTPStatus.NOT_FOUND, "web.notfound.title", "web.notfound.text")

    def limited(self) -> Response:
        """The answer once an address has guessed too often."""
        return self.message(HTTPStatus.TOO_MANY_REQUESTS, "web.limited.title",
                            "web.limited.text")

    def redirect(self, location: str) -> Response:
        return _response(HTTPStatus.SEE_OTHER, b"", "text/plain",
                         [("Location", location), *self._cookie()])

    def _cookie(self) -> list[tuple[str, str]]:
        if self.set_lang is None:
            return []
        return [("Set-Cookie", f"lang={self.set_lang}; Path=/; Max-Age=31536000; "
                 "SameSite=Lax")]


def _response(status: HTTPStatus, body: bytes, content_type: str,
              extra: list[tuple[str, str]] | None = None,
              csp: str = CSP.format(sockets="")) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body))),
                       ("Content-Security-Policy", csp), *SECURITY_HEADERS])
    if not any(name == "Cache-Control" for name, _ in extra or ()):
        headers["Cache-Control"] = "no-store"
    for name, value in extra or ():
        headers[name] = value
    return Response(status.value, status.phrase, headers, body)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _address(ws: ServerConnection) -> str:
    try:
        remote = ws.remote_address
    except (AttributeError, ConnectionClosed):
        return "?"
    return str(remote[0]) if isinstance(remote, tuple) else str(remote)

