"""Screenshots of the visitor's pages for docs/screenshots/ (both languages,
360x640 and 1280x800): `python -m tests.web.make_screenshots`."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page

from server.visitor import VisitorSettings
from tests.support import ServerThread, WireClient, cached_demo_config, open_counter
from tests.web.browser import DESKTOP, PHONE, chromium
from tests.web.helpers import get, issue, path_of, serve

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
STEPS = {"A": [{"id": "Pemeriksaan berkas di loket", "en": "Document check at the counter"},
               {"id": "Foto dan wawancara", "en": "Photo and interview"},
               {"id": "Pembayaran dan pengambilan paspor", "en": "Payment and passport pickup"}]}


def main() -> int:
    from antrean.core.model import Text

    config = dataclasses.replace(cached_demo_config(), visitor=VisitorSettings(
        steps={code: tuple(Text(s["id"], s["en"]) for s in steps)
               for code, steps in STEPS.items()}))
    with tempfile.TemporaryDirectory() as folder:
        server = ServerThread(config, f"sqlite:///{folder}/shots.db").start()
        try:
            shoot(server)
        finally:
            server.stop()
    return 0


def shoot(server: ServerThread) -> None:
    for _ in range(3):
        issue(server)
    waiting = issue(server)
    called = issue(server, "B")
    done = issue(server, "D")
    serve(server, done)
    console = WireClient(server.url, "counter", "counter-shots")
    open_counter(console, "3", ["A", "B"])
    console.ok("ticket.call", counter="3", ticket=called["id"], reason="screenshot")
    filed = get(server, "/pengaduan", {"kirim": "1", "category": "waktu", "f": "shot",
                                       "text": "Antrean paspor sangat lama, lebih dari 3 jam. "
                                               "<script>alert(1)</script>"})
    code = filed.location.split("/")[-1].split("?")[0]
    supervisor = WireClient(server.url, "supervisor", "supervisor-shots")
    supervisor.login()
    supervisor.ok("complaint.update", code=code, status="selesai",
                  reply="Mohon maaf. Mulai besok loket 5 juga melayani paspor baru.")
    pages = {
        "ticket-waiting": waiting["url"],
        "ticket-called": called["url"],
        "ticket-done": done["url"],
        "survey": done["url"] + "/survei",
        "survey-missing": done["url"] + "/survei?kirim=1&u1=4&u2=3&u4=4&u5=3&u6=4&u8=3&u9=4",
        "complaint": waiting["url"] + "/pengaduan",
        "complaint-status": f"http://127.0.0.1:{server.port}/pengaduan/{code}",
        "not-found": f"http://127.0.0.1:{server.port}/t/AAAAAAAAAAAAAAAAAAAAAA",
        "home": f"http://127.0.0.1:{server.port}/",
        # the survey point: registered once with its token, then a number is typed
        "point": f"http://127.0.0.1:{server.port}/survei/masuk?perangkat=exit&token=demo-survey",
        "point-unknown": f"http://127.0.0.1:{server.port}/survei?nomor=Z999",
    }
    with chromium() as browser:
        for size_name, size in (("360x640", PHONE), ("1280x800", DESKTOP)):
            for lang in ("id", "en"):
                context = browser.new_context(viewport=size)
                page: Page = context.new_page()
                for name, url in pages.items():
                    sep = "&" if "?" in url else "?"
                    page.goto(f"{url}{sep}lang={lang}")
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(OUT / f"web-{name}-{lang}-{size_name}.png"),
                                    full_page=name.startswith(("survey", "complaint")))
                context.close()
    print(f"screenshots in {OUT}; survey page {path_of(done['url'])}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
