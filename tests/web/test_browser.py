"""A visitor's whole way in a real browser (headless Chromium): the ticket
from the kiosk's preview printer, its QR read from the printed PNG, the live
page, the call, the survey, a complaint and the office's answer."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.counter.console_driver import Console
from tests.counter.test_supervisor import supervisor_console
from tests.kiosk.conftest import MakeKiosk, server_tickets, tap
from tests.support import ServerThread, WireClient, open_counter
from tests.web.browser import PHONE, chromium
from tests.web.conftest import WebServers
from tests.web.helpers import SURVEY, get, issue, key_of, path_of, serve

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"),
                                reason="Debian's chromium is not installed (README)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def printed_qr(previews: Path, ticket_id: str) -> str:
    image = Image.open(previews / f"{ticket_id}.png").convert("L")
    [result] = zxingcpp.read_barcodes(image)
    return str(result.text)


def test_visitor_journey_from_printed_ticket_to_the_offices_answer(
    qtbot: QtBot, console: Console, make_kiosk: MakeKiosk, live_server: ServerThread,
    previews: Path, phone: Page,
) -> None:
    window = make_kiosk()
    tap(qtbot, window.start_screen.take_button)
    tap(qtbot, window.services_screen.tiles["A"])
    tap(qtbot, window.requirements_screen.continue_button)
    tap(qtbot, window.priority_screen.no_button)
    qtbot.waitUntil(lambda: window.ticket_screen.status_label.text()
                    == "Silakan ambil tiket Anda", timeout=10_000)  # printed
    [ticket] = server_tickets(live_server)
    url = printed_qr(previews, ticket["id"])
    assert re.fullmatch(rf"http://127\.0\.0\.1:{live_server.port}/t/[\w-]{{22}}", url)

    phone.add_init_script("window.vibrations = []; navigator.vibrate = "
                          "(pattern) => { window.vibrations.push(pattern); return true; };")
    phone.goto(url)
    expect(phone.locator("#number")).to_have_text("A001")
    expect(phone.locator(".service")).to_have_text("Paspor Baru")
    expect(phone.locator("#status")).to_have_text("Menunggu")
    expect(phone.locator("#ahead")).to_have_text("0")
    expect(phone.locator("#live")).to_have_text("Halaman ini diperbarui otomatis.")  # live

    counter = WireClient(live_server.url, "counter", "counter-3")
    open_counter(counter, "3", ["A"])
    called_at = time.monotonic()
    counter.ok("ticket.call_next", counter="3")
    expect(phone.locator("#called")).to_have_text("Silakan menuju Loket 3", timeout=2000)
    assert time.monotonic() - called_at < 2.0
    expect(phone.locator("#status")).to_have_text("Dipanggil")
    assert phone.title().startswith("Dipanggil: Loket 3")
    assert phone.evaluate("window.vibrations") == [[400, 150, 400, 150, 400]]
    box = phone.locator("#called").bounding_box()
    assert box is not None and box["width"] >= PHONE["width"] - 1  # full width

    counter.ok("ticket.start", ticket=ticket["id"])
    expect(phone.locator("#explain")).to_have_text("Anda sedang dilayani di Loket 3.")
    counter.ok("ticket.complete", ticket=ticket["id"])
    expect(phone.locator("#survey-link")).to_be_visible(timeout=5000)  # the page reloads

    phone.locator("#survey-link").click()
    expect(phone.locator("h1")).to_have_text("Survei Kepuasan Masyarakat")
    for unsur, grade in SURVEY.items():
        phone.locator(f"input[name={unsur}][value='{grade}']").locator("..").click()  # label
    phone.locator("#f-age").fill("41")
    phone.get_by_label("Perempuan").check()
    phone.locator("button[type=submit]").click()
    expect(phone.locator(".notice")).to_have_text("Terima kasih, survei Anda sudah kami terima.")
    assert phone.url.endswith("?terima=survei")
    assert phone.locator("#survey-link").count() == 0

    phone.goto(url + "/survei")  # a second time
    expect(phone.locator("main")).to_contain_text("hanya dapat dinilai satu kali")

    phone.goto(url)
    phone.locator("#complaint-link").click()
    phone.get_by_label("Waktu tunggu").check()
    nasty = "<script>window.hacked=1</script><b>lama</b> [b]Qt[/b] <a href=x>x</a>"
    phone.locator("#f-text").fill(nasty)
    phone.locator("button[type=submit]").click()
    expect(phone.locator("#code")).to_have_text(re.compile(r"PGD-[A-Z2-9]{5}-[A-Z2-9]{5}"))
    code = phone.locator("#code").inner_text()
    expect(phone.locator("#text")).to_have_text(nasty)  # shown as text, never run
    assert phone.evaluate("window.hacked") is None
    expect(phone.locator("#status")).to_have_text("Diterima")
    status_url = phone.url

    # The supervisor answers in the console's supervisor tab.
    _, view = supervisor_console(qtbot, console)
    panel = view.complaints
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    assert (panel.table.item(0, 0).text(), panel.table.item(0, 4).text()) == (code, nasty)
    panel.table.selectRow(0)
    panel.reply.setPlainText("Kami menambah petugas di loket A.")
    qtbot.mouseClick(panel.buttons["selesai"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.item(0, 3).text() == "Selesai", timeout=5000)
    phone.goto(status_url)
    expect(phone.locator("#status")).to_have_text("Selesai")
    expect(phone.locator("#reply")).to_have_text("Kami menambah petugas di loket A.")


def test_a_guessed_key_another_tickets_key_and_after_a_restart(
    web_servers: WebServers, phone: Page
) -> None:
    server = web_servers.start()
    mine, other = issue(server), issue(server, "B")
    phone.goto(f"http://127.0.0.1:{server.port}/t/{key_of(mine['url'])[::-1]}")
    expect(phone.locator("h1")).to_have_text("Halaman tidak ditemukan")
    phone.goto(other["url"])
    expect(phone.locator("#number")).to_have_text("B001")
    phone.goto(mine["url"])
    expect(phone.locator("#number")).to_have_text("A001")
    expect(phone.locator("#live")).to_have_text("Halaman ini diperbarui otomatis.")

    server = web_servers.restart(server)  # the open page reconnects by itself
    console = WireClient(server.url, "counter", "counter-after")
    open_counter(console, "2", ["A"])
    console.ok("ticket.call_next", counter="2")
    expect(phone.locator("#called")).to_have_text("Silakan menuju Loket 2", timeout=10_000)
    phone.goto(mine["url"])  # and a fresh load after the restart
    expect(phone.locator("#status")).to_have_text("Dipanggil")


def test_page_resyncs_when_the_phone_wakes(web_servers: WebServers, phone: Page) -> None:
    server = web_servers.start()
    ticket = issue(server)
    phone.goto(ticket["url"])
    expect(phone.locator("#live")).to_have_text("Halaman ini diperbarui otomatis.")
    phone.evaluate("""() => { Object.defineProperty(document, 'visibilityState',
        {value: 'visible', configurable: true});
        document.dispatchEvent(new Event('visibilitychange')); }""")
    expect(phone.locator("#status")).to_have_text("Menunggu")
    serve(server, ticket)
    expect(phone.locator("#survey-link")).to_be_visible(timeout=5000)


def test_without_javascript_the_page_is_a_refreshing_snapshot(
    web_servers: WebServers, browser: Browser
) -> None:
    server = web_servers.start()
    ticket = issue(server)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(ticket["url"])
        expect(page.locator("#number")).to_have_text("A001")
        expect(page.locator("#live")).to_have_text("Halaman ini dimuat ulang setiap 30 detik.")
        serve(server, ticket)
        page.reload()
        expect(page.locator("#status")).to_have_text("Selesai")
        page.locator("#survey-link").click()
        for unsur in SURVEY:
            page.locator(f"input[name={unsur}][value='3']").locator("..").click()
        page.locator("button[type=submit]").click()  # a plain GET form
        expect(page.locator(".notice")).to_have_text(
            "Terima kasih, survei Anda sudah kami terima.")
        assert get(server, path_of(ticket["url"]) + "/survei").status == 409
    finally:
        context.close()


A11Y_SCRIPT = r"""() => {
  const small = [];
  const tiny = [];
  for (const el of document.querySelectorAll('a, button, select, input, textarea, label.choice')) {
    if (el.type === 'hidden' || el.offsetParent === null) continue;
    const target = el.type === 'radio' || el.type === 'checkbox' ? el.closest('label') : el;
    const box = target.getBoundingClientRect();
    if (box.height < 48 || box.width < 48) small.push(target.outerHTML.slice(0, 80));
  }
  const rgb = (text) => text.match(/[\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const value = rgb(getComputedStyle(el).backgroundColor);
      if (value.length < 4 || value[3] > 0) return value;
    }
    return [255, 255, 255];
  };
  const faint = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent.offsetParent) continue;
    const style = getComputedStyle(parent);
    const size = parseFloat(style.fontSize);
    if (size < 16) tiny.push(node.textContent.trim().slice(0, 40) + ' ' + size);
    const [a, b] = [luminance(rgb(style.color)), luminance(background(parent))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) faint.push(node.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return {small, tiny, faint};
}"""


def test_every_page_has_big_targets_and_readable_text(web_servers: WebServers,
                                                      phone: Page) -> None:
    """Touch targets at least 48x48 px, text at least 16 px and every text's
    contrast with its background at least 4.5:1 (WCAG AA), on a phone."""
    server = web_servers.start()
    waiting, done = issue(server), issue(server)
    serve(server, done)
    filed = get(server, "/pengaduan", {"kirim": "1", "category": "waktu", "text": "Lama"})
    base = f"http://127.0.0.1:{server.port}"
    for url in (waiting["url"], done["url"], done["url"] + "/survei",
                done["url"] + "/survei?kirim=1&u1=3", waiting["url"] + "/pengaduan",
                base + filed.location, base + "/", base + "/pengaduan/cek",
                base + "/t/nothing-here"):
        phone.goto(url)
        found = phone.evaluate(A11Y_SCRIPT)
        assert found == {"small": [], "tiny": [], "faint": []}, url


def test_a_transfer_shows_the_new_service_live(web_servers: WebServers, phone: Page) -> None:
    server = web_servers.start()
    ticket = issue(server)
    phone.goto(ticket["url"] + "?lang=en")
    expect(phone.locator(".service")).to_have_text("New Passport")
    expect(phone.locator("#live")).to_have_text("This page updates by itself.")
    console = WireClient(server.url, "counter", "counter-transfer")
    open_counter(console, "1", ["A"])
    console.ok("ticket.call_next", counter="1")
    expect(phone.locator("#called")).to_have_text("Please go to Counter 1")
    console.ok("ticket.transfer", ticket=ticket["id"], service="B")
    expect(phone.locator(".service")).to_have_text("Passport Replacement")
    expect(phone.locator("#status")).to_have_text("Waiting")
    expect(phone.locator("#called")).to_be_hidden()
