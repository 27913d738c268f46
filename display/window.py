"""The waiting-room screen: views on the server link's office mirror.

The window owns no state of its own beyond what the room was told (the
`CallBoard`); everything else is read from `link.office`, which the link keeps
equal to the server's. Each event updates the screen at once; the voice is
queued in the `Announcer` and never holds the screen up.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLayout, QVBoxLayout, QWidget

from antrean.core.model import Text
from antrean.core.office import Event, Office
from antrean.i18n import tr
from antrean.qt.link import ServerLink
from display.board import CallBoard, RecentCall
from display.connection_banner import ConnectionBanner
from display.header import HeaderBar
from display.look import STYLE_SHEET, bilingual
from display.media import INTERVAL_MS, MediaArea
from display.now_calling import HIGHLIGHT_MS, NowCallingPanel
from display.recent_calls import ROWS, RecentCallsPanel
from display.ticker import TickerBar
from display.voice import Announcer
from display.waiting import WaitingStrip

log = logging.getLogger(__name__)

VOICE_NOTES = frozenset({"silent", "chime_only"})  # worth telling staff on screen


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DisplayOptions:
    """What one screen shows and says (from the command line)."""

    services: frozenset[str] | None = None  # None: every service
    sound: bool = True
    english: bool = False
    media_dir: Path | None = None
    lang: str = "id"  # of the date; labels are always in both languages
    highlight_ms: int = HIGHLIGHT_MS
    media_interval_ms: int = INTERVAL_MS
    recent_rows: int = ROWS

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DisplayOptions:
        codes = frozenset(
            code.strip().upper() for code in (args.services or "").split(",") if code.strip()
        )
        return cls(
            services=codes or None,
            sound=not args.no_sound,
            english=bool(args.english),
            media_dir=Path(args.media).expanduser() if args.media else None,
            lang=args.lang,
        )


class DisplayWindow(QWidget):
    """The whole screen. Tests and the benchmark read its views' text."""

    view_updated = Signal()  # the calls on screen changed

    def __init__(
        self,
        link: ServerLink,
        options: DisplayOptions,
        announcer: Announcer,
        *,
        clock: Callable[[], datetime] = _utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("displayRoot")
        self.setStyleSheet(STYLE_SHEET)
        self.setWindowTitle(tr("app.title.display", options.lang))
        self.link = link
        self.options = options
        self.announcer = announcer
        self.board = CallBoard(options.services)
        self._clock = clock
        self._refused = False
        self._voice_reported = ""
        self._closure_shown: Text | None = None
        self._calendar_timer = QTimer(self)  # a break begins or ends without an event
        self._calendar_timer.setInterval(30_000)
        self._calendar_timer.timeout.connect(self._check_calendar)
        self._calendar_timer.start()

        self.banner = ConnectionBanner()
        self.header = HeaderBar(options.lang)
        self.now_calling = NowCallingPanel(options.highlight_ms)
        self.recent = RecentCallsPanel(options.recent_rows)
        self.media: MediaArea | None = None
        if options.media_dir is not None:
            if options.media_dir.is_dir():
                self.media = MediaArea(options.media_dir, options.media_interval_ms)
            else:
                log.warning("media folder %s not found: no media area", options.media_dir)
        self.waiting = WaitingStrip()
        self.ticker = TickerBar()
        self._build_layout()

        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.leave_full_screen)
        QShortcut(QKeySequence("Ctrl+Q"), self, self.close)

        link.snapshot_loaded.connect(self._on_snapshot)
        link.event_received.connect(self._on_event)
        link.connected_changed.connect(self._on_connected)
        link.refused.connect(self._on_refused)
        announcer.statusChanged.connect(self._on_voice_status)
        self._on_voice_status(announcer.status)
        if link.office is not None:
            self._on_snapshot()
        if not link.connected:
            self.banner.show_message("display.connecting")

    # ------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        self._content = QVBoxLayout()
        self._content.addWidget(self.header)
        self._main = QHBoxLayout()
        self._main.addWidget(self.now_calling, 10 if self.media else 11)
        if self.media is not None:
            self._main.addWidget(self.media, 9)
        self._main.addWidget(self.recent, 8 if self.media else 9)
        self._content.addLayout(self._main, 1)
        self._content.addWidget(self.waiting)
        root = QVBoxLayout(self)
        # Sizes follow the window, never the other way round: a full-size
        # layout must not stop the window from shrinking to a smaller TV.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.banner)
        root.addLayout(self._content, 1)
        root.addWidget(self.ticker)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.rescale(self.height())

    def rescale(self, height: int) -> None:
        """Every size is a share of the screen height: one layout for all TVs."""
        margin = round(height * 0.018)
        self._content.setContentsMargins(margin, margin, margin, round(height * 0.012))
        self._content.setSpacing(round(height * 0.014))
        self._main.setSpacing(round(height * 0.014))
        for view in (self.banner, self.header, self.now_calling, self.recent, self.waiting,
                     self.ticker):
            view.rescale(height)
        if self.media is not None:
            self.media.rescale(height)

    # -------------------------------------------------------------- keys
    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def leave_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()

    # ------------------------------------------------------------ queries
    def shown_calls(self) -> list[tuple[str, str]]:
        """(number, counter) as on screen: the one now calling, then the list."""
        now = [(self.now_calling.number_text(), self.now_calling.counter_text())]
        return (now if now[0][0] else []) + self.recent.shown()

    # ----------------------------------------------------------- the link
    def _on_connected(self, connected: bool) -> None:
        if connected:
            if self._refused:
                log.info("the server accepts this display again")
            self._refused = False
            self.banner.clear()
        elif not self._refused:
            log.warning("connection to %s lost: reconnecting", self.link.url)
            self.banner.show_message("display.disconnected")

    def _on_refused(self, code: str, message: str) -> None:
        if not self._refused:  # once, not at every retry all day long
            log.error("the server refused this display (%s: %s)", code, message)
        self._refused = True
        self.banner.show_message("display.refused")

    def _on_snapshot(self) -> None:
        office = self.link.office
        if office is None:
            return
        self.header.set_office(office.spec.name, office.spec.logo, office.tz)
        previous = self.board.latest
        fresh = self.board.rebuild(office, self._clock())
        for call in fresh:
            self._announce(office, call)
        latest = self.board.latest
        changed = latest is not None and (previous is None or previous.key != latest.key)
        self._show_calls(office, highlight=changed and latest in fresh)
        self._show_waiting(office)
        self._show_ticker(office, restart=False)

    def _on_event(self, event: Event) -> None:
        office = self.link.office
        if office is None:
            return
        now = self._clock()
        self.board.clock.observe(event.at, now)
        if event.name == "ticket.called" and event.ticket is not None:
            previous = self.board.latest
            call = self.board.on_called(event.ticket, now)
            if call is not None:
                self._announce(office, call)
            latest = self.board.latest
            if latest is not None and (previous is None or previous.key != latest.key):
                self._show_calls(office, highlight=True)
        elif event.name == "day.rolled":
            self.board.start_day(office.day)
            self._show_calls(office, highlight=False)
        elif event.name == "announcement":
            self._show_ticker(office, restart=True)
        self._show_waiting(office)

    def _on_voice_status(self, status: str) -> None:
        self.header.set_note(bilingual(f"voice.status.{status}") if status in VOICE_NOTES else "")
        if status != self._voice_reported:
            # Supervisors see it in their device list: a hall without sound.
            self._voice_reported = status
            self.link.request("device.status", None, status=status,
                              detail=tr(f"voice.status.{status}", "en"))

    # ------------------------------------------------------------- views
    def _announce(self, office: Office, call: RecentCall) -> None:
        self.announcer.announce(call.number, self._counter_name(office, call.counter_id).id)

    def _counter_name(self, office: Office, counter_id: str) -> Text:
        counter = office.counters.get(counter_id)
        if counter is not None:
            return counter.spec.name
        return Text(tr("display.counter_fallback", "id", id=counter_id),
                    tr("display.counter_fallback", "en", id=counter_id))

    def _show_calls(self, office: Office, *, highlight: bool) -> None:
        calls = self.board.calls
        if not calls:
            self.now_calling.show_nothing()
        else:
            latest = calls[0]
            self.now_calling.show_call(latest.number, self._counter_name(office, latest.counter_id),
                                       self._step_text(office, latest))
            if highlight:
                self.now_calling.highlight()
        lang = self.options.lang
        self.recent.show_calls([
            (call.number, self._counter_name(office, call.counter_id).get(lang))
            for call in calls[1 : 1 + len(self.recent.rows)]
        ], bilingual("display.recent.none_other") if calls else "")
        self.view_updated.emit()

    def _step_text(self, office: Office, call: RecentCall) -> str:
        """"Tahap 2/2: Wawancara & biometrik · Step 2/2: Interview & biometrics"."""
        service = office.services.get(call.service)
        names = service.spec.steps if service is not None else ()
        if not 1 <= call.step <= len(names):
            return ""
        name = names[call.step - 1]
        return " · ".join(dict.fromkeys(
            tr("step.of", lang, step=call.step, steps=len(names), name=name.get(lang))
            for lang in ("id", "en")))

    def _show_waiting(self, office: Office) -> None:
        self.waiting.show_services(
            (service, sum(office.waiting_count(key) for key in office.step_queues(code)))
            for code, service in office.services.items()
            if self.board.shows(code)
        )

    def closure(self) -> Text | None:
        """Why the office takes no tickets now, and when it opens again (for the
        ticker), or None while it is open."""
        office = self.link.office
        if office is None:
            return None
        state = office.calendar.state(office.local(self._clock()))
        return None if state.open else Text(state.reason("id"), state.reason("en"))

    def _check_calendar(self) -> None:
        office = self.link.office
        if office is not None and self.closure() != self._closure_shown:
            self._show_ticker(office, restart=True)

    def _show_ticker(self, office: Office, *, restart: bool) -> None:
        closure = self.closure()
        self._closure_shown = closure
        texts = [*([closure] if closure else []), *reversed(office.announcements),
                 *office.spec.announcements]
        if not texts:
            name = office.spec.name
            texts = [Text(tr("display.welcome", "id", office=name),
                          tr("display.welcome", "en", office=name))]
        self.ticker.set_texts(texts, restart=restart)
