"""Qt view for one counter: the current ticket, the one-key actions, the
counter's services and state, its waiting list and today's own figures.

Every change is a request through the shared `ServerLink`; while one is in
flight (or its event has not reached the mirror yet) the actions are
disabled, so nothing is ever done twice. The mirror, not the answer, is what
the view shows: an answer only says whether it worked.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from antrean.core.model import Counter, CounterState, Priority, Status, Ticket
from antrean.core.office import Event, Office
from antrean.i18n import error_text, tr
from antrean.qt.link import Answer, ServerLink
from antrean.views import CounterFigures, DeskAnswer, Refusal, WireError
from counter.desk import (
    NEXT_NUMBERS_SHOWN,
    SHORTCUT_KEYS,
    Action,
    Ask,
    Desk,
    DeskRequest,
    InFlight,
    allowed_actions,
    call_request,
    clock_text,
    close_request,
    confirmation_key,
    decimal_text,
    desk_of,
    elapsed_since,
    explain,
    open_request,
    request_for,
    send_back_request,
    step_line,
    ticket_clock_start,
    transfer_request,
    waiting_summary,
    whole_minutes,
    why_not,
)
from counter.dialogs import CallTicketDialog, TransferDialog
from counter.steps import SendBackDialog
from counter.style import state_badge_qss
from counter.widgets import LinkedTab, card, follow_link, named_label

log = logging.getLogger("antrean.counter")

ECHO_WAIT_MS = 2000
FIGURES_REFRESH_MS = 30_000

_ACTION_LABELS: dict[Action, str] = {
    Action.CALL_NEXT: "counter.action.call_next",
    Action.RECALL: "counter.action.recall",
    Action.START: "counter.action.start",
    Action.COMPLETE: "counter.action.complete",
    Action.NO_SHOW: "counter.action.no_show",
    Action.TRANSFER: "counter.action.transfer",
    Action.CALL_SPECIFIC: "counter.action.call_specific",
}
_ACTION_STYLES: dict[Action, str] = {
    Action.COMPLETE: "actionDone",
    Action.NO_SHOW: "actionWarn",
}

class DeskView(LinkedTab):
    """The counter tab: what staff look at and press all day."""

    survey_ready = Signal(str, str)  # number, the survey's address (for its QR)

    def __init__(self, link: ServerLink, counter_id: str, lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(link, lang, parent)
        self.counter_id = counter_id
        self.figures: dict[str, CounterFigures] | None = None  # by counter
        self.transfer_dialog: TransferDialog | None = None
        self.call_dialog: CallTicketDialog | None = None
        self.requests = InFlight()
        self.send_back_dialog: SendBackDialog | None = None
        self.step_boxes: dict[str, QCheckBox] = {}  # "D:2": serve that step
        self._choice_touched = False
        self.service_boxes: dict[str, QCheckBox] = {}

        self._echo_timer = QTimer(self)
        self._echo_timer.setSingleShot(True)
        self._echo_timer.setInterval(ECHO_WAIT_MS)
        self._echo_timer.timeout.connect(self._echo_timed_out)
        self._figures_timer = QTimer(self)
        self._figures_timer.setInterval(FIGURES_REFRESH_MS)
        self._figures_timer.timeout.connect(self.refresh_figures)

        self._build()
        follow_link(self.link, self._on_event, self._on_snapshot, self.refresh)
        self.retranslate()

    # ================================================================ layout
    def _build(self) -> None:
        # --- current ticket
        self.ticket_title = QLabel()
        ticket_card, ticket_box = card(self.ticket_title)
        self.ticket_number = named_label("ticketNumber")
        self.ticket_service = named_label("ticketService")
        self.priority_badge = named_label("priorityBadge")
        self.ticket_status = named_label("ticketStatus")
        self.ticket_clock = named_label("ticketClock")
        self.ticket_detail = named_label("ticketDetail")
        self.ticket_detail.setWordWrap(True)
        self.ticket_step = named_label("ticketStep")  # where a multi-step visit is, what's next
        self.ticket_step.setWordWrap(True)
        self.send_back_button = QPushButton()
        self.send_back_button.setObjectName("compact")
        self.send_back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.send_back_button.clicked.connect(self.send_back)
        ticket_box.addStretch(1)
        for label in (self.ticket_number, self.ticket_service, self.ticket_step,
                      self.priority_badge, self.ticket_status, self.ticket_clock,
                      self.ticket_detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            if label is self.priority_badge:
                ticket_box.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            else:
                ticket_box.addWidget(label)
        ticket_box.addWidget(self.send_back_button, 0, Qt.AlignmentFlag.AlignHCenter)
        ticket_box.addStretch(1)

        # --- actions, one function key each
        self.buttons: dict[Action, QPushButton] = {}
        actions = QGridLayout()
        actions.setSpacing(10)
        for index, action in enumerate(Action):
            button = QPushButton()
            button.setObjectName(_ACTION_STYLES.get(action, "action"))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, a=action: self.trigger(a))
            self.buttons[action] = button
            actions.addWidget(button, index // 4, index % 4)

        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(ticket_card, 1)
        left.addLayout(actions)

        # --- the counter: state, services, open / close
        self.counter_title = QLabel()
        counter_card, counter_box = card()
        head = QHBoxLayout()
        self.counter_title.setObjectName("cardTitle")
        self.state_badge = named_label("stateBadge")
        head.addWidget(self.counter_title)
        head.addStretch(1)
        head.addWidget(self.state_badge)
        counter_box.addLayout(head)
        self.counter_hint = named_label("hint")
        self.counter_hint.setWordWrap(True)
        counter_box.addWidget(self.counter_hint)
        self.services_grid = QGridLayout()
        self.services_grid.setHorizontalSpacing(16)
        self.services_grid.setVerticalSpacing(4)
        counter_box.addLayout(self.services_grid)
        self.steps_title = named_label("hint")
        self.steps_grid = QGridLayout()
        self.steps_grid.setHorizontalSpacing(16)
        self.steps_grid.setVerticalSpacing(4)
        counter_box.addWidget(self.steps_title)
        counter_box.addLayout(self.steps_grid)
        counter_buttons = QHBoxLayout()
        self.open_button = QPushButton()
        self.close_button = QPushButton()
        self.open_button.clicked.connect(self.open_counter)
        self.close_button.clicked.connect(self.close_counter)
        # A disabled button gets no click: a press on one says why instead.
        for widget in (*self.buttons.values(), self.open_button, self.close_button):
            widget.installEventFilter(self)
        counter_buttons.addWidget(self.open_button)
        counter_buttons.addWidget(self.close_button)
        counter_box.addLayout(counter_buttons)

        # --- waiting list
        self.waiting_title = QLabel()
        waiting_card, waiting_box = card(self.waiting_title)
        self.waiting_count = named_label("waitingCount")
        self.waiting_longest = named_label("waitingLongest")
        self.next_title = named_label("figureLabel")
        waiting_box.addWidget(self.waiting_count)
        waiting_box.addWidget(self.waiting_longest)
        next_row = QHBoxLayout()
        next_row.setSpacing(8)
        next_row.addWidget(self.next_title)
        self.next_labels: list[QLabel] = []
        for _ in range(NEXT_NUMBERS_SHOWN):
            label = named_label("nextRegular")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.next_labels.append(label)
            next_row.addWidget(label)
        next_row.addStretch(1)
        waiting_box.addLayout(next_row)
        self.priority_legend = named_label("hint")
        waiting_box.addWidget(self.priority_legend)

        # --- today's own figures
        self.figures_title = QLabel()
        figures_card, figures_box = card(self.figures_title)
        figures_row = QHBoxLayout()
        self.figure_values: dict[str, QLabel] = {}
        self.figure_captions: dict[str, QLabel] = {}
        for key in ("served", "no_show", "average"):
            column = QVBoxLayout()
            value = named_label("bigFigure", "–")
            caption = named_label("figureLabel")
            caption.setWordWrap(True)
            column.addWidget(value)
            column.addWidget(caption)
            figures_row.addLayout(column, 1)
            self.figure_values[key] = value
            self.figure_captions[key] = caption
        figures_box.addLayout(figures_row)

        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(counter_card)
        right.addWidget(waiting_card)
        right.addWidget(figures_card)
        right.addStretch(1)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(12)
        outer.addLayout(left, 3)
        outer.addLayout(right, 2)

    # ================================================================ language
    def retranslate(self) -> None:
        lang = self.lang
        self.ticket_title.setText(tr("counter.current", lang))
        self.waiting_title.setText(tr("counter.waiting.title", lang))
        self.next_title.setText(tr("counter.waiting.next", lang))
        self.figures_title.setText(tr("counter.figures.title", lang))
        self.figure_captions["served"].setText(tr("counter.figures.served", lang))
        self.figure_captions["no_show"].setText(tr("counter.figures.no_show", lang))
        self.figure_captions["average"].setText(tr("counter.figures.average", lang))
        self.counter_title.setText(tr("counter.title", lang, counter=self.counter_id))
        self.close_button.setText(tr("counter.close_counter", lang))
        self.steps_title.setText(tr("counter.steps.title", lang))
        self.send_back_button.setText(tr("counter.send_back", lang))
        self._rebuild_services()
        self.refresh()

    # ================================================================ reading the mirror
    @property
    def office(self) -> Office | None:
        return self.link.office

    def counter(self) -> Counter | None:
        office = self.office
        return office.counters.get(self.counter_id) if office is not None else None

    def queue_services(self) -> list[str]:
        """The services whose queue this counter works from (or would, once open)."""
        counter = self.counter()
        if counter is not None and counter.state is not CounterState.CLOSED:
            return list(counter.services)
        return self.chosen_services()

    def chosen_services(self) -> list[str]:
        return [code for code, box in self.service_boxes.items() if box.isChecked()]

    def desk(self) -> Desk:
        return desk_of(self.office, self.counter_id, self.link.device, self.queue_services(),
                       datetime.now(UTC))

    @property
    def busy(self) -> bool:
        return self.requests.busy

    def allowed(self) -> frozenset[Action]:
        return allowed_actions(self.desk(), connected=self.link.connected, busy=self.busy)

    # ================================================================ showing it
    def refresh(self) -> None:
        desk = self.desk()
        self._sync_service_choice(desk.counter)
        allowed = allowed_actions(desk, connected=self.link.connected, busy=self.busy)
        for action, button in self.buttons.items():
            button.setEnabled(action in allowed)
        self.buttons[Action.PAUSE_RESUME].setText(self._button_text(Action.PAUSE_RESUME, desk))
        for action in _ACTION_LABELS:
            self.buttons[action].setText(self._button_text(action, desk))
        self._show_counter(desk)
        self._show_ticket(desk.ticket)
        self._show_waiting()
        self._show_figures()

    def tick(self) -> None:
        """Once a second: the clocks move, nothing else is recomputed."""
        desk = self.desk()
        self._show_ticket(desk.ticket)
        self._show_waiting()

    def _button_text(self, action: Action, desk: Desk) -> str:
        key = SHORTCUT_KEYS[action]
        if action is Action.PAUSE_RESUME:
            paused = desk.counter is not None and desk.counter.state is CounterState.PAUSED
            label = tr("counter.action.resume" if paused else "counter.action.pause", self.lang)
        else:
            label = tr(_ACTION_LABELS[action], self.lang)
        return f"{key}\n{label}"

    def _show_counter(self, desk: Desk) -> None:
        lang = self.lang
        counter = desk.counter
        connected = self.link.connected and not self.busy
        if counter is None:
            self.state_badge.setText("")
            self.state_badge.setStyleSheet("")
            self.counter_hint.setText(
                tr("counter.unknown_counter", lang, counter=self.counter_id)
                if self.office is not None else ""
            )
            self.open_button.setText(tr("counter.open_counter", lang))
            self.open_button.setEnabled(False)
            self.close_button.setEnabled(False)
            for box in self.service_boxes.values():
                box.setEnabled(False)
            return
        state = counter.state.value
        self.state_badge.setText(tr(f"counter_state.{state}", lang))
        self.state_badge.setStyleSheet(state_badge_qss(state))
        if desk.held_elsewhere:
            hint = tr("counter.held_elsewhere", lang, device=counter.device or "")
        elif counter.state is CounterState.CLOSED:
            hint = tr("counter.closed_hint", lang)
        elif counter.state is CounterState.PAUSED:
            hint = tr("counter.paused_hint", lang)
        else:
            hint = tr("counter.open_hint", lang)
        self.counter_hint.setText(hint)
        is_closed = counter.state is CounterState.CLOSED
        self.open_button.setText(
            tr("counter.open_counter" if is_closed else "counter.apply_services", lang)
        )
        chosen = self.chosen_services()
        changed = (tuple(chosen) != tuple(counter.services)
                   or tuple(self.chosen_steps()) != tuple(counter.steps))
        # Saving services re-opens the counter, so not during a break (F8 resumes).
        is_open = counter.state is CounterState.OPEN
        may_change = is_closed or (desk.held_here and is_open and changed)
        self.open_button.setEnabled(connected and bool(chosen) and may_change)
        self.close_button.setEnabled(
            connected and desk.held_here and desk.ticket is None
        )
        for box in (*self.service_boxes.values(), *self.step_boxes.values()):
            box.setEnabled(not desk.held_elsewhere)

    def _show_ticket(self, ticket: Ticket | None) -> None:
        lang = self.lang
        office = self.office
        if ticket is None or office is None:
            self.ticket_number.setText("")
            self.ticket_service.setText(tr("counter.no_ticket", lang))
            self.priority_badge.hide()
            self.ticket_status.setText("")
            self.ticket_clock.setText("")
            self.ticket_detail.setText("")
            self.ticket_step.hide()
            self.send_back_button.hide()
            return
        self.ticket_number.setText(ticket.number)
        self.ticket_service.setText(self._service_label(ticket.service))
        steps = step_line(office, ticket, lang)
        self.ticket_step.setText(steps)
        self.ticket_step.setVisible(bool(steps))
        self.send_back_button.setVisible(ticket.step > 1)
        self.send_back_button.setEnabled(
            ticket.step > 1 and self.link.connected and not self.busy
            and ticket.status in (Status.CALLED, Status.SERVING))
        if ticket.booking:
            self.priority_badge.setText(tr("counter.booking_badge", lang,
                                           mark=office.booking_rules.mark, code=ticket.booking))
        else:
            self.priority_badge.setText(tr("common.priority", lang))
        self.priority_badge.setVisible(ticket.priority is Priority.PRIORITY
                                       or ticket.booking is not None)
        self.ticket_status.setText(
            tr("counter.ticket_status", lang, status=tr(f"status.{ticket.status.value}", lang))
        )
        span = elapsed_since(ticket_clock_start(ticket), datetime.now(UTC))
        self.ticket_clock.setText(clock_text(span) if span is not None else "")
        details = [tr("counter.clock.serving" if ticket.status is Status.SERVING
                      else "counter.clock.called", lang),
                   tr("counter.calls", lang, n=ticket.calls)]
        if ticket.origin_service and ticket.origin_service != ticket.service:
            details.append(tr("counter.transferred_from", lang,
                              service=self._service_label(ticket.origin_service)))
        self.ticket_detail.setText(" · ".join(details))

    def _show_waiting(self) -> None:
        lang = self.lang
        services = self.queue_services()
        now = datetime.now(UTC)
        summary = waiting_summary(self.office, services, now, self.counter())
        self.waiting_title.setText(
            tr("counter.waiting.title", lang)
            + (f" ({', '.join(services)})" if services else "")
        )
        self.waiting_count.setText(tr("counter.waiting.count", lang, n=summary.count))
        if summary.count:
            minutes = whole_minutes(summary.longest_wait(now))
            self.waiting_longest.setText(tr("counter.waiting.longest", lang,
                                            time=tr("common.minutes", lang, n=minutes)))
        else:
            self.waiting_longest.setText(tr("counter.waiting.none", lang))
        self.next_title.setVisible(bool(summary.count))
        shown_priority = any(t.priority is Priority.PRIORITY for t in summary.next_tickets)
        mark = self.office.booking_rules.mark if self.office is not None else ""
        shown_booked = any(t.booking for t in summary.next_tickets)
        legend = ([f"★ = {tr('common.priority', lang)}"] if shown_priority else []) + (
            [tr("counter.booking_legend", lang, mark=mark)] if shown_booked else [])
        self.priority_legend.setText(" · ".join(legend))
        self.priority_legend.setVisible(bool(legend))
        for index, label in enumerate(self.next_labels):
            if index >= len(summary.next_tickets):
                label.hide()
                continue
            ticket = summary.next_tickets[index]
            priority = ticket.priority is Priority.PRIORITY
            text = f"{ticket.number} ★" if priority else ticket.number
            if ticket.booking:
                text = f"{ticket.number} {mark}"
            if label.text() != text:
                label.setText(text)
            wanted = "nextPriority" if priority else "nextRegular"
            if label.objectName() != wanted:
                label.setObjectName(wanted)
                label.style().unpolish(label)
                label.style().polish(label)
            label.show()

    def _show_figures(self) -> None:
        mine = (self.figures or {}).get(self.counter_id)
        if mine is None:
            for value in self.figure_values.values():
                value.setText("–")
            return
        self.figure_values["served"].setText(str(mine.served))
        self.figure_values["no_show"].setText(str(mine.no_show))
        self.figure_values["average"].setText(
            tr("common.minutes", self.lang, n=decimal_text(mine.service_minutes, self.lang))
            if mine.served else "–"
        )

    def _step_label(self, key: str) -> str:
        """"D:2" as "D2 · Wawancara & biometrik"; "B" as "B · Penggantian Paspor"."""
        code, _, step = key.partition(":")
        office = self.office
        service = office.services.get(code) if office is not None else None
        if service is None or not step.isdigit() or not 1 <= int(step) <= len(service.spec.steps):
            return self._service_label(code)
        return f"{code}{step} · {service.spec.steps[int(step) - 1].get(self.lang)}"

    def _service_label(self, code: str) -> str:
        office = self.office
        service = office.services.get(code) if office is not None else None
        name = service.spec.name.get(self.lang) if service is not None else code
        return f"{code} · {name}"

    # ================================================================ services
    def _rebuild_services(self) -> None:
        office = self.office
        codes = list(office.services) if office is not None else []
        chosen = set(self.chosen_services())
        if list(self.service_boxes) != codes:
            for box in self.service_boxes.values():
                self.services_grid.removeWidget(box)
                box.deleteLater()
            self.service_boxes = {}
            self._choice_touched = False
            for index, code in enumerate(codes):
                box = QCheckBox()
                box.toggled.connect(self._on_choice_toggled)
                self.service_boxes[code] = box
                self.services_grid.addWidget(box, index // 2, index % 2)
        for code, box in self.service_boxes.items():
            box.setText(self._service_label(code).replace("&", "&&"))
            if chosen:
                box.blockSignals(True)
                box.setChecked(code in chosen)
                box.blockSignals(False)
        self._rebuild_steps()

    def _rebuild_steps(self) -> None:
        """One box per step of each multi-step service (all ticked: every step)."""
        office = self.office
        keys = [f"{code}:{n}" for code, service in (office.services.items() if office else [])
                for n in range(1, service.spec.step_count + 1) if service.spec.step_count > 1]
        if list(self.step_boxes) != keys:
            for box in self.step_boxes.values():
                self.steps_grid.removeWidget(box)
                box.deleteLater()
            self.step_boxes = {}
            for index, key in enumerate(keys):
                box = QCheckBox()
                box.setChecked(True)
                box.toggled.connect(self._on_choice_toggled)
                self.step_boxes[key] = box
                self.steps_grid.addWidget(box, index // 2, index % 2)
        for key, box in self.step_boxes.items():
            code, _, step = key.partition(":")
            assert office is not None
            name = office.services[code].spec.steps[int(step) - 1].get(self.lang)
            box.setText(f"{code}{step} · {name}".replace("&", "&&"))
        self.steps_title.setVisible(bool(keys))

    def chosen_steps(self) -> list[str]:
        """The steps to send with `counter.open`: empty while every step of the
        chosen services is ticked (the counter then serves every step)."""
        chosen = self.chosen_services()
        ticked = {key for key, box in self.step_boxes.items() if box.isChecked()}
        relevant = {key for key in self.step_boxes if key.partition(":")[0] in chosen}
        if relevant <= ticked:
            return []
        office = self.office
        steps: list[str] = []
        for code in chosen:
            count = office.services[code].spec.step_count if office and code in office.services \
                else 1
            steps += [f"{code}:{n}" for n in range(1, count + 1)
                      if count == 1 or f"{code}:{n}" in ticked]
        return steps

    def _sync_service_choice(self, counter: Counter | None) -> None:
        """Until staff change the ticks, they show the counter's own services."""
        if counter is None or self._choice_touched:
            return
        for code, box in self.service_boxes.items():
            wanted = code in counter.services
            if box.isChecked() != wanted:
                box.blockSignals(True)
                box.setChecked(wanted)
                box.blockSignals(False)
        skills = self.link.staff.skills if self.link.staff is not None else None
        for key, box in self.step_boxes.items():
            if counter.state is CounterState.CLOSED and skills is not None:
                # Ready to open with the steps this member of staff may serve.
                code = key.partition(":")[0]
                wanted = code in skills or key in skills
            else:
                wanted = not counter.steps or key in counter.steps
            if box.isChecked() != wanted:
                box.blockSignals(True)
                box.setChecked(wanted)
                box.blockSignals(False)

    def _on_choice_toggled(self, _checked: bool) -> None:
        self._choice_touched = True
        self.refresh()

    # ================================================================ actions
    def trigger(self, action: Action) -> None:
        """Run one action (a button or its function key), if it makes sense now;
        if not, say why in the message bar."""
        if action not in self.allowed():
            self.report.emit("info", self.why_not(action))
            return
        desk = self.desk()
        plan = request_for(action, desk, self.counter_id)
        if plan is Ask.NUMBER:
            self._ask_number()
        elif plan is Ask.SERVICE and desk.ticket is not None:
            self._ask_service(desk.ticket)
        elif isinstance(plan, DeskRequest):
            self.send(plan)

    def why_not(self, action: Action) -> str:
        """Why `action` cannot act now, in the console's language."""
        key, params = why_not(self.desk(), action, connected=self.link.connected,
                              busy=self.busy)
        return tr(key, self.lang, counter=self.counter_id, **params)

    def _why_not_open(self) -> str:
        """Why Open counter (or Save services) cannot act now, if it is worth saying."""
        desk = self.desk()
        if not self.link.connected or self.busy or desk.counter is None or desk.held_elsewhere:
            return self.why_not(Action.CALL_NEXT)
        if desk.counter.state is CounterState.PAUSED:
            return tr("counter.why.paused", self.lang)
        if not self.chosen_services():
            return tr("counter.why.choose_services", self.lang)
        return ""  # open already, with these services

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, QPushButton)
                and not watched.isEnabled()):
            if watched is self.open_button:
                text = self._why_not_open()
            elif watched is self.close_button:
                desk = self.desk()
                text = (self.why_not(Action.CALL_NEXT) if not desk.held_here or self.busy
                        or not self.link.connected else self.why_not(Action.PAUSE_RESUME))
            else:
                action = next(a for a, b in self.buttons.items() if b is watched)
                text = self.why_not(action)
            if text:
                self.report.emit("info", text)
        return super().eventFilter(watched, event)

    def open_counter(self) -> None:
        chosen = self.chosen_services()
        counter = self.counter()
        if not chosen or counter is None or not self.open_button.isEnabled():
            return
        self.send(open_request(self.counter_id, counter, chosen, self.chosen_steps()))

    def send_back(self) -> None:
        """Back one step (documents missing), with the reason the dialog asks for."""
        ticket = self.desk().ticket
        if ticket is None or ticket.step <= 1 or not self.send_back_button.isEnabled():
            return
        dialog = SendBackDialog(ticket.number, self.lang, self)
        self.send_back_dialog = dialog
        dialog.accepted.connect(
            lambda: self.send(send_back_request(ticket, dialog.reason_text())))
        dialog.finished.connect(self._forget_dialogs)
        dialog.open()

    def close_counter(self) -> None:
        if self.close_button.isEnabled():
            self.send(close_request(self.counter_id))

    def _ask_service(self, ticket: Ticket) -> None:
        office = self.office
        if office is None:
            return
        dialog = TransferDialog(ticket.number, ticket.service, list(office.services.values()),
                                self.lang, self)
        self.transfer_dialog = dialog

        def chosen() -> None:
            code = dialog.chosen()
            if code is not None:
                self.send(transfer_request(ticket, code))

        dialog.accepted.connect(chosen)
        dialog.finished.connect(self._forget_dialogs)
        dialog.open()

    def _ask_number(self) -> None:
        dialog = CallTicketDialog(self.lang, self)
        self.call_dialog = dialog

        def chosen() -> None:
            self.send(call_request(self.counter_id, dialog.ticket_number(),
                                   dialog.reason_text()))

        dialog.accepted.connect(chosen)
        dialog.finished.connect(self._forget_dialogs)
        dialog.open()

    def _forget_dialogs(self) -> None:
        if self.transfer_dialog is not None and not self.transfer_dialog.isVisible():
            self.transfer_dialog.deleteLater()
            self.transfer_dialog = None
        if self.call_dialog is not None and not self.call_dialog.isVisible():
            self.call_dialog.deleteLater()
            self.call_dialog = None
        if self.send_back_dialog is not None and not self.send_back_dialog.isVisible():
            self.send_back_dialog.deleteLater()
            self.send_back_dialog = None

    # ================================================================ requests
    def send(self, request: DeskRequest) -> None:
        def answered(answer: Answer) -> None:
            try:
                result = DeskAnswer.from_wire(answer.result) if answer.ok else DeskAnswer()
            except WireError as exc:  # done on the server, but not readable here
                log.error("the answer to %s cannot be read: %s", request.type, exc)
                self.requests.answered(False, DeskAnswer(), self.office)
                self.report.emit("error", error_text("internal", self.lang))
                self.refresh()
                return
            if self.requests.answered(answer.ok, result, self.office):
                self._echo_timer.start()
            if answer.ok:
                self._confirm(request, result)
                if request.changes_figures:
                    self.refresh_figures()
                if result.survey_url is not None and result.ticket is not None:
                    self.survey_ready.emit(result.ticket.number, result.survey_url)
            else:
                refused = Refusal.read(answer.raw).refused
                self.report.emit("error", explain(
                    request, answer.code, answer.message, self.office, self.counter_id,
                    self.link.device, self.lang, [self._step_label(key) for key in refused]))
            self.refresh()

        self.requests.sent(self.link.request(request.type, answered, **request.fields))
        if self.requests.request_id is not None and not self.link.connected:
            self.report.emit("pending", tr("counter.pending_offline", self.lang))
        else:
            self.report.emit("clear", "")
        self.refresh()

    def _confirm(self, request: DeskRequest, result: DeskAnswer) -> None:
        ticket = result.ticket
        params: dict[str, Any] = {}
        if ticket is not None:
            params = {"number": ticket.number, "n": ticket.calls,
                      "service": self._service_label(ticket.service)}
        self.report.emit("info", tr(confirmation_key(request, result), self.lang, **params))

    # ================================================================ mirror echo
    def _echo_timed_out(self) -> None:
        if self.requests.echo_timed_out():
            self._echo_over()

    def _echo_over(self) -> None:
        self._echo_timer.stop()
        self._choice_touched = False
        self.refresh()

    def _on_event(self, event: Event) -> None:
        if self.requests.event_arrived(self.office):
            self._echo_over()
            return
        if event.counter is not None and event.counter.id == self.counter_id:
            self._choice_touched = False
        self.refresh()

    def _on_snapshot(self) -> None:
        self._rebuild_services()
        if self.requests.echo_timed_out():
            self._echo_over()
        self.refresh()
        self.refresh_figures()

    # ================================================================ figures
    def start_figures(self) -> None:
        self.refresh_figures()
        self._figures_timer.start()

    def stop_figures(self) -> None:
        self._figures_timer.stop()
        self.figures = None
        self._show_figures()

    def refresh_figures(self) -> None:
        if self.link.staff is None:
            return

        def answered(answer: Answer) -> None:
            if answer.ok:
                try:
                    self.figures = CounterFigures.by_counter(answer.result.get("figures"))
                except WireError as exc:
                    log.error("today's figures cannot be read: %s", exc)
                    self.figures = None
                self._show_figures()

        self.link.request("stats.today", answered)
