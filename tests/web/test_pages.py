"""The visitor's pages over plain HTTP on the server's own port: the ticket
page, guessing, the survey, complaints, languages, restarts and the day's end."""

from __future__ import annotations

import http.client
import json
import re
from datetime import timedelta

import pytest

from antrean.core.feedback import UNSUR
from server.store import Store
from tests.support import FakeClock, ServerThread, WireClient, open_counter
from tests.web.conftest import WebServers
from tests.web.helpers import SURVEY, Visitor, get, issue, key_of, path_of, serve, visible_text


def events_named(server: ServerThread, name: str) -> list[dict[str, object]]:
    assert server.server is not None
    store: Store = server.server.store
    rows = server.run(store.events_named((name,), server.server.office.day - timedelta(days=30)))
    return [json.loads(row.data) for row in rows]


def test_ticket_page_shows_number_service_place_and_wait(web_servers: WebServers) -> None:
    server = web_servers.start()
    issue(server)
    ticket = issue(server)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]{22}", ticket["url"])
    page = get(server, path_of(ticket["url"]))
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    text = visible_text(page.text)
    for expected in ("A002", "Paspor Baru", "Menunggu", "Antrean di depan Anda 1",
                     "Perkiraan waktu tunggu ± 12 menit", "Sedang dilayani Belum ada"):
        assert expected in text, expected
    assert '<meta http-equiv="refresh" content="30">' in page.text  # inside <noscript>
    assert ticket["id"] not in page.text  # the page names no ticket id


def test_page_is_english_on_request_and_remembers_it(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    page = get(server, path_of(ticket["url"]), {"lang": "en"})
    assert "New Passport" in page.text and "People ahead of you" in page.text
    assert page.headers["set-cookie"].startswith("lang=en;")
    again = get(server, path_of(ticket["url"]), cookie="lang=en")
    assert 'lang="en"' in again.text and "Bahasa Indonesia" in again.text


def test_a_guess_a_number_or_an_id_gets_the_same_not_found(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    guesses = ("AAAAAAAAAAAAAAAAAAAAAA", ticket["number"], ticket["id"],
               key_of(ticket["url"])[:-1])
    pages = [get(server, f"/t/{guess}") for guess in guesses]
    assert {p.status for p in pages} == {404}
    # The same page, but for its language link back to the address asked for.
    assert len({p.text.replace(f"/t/{g}?", "") for p, g in zip(pages, guesses, strict=True)}) == 1
    assert "Halaman tidak ditemukan" in pages[0].text
    assert get(server, "/t/x/../../healthz").status == 404


def test_guessing_is_limited_per_address_even_for_a_right_key(web_servers: WebServers) -> None:
    server = web_servers.start(guesses_per_minute=3)
    ticket = issue(server)
    assert [get(server, f"/t/wrong{i}").status for i in range(3)] == [404, 404, 404]
    limited = get(server, path_of(ticket["url"]))
    assert limited.status == 429 and "Terlalu banyak percobaan" in limited.text
    assert get(server, f"/pengaduan/PGD-{'A' * 5}-{'B' * 5}").status == 429


def test_another_tickets_key_shows_only_that_ticket(web_servers: WebServers) -> None:
    server = web_servers.start()
    first, second = issue(server), issue(server, "B")
    page = visible_text(get(server, path_of(second["url"])).text)
    assert "B001" in page and "A001" not in page
    assert key_of(first["url"]) != key_of(second["url"])


def test_only_the_issuing_kiosk_and_supervisors_get_the_url(web_servers: WebServers) -> None:
    server = web_servers.start()
    display = WireClient(server.url, "display", "display-web")
    counter = WireClient(server.url, "counter", "counter-web")
    other_kiosk = WireClient(server.url, "kiosk", "kiosk-other")
    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    ticket = issue(server)
    key = key_of(ticket["url"])
    for client in (display, counter, other_kiosk, supervisor):
        event = client.event("ticket.issued")
        assert "url" not in event["data"]["ticket"] and key not in json.dumps(event)
    assert other_kiosk.ok("ticket.get", ticket=ticket["id"])["ticket"].get("url") is None
    assert supervisor.ok("ticket.get", ticket=ticket["id"])["ticket"]["url"] == ticket["url"]


def test_public_url_from_the_office_file_makes_the_address(web_servers: WebServers) -> None:
    server = web_servers.start(public_url="https://antrean.kanim.example.go.id")
    ticket = issue(server)
    assert ticket["url"].startswith("https://antrean.kanim.example.go.id/t/")
    assert get(server, path_of(ticket["url"])).status == 200


# ---------------------------------------------------------------- the survey
def test_survey_opens_only_after_the_visit_is_done(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    page = get(server, path_of(ticket["url"]) + "/survei")
    assert page.status == 409 and "setelah layanan Anda selesai" in page.text
    no_show = issue(server)
    serve(server, no_show, finish="ticket.no_show")
    assert get(server, path_of(no_show["url"]) + "/survei").status == 409
    assert "Isi survei kepuasan" not in get(server, path_of(no_show["url"])).text


def test_survey_has_nine_unsur_each_a_group_of_four_radios(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    serve(server, ticket)
    assert "Isi survei kepuasan" in get(server, path_of(ticket["url"])).text
    page = get(server, path_of(ticket["url"]) + "/survei")
    assert page.status == 200
    for unsur in UNSUR:
        radios = re.findall(rf'<label class="choice"><input type="radio" name="{unsur}" '
                            r'value="(\d)"', page.text)
        assert radios == ["1", "2", "3", "4"], unsur
    assert page.text.count("<fieldset") == 10  # nine unsur and the profile
    assert "kesesuaian persyaratan pelayanan dengan jenis pelayanannya" in page.text
    assert "Dikelola dengan baik" in page.text and "Sangat sopan dan ramah" in page.text


def test_survey_is_stored_once_in_the_shared_shape(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    serve(server, ticket, counter="3")
    path = path_of(ticket["url"]) + "/survei"
    answer = get(server, path, {"kirim": "1", **SURVEY, "age": "34", "gender": "P",
                                "education": "d4s1", "occupation": "swasta",
                                "comment": "Cepat <b>sekali</b>"})
    assert answer.status == 303 and answer.location.endswith("?terima=survei")
    [data] = events_named(server, "survey.submitted")
    survey = data["survey"]
    assert survey == {
        "ticket": ticket["id"], "number": "A001", "service": "A", "counter": "3",
        "staff": "demo", "day": ticket["id"][:10], "answers": SURVEY,
        "profile": {"age": 34, "gender": "P", "education": "d4s1", "occupation": "swasta"},
        "comment": "Cepat <b>sekali</b>", "source": "phone"}
    thanks = get(server, answer.location)
    assert "survei Anda sudah kami terima" in thanks.text
    assert "Isi survei kepuasan" not in thanks.text
    seq = server.call(lambda: server.server.committed_seq)  # type: ignore[union-attr]
    second = get(server, path, {"kirim": "1", **{u: 1 for u in UNSUR}})
    assert second.status == 409 and "sudah kami terima" in second.text
    assert len(events_named(server, "survey.submitted")) == 1
    assert server.call(lambda: server.server.committed_seq) == seq  # type: ignore[union-attr]


def test_incomplete_survey_names_what_is_missing_and_keeps_the_rest(
        web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    serve(server, ticket)
    partial = {u: g for u, g in SURVEY.items() if u not in ("u3", "u7")}
    page = get(server, path_of(ticket["url"]) + "/survei",
               {"kirim": "1", **partial, "u9": "5", "age": "abc"})
    assert page.status == 400
    summary = visible_text(page.text.split('id="errors"')[1].split("</div>")[0])
    for missing in ("Waktu penyelesaian", "Perilaku pelaksana", "Sarana dan prasarana",
                    "Usia"):
        assert missing in summary
    assert "Persyaratan" not in summary
    assert 'name="u1" value="2" required checked' in page.text  # what was answered stays
    assert page.text.count("Pilih satu jawaban.") == 3  # beside each unanswered unsur
    assert events_named(server, "survey.submitted") == []


def test_survey_events_reach_kiosks_and_displays_without_staff(web_servers: WebServers) -> None:
    server = web_servers.start()
    display = WireClient(server.url, "display", "display-web")
    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    ticket = issue(server)
    serve(server, ticket)
    get(server, path_of(ticket["url"]) + "/survei", {"kirim": "1", **SURVEY})
    assert display.event("survey.submitted")["data"]["survey"]["staff"] is None
    assert supervisor.event("survey.submitted")["data"]["survey"]["staff"] == "demo"


# ---------------------------------------------------------------- complaints
def test_complaint_is_filed_tracked_answered_and_shown_escaped(web_servers: WebServers) -> None:
    server = web_servers.start()
    display = WireClient(server.url, "display", "display-web")
    ticket = issue(server)
    form = get(server, path_of(ticket["url"]) + "/pengaduan")
    assert form.status == 200 and "Waktu tunggu" in form.text and "A001" in form.text
    nasty = '<script>alert("x")</script><b>tebal</b> <img src=x onerror=alert(1)>'
    params = {"kirim": "1", "f": "nonce-1", "category": "waktu", "text": nasty,
              "name": "Budi", "contact": "0812-000", "consent": "1"}
    filed = get(server, path_of(ticket["url"]) + "/pengaduan", params)
    assert filed.status == 303
    code = re.fullmatch(r"/pengaduan/(PGD-[A-Z2-9]{5}-[A-Z2-9]{5})\?baru=1", filed.location)
    assert code is not None
    again = get(server, path_of(ticket["url"]) + "/pengaduan", params)  # a reload
    assert again.location == filed.location
    status = get(server, filed.location)
    assert status.status == 200 and "Diterima" in status.text
    assert "<script>alert" not in status.text and "<b>tebal" not in status.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;tebal&lt;/b&gt;" in status.text
    assert "Budi" not in status.text and "0812" not in status.text
    [data] = events_named(server, "complaint.filed")
    complaint = data["complaint"]
    assert (complaint["text"], complaint["ticket"], complaint["service"], complaint["status"],
            complaint["name"], complaint["contact"]) == (nasty, ticket["id"], "A", "diterima",
                                                         "Budi", "0812-000")
    public = display.event("complaint.filed")["data"]["complaint"]
    assert set(public) == {"code", "category", "status", "filed_at", "updated_at", "deadline"}

    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    [listed] = supervisor.ok("complaint.list")["complaints"]
    assert listed["code"] == code.group(1) and listed["overdue"] is False
    refused = supervisor.request("complaint.update", code=code.group(1), status="ditolak")
    assert refused["type"] == "error" and refused["code"] == "bad_request"
    supervisor.ok("complaint.update", code=code.group(1), status="diproses")
    supervisor.ok("complaint.update", code=code.group(1), status="selesai",
                  reply="Mohon maaf, loket tambahan kini dibuka <i>pagi</i>.")
    closed = supervisor.request("complaint.update", code=code.group(1), status="diproses")
    assert closed["type"] == "error" and closed["code"] == "conflict"
    shown = get(server, f"/pengaduan/{code.group(1)}", {"lang": "en"})
    assert "Resolved" in shown.text and "loket tambahan kini dibuka &lt;i&gt;pagi" in shown.text
    updated = events_named(server, "complaint.updated")
    assert [u["complaint"]["status"] for u in updated] == ["diproses", "selesai"]
    assert {u["staff"] for u in updated} == {"demo"}


def test_complaint_without_a_ticket_and_what_is_refused(web_servers: WebServers) -> None:
    server = web_servers.start()
    page = get(server, "/pengaduan", {"kirim": "1", "category": "nope", "text": "",
                                      "name": "Ani"})
    assert page.status == 400
    summary = visible_text(page.text.split('id="errors"')[1].split("</div>")[0])
    assert "Kategori" in summary and "Isi pengaduan" in summary and "Saya setuju" in summary
    too_long = get(server, "/pengaduan", {"kirim": "1", "category": "biaya", "text": "x" * 1001})
    assert too_long.status == 400
    assert events_named(server, "complaint.filed") == []
    ok = get(server, "/pengaduan", {"kirim": "1", "category": "biaya", "text": "Diminta uang"})
    assert ok.status == 303
    code = ok.location.split("/")[-1].split("?")[0]
    lookup = get(server, "/pengaduan/cek", {"kode": code.lower()})
    assert lookup.status == 303 and get(server, lookup.location).status == 200


def test_overdue_complaints_are_flagged(web_servers: WebServers) -> None:
    clock = FakeClock()
    server = web_servers.start(clock=clock, complaint_deadline_days=2)
    get(server, "/pengaduan", {"kirim": "1", "category": "sarana", "text": "AC mati"})
    supervisor = WireClient(server.url, "supervisor", "supervisor-web")
    supervisor.login()
    assert supervisor.ok("complaint.list")["complaints"][0]["overdue"] is False
    clock.now += timedelta(days=2, minutes=1)
    assert supervisor.ok("complaint.list")["complaints"][0]["overdue"] is True


# ---------------------------------------------------------------- restarts and days
def test_pages_keys_survey_and_complaints_survive_a_restart(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    serve(server, ticket)
    get(server, path_of(ticket["url"]) + "/survei", {"kirim": "1", **SURVEY})
    filed = get(server, "/pengaduan", {"kirim": "1", "category": "waktu", "text": "Lama"})
    server = web_servers.restart(server)
    page = get(server, path_of(ticket["url"]))
    assert page.status == 200 and "A001" in page.text and "Selesai" in page.text
    assert "survei Anda sudah kami terima" in page.text
    assert get(server, path_of(ticket["url"]) + "/survei", {"kirim": "1", **SURVEY}).status == 409
    assert get(server, filed.location).status == 200
    assert issue(server)["url"] != ticket["url"]


def test_after_the_day_the_page_shows_the_outcome_then_expires(web_servers: WebServers) -> None:
    clock = FakeClock()
    server = web_servers.start(clock=clock, days_after=2)
    done, waiting = issue(server), issue(server)
    serve(server, done)
    clock.now += timedelta(days=1)
    server.call(lambda: server.server.check_day())  # type: ignore[union-attr]
    page = visible_text(get(server, path_of(done["url"])).text)
    assert "Tiket tanggal" in page and "Selesai" in page and "Isi survei kepuasan" in page
    assert "Sedang dilayani" not in page
    closed = visible_text(get(server, path_of(waiting["url"])).text)
    assert "Tidak hadir" in closed and "Isi survei" not in closed
    assert get(server, path_of(done["url"]) + "/survei", {"kirim": "1", **SURVEY}).status == 303
    clock.now += timedelta(days=2)
    server.call(lambda: server.server.check_day())  # type: ignore[union-attr]
    assert get(server, path_of(done["url"])).status == 404


def test_pages_are_small_and_use_nothing_from_elsewhere(web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    css = get(server, "/static/site.css")
    js = get(server, "/static/ticket.js")
    forms = get(server, "/static/forms.js")
    assert css.headers["content-type"].startswith("text/css")
    serve(server, ticket)
    for path in ("/", path_of(ticket["url"]), path_of(ticket["url"]) + "/survei",
                 "/pengaduan", "/pengaduan/cek"):
        page = get(server, path)
        assert page.status == 200, path
        assert len(page.text) + len(css.text) + len(js.text) + len(forms.text) < 100_000
        assert not re.search(r"(src|href)=\"(https?:)?//", page.text), path
    assert get(server, "/static/../app.py").status == 404
    assert get(server, "/static/nope.css").status == 404


@pytest.mark.parametrize("path", ["/nowhere", "/t", "/t/a/b/c", "/pengaduan/a/b"])
def test_unknown_paths_are_not_found(web_servers: WebServers, path: str) -> None:
    server = web_servers.start()
    assert get(server, path).status == 404
    assert get(server, "/healthz").status == 200


def test_counter_open_counts_in_the_wait(web_servers: WebServers) -> None:
    server = web_servers.start()
    issue(server)
    ticket = issue(server)
    console = WireClient(server.url, "counter", "counter-eta")
    open_counter(console, "2", ["A"])
    assert "Antrean di depan Anda 1" in visible_text(get(server, path_of(ticket["url"])).text)


# ---------------------------------------------------------------- the survey point
def test_survey_point_registers_with_its_token_then_takes_numbers(
        web_servers: WebServers) -> None:
    server = web_servers.start(guesses_per_minute=5)
    assert get(server, "/survei").status == 403
    refused = get(server, "/survei/masuk", {"perangkat": "exit-1", "token": "demo-kiosk"})
    assert refused.status == 401 and "belum terdaftar" in refused.text
    forged = get(server, "/survei", cookie="point=exit-1.AAAAAAAAAAAAAAAAAAAAAA")
    assert forged.status == 403
    joined = get(server, "/survei/masuk", {"perangkat": "exit-1", "token": "demo-survey"})
    assert joined.status == 303 and joined.location == "/survei"
    cookie = joined.headers["set-cookie"].split(";")[0]
    assert "HttpOnly" in joined.headers["set-cookie"]
    start = get(server, "/survei", cookie=cookie)
    assert start.status == 200 and "Ketik nomor antrean" in start.text
    ticket, waiting = issue(server), issue(server)
    serve(server, ticket)
    assert get(server, "/survei", {"nomor": "A999"}, cookie=cookie).status == 404
    assert get(server, "/survei", {"nomor": waiting["number"]}, cookie=cookie).status == 409
    form = get(server, "/survei", {"nomor": "a001"}, cookie=cookie)
    assert form.status == 200 and 'action="/survei/A001"' in form.text
    scanned = get(server, "/survei", {"nomor": ticket["url"]}, cookie=cookie)  # the QR
    assert scanned.status == 200 and 'action="/survei/A001"' in scanned.text
    assert get(server, "/survei", {"nomor": "http://x/t/nope"}, cookie=cookie).status == 404
    partial = get(server, "/survei/A001", {"kirim": "1", "u1": "4"}, cookie=cookie)
    assert partial.status == 400
    sent = get(server, "/survei/A001", {"kirim": "1", **SURVEY}, cookie=cookie)
    assert sent.status == 303 and sent.location == "/survei?terima=1"
    assert "Pengunjung berikutnya" in get(server, sent.location, cookie=cookie).text
    again = get(server, "/survei", {"nomor": "A001"}, cookie=cookie)
    assert again.status == 409 and "sudah kami terima" in again.text
    [data] = events_named(server, "survey.submitted")
    assert data["survey"]["source"] == "point"  # type: ignore[index]


def test_complaints_per_address_are_limited(web_servers: WebServers) -> None:
    server = web_servers.start(complaints_per_hour=2)
    refused = get(server, "/pengaduan", {"kirim": "1", "category": "waktu", "text": ""})
    assert refused.status == 400  # a form with mistakes does not count
    for i in range(2):
        assert get(server, "/pengaduan", {"kirim": "1", "category": "waktu",
                                          "text": f"Keluhan {i}"}).status == 303
    third = get(server, "/pengaduan", {"kirim": "1", "category": "waktu", "text": "Lagi"})
    assert third.status == 429 and "Terlalu banyak pengaduan" in third.text
    visitor = Visitor(server, key_of(issue(server)["url"]))
    answer = visitor.request("complaint.file", "c1", category="waktu", text="Lagi")
    assert answer["code"] == "rate_limited"
    assert len(events_named(server, "complaint.filed")) == 2


def test_content_security_policy_allows_only_this_servers_socket(
        web_servers: WebServers) -> None:
    server = web_servers.start()
    ticket = issue(server)
    csp = get(server, path_of(ticket["url"])).headers["content-security-policy"]
    host = f"127.0.0.1:{server.port}"
    assert f"connect-src 'self' ws://{host} wss://{host};" in csp
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.putrequest("GET", path_of(ticket["url"]), skip_host=True)
    conn.putheader("Host", "evil.example; script-src *")
    conn.endheaders()
    forged = conn.getresponse()
    forged.read()
    assert forged.getheader("content-security-policy").count("connect-src 'self';") == 1
    assert len(forged.headers.get_all("content-security-policy") or []) == 1
    conn.close()
