"""The kiosk's screens, one class per thing a visitor sees, in the order they see them.

Screens only show what they are given and say what was tapped (signals); the window
(kiosk/window.py) decides what happens next. Every text comes from the catalogue in
the visitor's language; `set_lang` redraws a screen's fixed words.
"""

from __future__ import annotations

from pathlib import Path

import qrcode
import qrcode.constants
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from antrean.core.model import Service
from antrean.i18n import tr
from antrean.views import IssuedTicket
from kiosk.style import Metrics
from kiosk.visit import Availability, PrintState

ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
QR_MASK = 2


def text_label(name: str, *, wrap: bool = True, align: Qt.AlignmentFlag = ALIGN_CENTER) -> QLabel:
    """A label styled by its object name; clicks pass through it to the button below."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(align)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return label


def button(name: str) -> QPushButton:
    widget = QPushButton()
    widget.setObjectName(name)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touch screen: no focus rectangles
    return widget


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property it selects on has changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def other_language(lang: str) -> str:
    return "en" if lang == "id" else "id"


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), its quiet zone included.

    The mask is fixed rather than searched for: every mask is valid, and the search
    (eight trial encodings) would cost more than everything else on the ticket screen.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         mask_pattern=QR_MASK)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return [[bool(dark) for dark in row] for row in code.get_matrix()]


class ActionBar(QWidget):
    """The row along the bottom: Back on the left, the way forward on the right."""

    def __init__(self, *buttons_right: QPushButton, back: QPushButton | None = None) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if back is not None:
            row.addWidget(back)
        row.addStretch(1)
        for widget in buttons_right:
            row.addWidget(widget)


# ---------------------------------------------------------------------------- 1. start
class StartScreen(QWidget):
    """Office name and emblem, and the one big button that starts a visit."""

    take = Signal()
    booking = Signal()  # "I have a booking code" (issue 12)

    def __init__(self, logo: QPixmap | None) -> None:
        super().__init__()
        self._logo = logo
        self._lang = "id"
        self.logo_label = QLabel()
        self.logo_label.setAlignment(ALIGN_CENTER)
        self.logo_label.setVisible(logo is not None)
        self.welcome_label = text_label("startWelcome")
        self.office_label = text_label("startOffice")
        self.take_button = button("takeNumber")
        self.take_main = text_label("takeNumberMain")
        self.take_other = text_label("takeNumberOther")
        inside = QVBoxLayout(self.take_button)
        inside.addStretch(1)
        inside.addWidget(self.take_main)
        inside.addWidget(self.take_other)
        inside.addStretch(1)
        self.take_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.take_button.clicked.connect(self.take)
        self.hint_label = text_label("hint")
        self.closed_label = text_label("closedNotice")  # why the office is closed, and until when
        self.closed_label.hide()
        self.booking_button = button("bookingButton")
        self.booking_button.clicked.connect(self.booking)

        column = QVBoxLayout(self)
        column.addStretch(2)
        column.addWidget(self.logo_label)
        column.addSpacing(16)
        column.addWidget(self.welcome_label)
        column.addWidget(self.office_label)
        column.addStretch(1)
        column.addWidget(self.closed_label)  # full width: a long holiday name wraps in it
        column.addWidget(self.take_button, 0, ALIGN_CENTER)
        column.addSpacing(12)
        column.addWidget(self.booking_button, 0, ALIGN_CENTER)
        column.addSpacing(12)
        column.addWidget(self.hint_label)
        column.addStretch(2)

    def set_office(self, name: str) -> None:
        self.office_label.setText(name)
        self.office_label.setVisible(bool(name))
        self._show_welcome()

    def _show_welcome(self) -> None:
        # "Selamat datang di" needs the office's name after it; without one, no "di".
        key = "kiosk.start.welcome" if self.office_label.text() else "kiosk.start.welcome_plain"
        self.welcome_label.setText(tr(key, self._lang))

    def set_lang(self, lang: str) -> None:
        self._lang = lang
        self._show_welcome()
        self.take_main.setText(tr("kiosk.start.take", lang))
        # The same words in the other language, small, for a visitor who reads only that one.
        self.take_other.setText(tr("kiosk.start.take", other_language(lang)))
        self.hint_label.setText(tr("kiosk.start.hint", lang))
        self.booking_button.setText(tr("kiosk.start.booking", lang))

    def show_closed(self, reason: str) -> None:
        """The office's closure, in words ("Istirahat — buka kembali pukul 13.30")."""
        self.closed_label.setText(reason)
        self.closed_label.setVisible(bool(reason))

    def apply_metrics(self, m: Metrics) -> None:
        if self._logo is not None:
            side = m.px(230 if m.portrait else 200, 96)
            self.logo_label.setPixmap(
                self._logo.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation)
            )
        inside = self.take_button.layout()
        assert inside is not None
        self.take_button.setMinimumSize(inside.sizeHint())


# -------------------------------------------------------------------- 2. service grid
class ServiceTile(QPushButton):
    """One service: its letter, its name, and either the queue now or why it is closed."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.setObjectName("serviceTile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.code = code
        self.prefix_label = text_label("tilePrefix", wrap=False)
        self.name_label = text_label("tileName",
                                     align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.trial_label = text_label("tileTrial", wrap=False, align=ALIGN_LEFT)
        self.trial_label.setVisible(False)
        self.waiting_label = text_label("tileInfo", align=ALIGN_LEFT)
        self.eta_label = text_label("tileInfo", align=ALIGN_LEFT)
        self.reason_label = text_label("tileReason", align=ALIGN_LEFT)
        # Equal widths from the grid's stretch, whatever the length of the names.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)

        top = QHBoxLayout()
        self._top = top
        top.addWidget(self.prefix_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.name_label, 1)
        # Two lines' room for the name (kept while there is room), so the status
        # below starts at the same height under one- and two-line names.
        self._name_room = QSpacerItem(0, 0, QSizePolicy.Policy.Fixed,
                                      QSizePolicy.Policy.Fixed)
        top.addItem(self._name_room)
        # The status lines start at the same height in every tile: the name row
        # always takes two lines' room, and the free space goes below the status
        # (a share above would depend on how many lines each status has).
        column = QVBoxLayout(self)
        self._column = column
        column.addLayout(top)
        waiting_row = QHBoxLayout()  # a trial service's badge sits beside the queue
        waiting_row.addWidget(self.waiting_label, 1)
        waiting_row.addWidget(self.trial_label, 0, Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(waiting_row)
        column.addWidget(self.eta_label)
        column.addWidget(self.reason_label)
        column.addStretch(1)

    def apply_metrics(self, m: Metrics) -> None:
        margin = m.px(22, 12)
        self._column.setContentsMargins(margin, margin, margin, margin)
        self._column.setSpacing(m.px(8, 4))
        self._top.setSpacing(m.px(16, 10))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_name_room()

    def _fit_name_room(self) -> None:
        """Two lines' room for the name, unless the tile is too small to hold that
        and its status (then the text comes first). Measured from the name's font,
        which the stylesheet sets, so once it applies."""
        self.name_label.ensurePolished()
        metrics = self.name_label.fontMetrics()
        two_lines = metrics.boundingRect(QRect(0, 0, 10_000, 10_000),
                                         Qt.TextFlag.TextWordWrap, "X\nX").height()
        fits = self.height() <= 0 or self._needed_height(two_lines) <= self.height()
        self._reserve_name_room(two_lines if fits else 0)

    def _needed_height(self, name_room: int) -> int:
        """The tile's content height with `name_room` kept for the name."""
        margins = self._column.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        prefix = self.prefix_label.sizeHint()
        name_width = max(1, width - prefix.width() - self._top.spacing())
        top = max(prefix.height(), self.name_label.heightForWidth(name_width), name_room)
        shown = [label for label in (self.waiting_label, self.eta_label, self.reason_label)
                 if not label.isHidden()]
        return (margins.top() + margins.bottom() + top
                + sum(label.heightForWidth(width) + self._column.spacing() for label in shown))

    def _reserve_name_room(self, height: int) -> None:
        if self._name_room.sizeHint().height() != height:
            self._name_room.changeSize(0, height, QSizePolicy.Policy.Fixed,
                                       QSizePolicy.Policy.Fixed)
            self._top.invalidate()

    def sizeHint(self) -> QSize:
        layout = self.layout()
        return layout.sizeHint() if layout is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        return layout.minimumSize() if layout is not None else super().minimumSizeHint()

    def show_service(
        self,
        service: Service,
        waiting: int,
        eta: int,
        available: Availability,
        connected: bool,
        lang: str,
    ) -> None:
        self.prefix_label.setText(service.spec.prefix)
        self.name_label.setText(service.spec.name.get(lang))
        self.trial_label.setText(tr("kiosk.trial", lang))
        self.trial_label.setVisible(service.spec.trial)
        self.reason_label.setText(available.reason(lang))
        self.reason_label.setVisible(not available.choosable)
        self.waiting_label.setVisible(available.choosable)
        self.eta_label.setVisible(available.choosable)
        if waiting > 0:
            self.waiting_label.setText(tr("kiosk.services.waiting", lang, n=waiting))
            self.eta_label.setText(
                tr("kiosk.services.eta", lang, n=eta) if eta > 0
                else tr("kiosk.services.eta_none", lang)
            )
        else:
            self.waiting_label.setText(tr("kiosk.services.waiting_none", lang))
            self.eta_label.setText(tr("kiosk.services.eta_none", lang))
        self.setEnabled(available.choosable and connected)
        self._fit_name_room()  # the status may have grown (a longer wait, a reason)


class ServiceGridScreen(QWidget):
    """Every service as a big tile, live from the server; closed ones say why."""

    chosen = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title_label = text_label("screenTitle")
        self.notice_label = text_label("notice")
        self.notice_label.hide()
        self.empty_label = text_label("emptyGrid")
        self.empty_label.hide()
        self.tiles: dict[str, ServiceTile] = {}
        self._columns = 3
        self._metrics: Metrics | None = None
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.back_button = button("backButton")
        self.back_button.clicked.connect(self.back)

        column = QVBoxLayout(self)
        column.addWidget(self.title_label)
        column.addWidget(self.notice_label)
        column.addWidget(self.empty_label, 1)
        column.addWidget(self._grid_host, 1)
        column.addWidget(ActionBar(back=self.back_button))

    def set_lang(self, lang: str) -> None:
        self.title_label.setText(tr("kiosk.services.title", lang))
        self.empty_label.setText(tr("kiosk.services.none", lang))
        self.back_button.setText(tr("kiosk.back", lang))

    def show_notice(self, text: str) -> None:
        """A message in place of the title (it asks the visitor to choose, too)."""
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))
        self.title_label.setVisible(not text)

    def set_columns(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            self._place_tiles()

    def set_services(self, codes: list[str]) -> None:
        """Make one tile per service (only when the list of services changes)."""
        if list(self.tiles) == codes:
            return
        for tile in self.tiles.values():
            tile.deleteLater()
        self.tiles = {}
        for code in codes:
            tile = ServiceTile(code)
            if self._metrics is not None:
                tile.apply_metrics(self._metrics)
            tile.clicked.connect(lambda _=False, chosen=code: self.chosen.emit(chosen))
            self.tiles[code] = tile
        self._place_tiles()
        self.empty_label.setVisible(not codes)
        self._grid_host.setVisible(bool(codes))

    def _place_tiles(self) -> None:
        """Tiles fill rows left to right; a short last row is centred (each tile spans two
        half-columns, so it can sit half a tile in)."""
        while self._grid.count():
            self._grid.takeAt(0)
        columns = self._columns
        tiles = list(self.tiles.values())
        for index, tile in enumerate(tiles):
            row, col = divmod(index, columns)
            in_row = min(columns, len(tiles) - row * columns)
            offset = columns - in_row
            self._grid.addWidget(tile, row, offset + 2 * col, 1, 2)
        for half in range(2 * max(columns, 1)):
            self._grid.setColumnStretch(half, 1)
        rows = (len(tiles) + columns - 1) // columns
        for row in range(max(rows, 1)):
            self._grid.setRowStretch(row, 1)

    def apply_metrics(self, m: Metrics) -> None:
        self._metrics = m
        spacing = m.px(24, 14)
        self._grid.setHorizontalSpacing(spacing)
        self._grid.setVerticalSpacing(spacing)
        for tile in self.tiles.values():
            tile.apply_metrics(m)


# -------------------------------------------------------------------- 3. requirements
class ContentHighScrollArea(QScrollArea):
    """As high as its content when there is room, scrolling only when there is not."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        frame = 2 * self.frameWidth()
        height = (content.heightForWidth(self.viewport().width())
                  if content.hasHeightForWidth() else -1)
        if height < 0:
            height = content.sizeHint().height()
        return QSize(content.sizeHint().width() + frame, height + frame)

    def resizeEvent(self, event: QResizeEvent) -> None:
        old_width = event.oldSize().width()
        super().resizeEvent(event)
        if event.size().width() != old_width:
            self.updateGeometry()  # wrapped lines, and so the height, follow the width


class RequirementsScreen(QWidget):
    """The documents to bring, before anyone queues for an hour and is sent home."""

    back = Signal()
    proceed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.service_label = text_label("screenTitle")
        self.subtitle_label = text_label("screenSubtitle")
        self.hint_label = text_label("hint")
        self.steps_label = text_label("hint")  # a visit in steps says so (issue 12)
        self.steps_label.hide()
        self.checklist = QFrame()
        self.checklist.setObjectName("checklist")
        self._rows = QVBoxLayout(self.checklist)
        self.items: list[QLabel] = []
        scroll = ContentHighScrollArea()
        self._scroll = scroll
        scroll.setWidget(self.checklist)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Drag with a finger to scroll a long list, as on a phone.
        QScroller.grabGesture(
            scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self.back_button = button("backButton")
        self.back_button.clicked.connect(self.back)
        self.continue_button = button("continueButton")
        self.continue_button.clicked.connect(self.proceed)

        column = QVBoxLayout(self)
        column.addWidget(self.service_label)
        column.addWidget(self.steps_label)
        column.addWidget(self.subtitle_label)
        column.addWidget(scroll)
        column.addStretch(1)
        column.addWidget(self.hint_label)
        column.addWidget(ActionBar(self.continue_button, back=self.back_button))

    def show_service(self, service: Service, lang: str) -> None:
        self.service_label.setText(f"{service.spec.prefix} · {service.spec.name.get(lang)}")
        steps = service.spec.steps
        named = " → ".join(f"{n}. {name.get(lang)}" for n, name in enumerate(steps, start=1))
        self.steps_label.setText(tr("kiosk.requirements.steps", lang, n=len(steps), steps=named))
        self.steps_label.setVisible(len(steps) > 1)
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.items = []
        texts = [r.get(lang) for r in service.spec.requirements]
        if not texts:
            texts = [tr("kiosk.requirements.none", lang)]
        for text in texts:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(8, 6, 8, 6)
            mark = text_label("checkMark", wrap=False)
            mark.setText("✔")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            item_label = text_label("checkItem", align=ALIGN_LEFT)
            item_label.setText(text)
            line.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(item_label, 1)
            self._rows.addWidget(row)
            self.items.append(item_label)
        self._scroll.updateGeometry()
        self.subtitle_label.setText(tr("kiosk.requirements.title", lang))
        self.hint_label.setText(tr("kiosk.requirements.hint", lang))
        self.back_button.setText(tr("kiosk.back", lang))
        self.continue_button.setText(tr("kiosk.continue", lang))

    def apply_metrics(self, m: Metrics) -> None:
        margin = m.px(28, 14)
        self._rows.setContentsMargins(margin, margin, margin, margin)
        self._rows.setSpacing(m.px(14, 6))


# ------------------------------------------------------------------------ 4. priority
class PriorityScreen(QWidget):
    """The priority lane question, with two answers as big as the screen allows."""

    back = Signal()
    answered = Signal(bool)  # True: priority

    def __init__(self) -> None:
        super().__init__()
        self.service_label = text_label("screenSubtitle")
        self.question_label = text_label("question")
        self.hint_label = text_label("hint")
        self.yes_button = button("yesButton")
        self.no_button = button("noButton")
        self.yes_button.clicked.connect(lambda: self.answered.emit(True))
        self.no_button.clicked.connect(lambda: self.answered.emit(False))
        self.back_button = button("backButton")
        self.back_button.clicked.connect(self.back)
        answers = QHBoxLayout()
        answers.addStretch(1)
        answers.addWidget(self.yes_button, 3)
        answers.addStretch(1)
        answers.addWidget(self.no_button, 3)
        answers.addStretch(1)

        column = QVBoxLayout(self)
        column.addWidget(self.service_label)
        column.addStretch(1)
        column.addWidget(self.question_label)
        column.addSpacing(12)
        column.addWidget(self.hint_label)
        column.addStretch(1)
        column.addLayout(answers)
        column.addStretch(2)
        column.addWidget(ActionBar(back=self.back_button))

    def show_service(self, service: Service, lang: str) -> None:
        self.service_label.setText(f"{service.spec.prefix} · {service.spec.name.get(lang)}")
        self.question_label.setText(tr("kiosk.priority.question", lang))
        self.hint_label.setText(tr("kiosk.priority.hint", lang))
        self.yes_button.setText(tr("kiosk.yes", lang))
        self.no_button.setText(tr("kiosk.no", lang))
        self.back_button.setText(tr("kiosk.back", lang))


# ------------------------------------------------------------------------- waiting
class IssuingScreen(QWidget):
    """Between the tap and the ticket: "please wait", or why it takes longer."""

    def __init__(self) -> None:
        super().__init__()
        self.message_label = text_label("issuing")
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.message_label)
        column.addStretch(1)

    def show_state(self, connected: bool, lang: str) -> None:
        key = "kiosk.issuing" if connected else "kiosk.issuing_offline"
        self.message_label.setText(tr(key, lang))


# -------------------------------------------------------------------------- 5. ticket
class QrView(QWidget):
    """A QR code drawn as large as its space allows, in whole pixels per module so a
    phone camera reads it; it shrinks on a small screen instead of pushing text off."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("qrCode")
        self.modules: list[list[bool]] = []
        self._drawn = QPixmap()
        self.preferred_side = 300
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_payload(self, payload: str) -> None:
        self.modules = qr_modules(payload) if payload else []
        self._drawn = QPixmap()
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.preferred_side, self.preferred_side)

    def minimumSizeHint(self) -> QSize:
        side = 3 * max(len(self.modules), 29)  # three pixels a module at the least
        return QSize(side, side)

    def drawn_side(self) -> int:
        count = len(self.modules)
        if count == 0:
            return 0
        room = min(self.width(), self.height(), self.preferred_side)
        return max(1, room // count) * count

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.modules:
            return
        side = self.drawn_side()
        if self._drawn.width() != side:  # drawn once per code and size, not per paint
            self._drawn = self._draw(side)
        painter = QPainter(self)
        painter.drawPixmap((self.width() - side) // 2, (self.height() - side) // 2, self._drawn)
        painter.end()

    def _draw(self, side: int) -> QPixmap:
        module = side // len(self.modules)
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.white)
        painter = QPainter(pixmap)
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):  # one rectangle per run of dark modules
                if not row[x]:
                    x += 1
                    continue
                run = x
                while run < len(row) and row[run]:
                    run += 1
                painter.fillRect(x * module, y * module, (run - x) * module, module,
                                 Qt.GlobalColor.black)
                x = run
        painter.end()
        return pixmap


class TicketScreen(QWidget):
    """The number, where the visitor stands, a QR code, and how printing went."""

    reprint = Signal()
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title_label = text_label("ticketTitle")
        self.number_label = text_label("ticketNumber", wrap=False)
        self.service_label = text_label("ticketService")
        self.priority_label = text_label("ticketPriority", wrap=False)
        self.ahead_label = text_label("ticketFact")
        self.eta_label = text_label("ticketFact")
        self.time_label = text_label("ticketFact")
        self.qr_view = QrView()
        self.status_label = text_label("printStatus")
        self.advice_label = text_label("printAdvice")
        self.reprint_button = button("reprintButton")
        self.reprint_button.clicked.connect(self.reprint)
        self.listen_label = text_label("hint")
        self.done_button = button("doneButton")
        self.done_button.clicked.connect(self.done)
        self.qr_payload = ""

        card = QFrame()
        card.setObjectName("ticketCard")
        facts = QVBoxLayout(card)
        facts.addStretch(1)
        for widget in (self.title_label, self.number_label, self.service_label):
            facts.addWidget(widget)
        facts.addWidget(self.priority_label, 0, ALIGN_CENTER)
        for widget in (self.ahead_label, self.eta_label, self.time_label):
            facts.addWidget(widget)
        facts.addStretch(1)
        facts.addWidget(self.listen_label)
        self._card_layout = facts

        side = QWidget()
        printing = QVBoxLayout(side)
        printing.setContentsMargins(0, 0, 0, 0)
        printing.addWidget(self.qr_view, 1)
        printing.addWidget(self.status_label)
        printing.addWidget(self.advice_label)
        actions = QHBoxLayout()
        actions.addWidget(self.reprint_button, 1)
        actions.addWidget(self.done_button, 1)
        printing.addLayout(actions)

        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.addWidget(card, 3)
        self._body.addWidget(side, 2)

    def show_ticket(self, ticket: IssuedTicket, service: Service | None, lang: str,
                    qr_payload: str) -> None:
        self.number_label.setText(ticket.number)
        name = service.spec.name.get(lang) if service else ""
        step, steps = ticket.step, ticket.steps
        if service is not None and steps > 1 and step <= len(service.spec.steps):
            name += "\n" + tr("step.of", lang, step=step, steps=steps,
                              name=service.spec.steps[step - 1].get(lang))
        self.service_label.setText(name)
        booking = ticket.booking
        self.priority_label.setVisible(ticket.is_priority or bool(booking))
        ahead = ticket.ahead
        eta = ticket.eta_minutes
        self.ahead_label.setText(
            tr("kiosk.ticket.ahead", lang, n=ahead) if ahead > 0
            else tr("kiosk.ticket.ahead_none", lang)
        )
        self.eta_label.setText(
            tr("kiosk.ticket.eta", lang, n=eta) if eta > 0 else tr("kiosk.ticket.eta_soon", lang)
        )
        at = ticket.issued_at.strftime("%H:%M")
        self.time_label.setText(tr("kiosk.ticket.time", lang, time=at))
        self.time_label.setVisible(True)
        self.title_label.setText(tr("kiosk.ticket.title", lang))
        self.priority_label.setText(tr("kiosk.ticket.booking", lang, code=booking) if booking
                                    else tr("common.priority", lang))
        self.reprint_button.setText(tr("kiosk.ticket.reprint", lang))
        self.done_button.setText(tr("kiosk.ticket.done", lang))
        self.listen_label.setText(tr("kiosk.ticket.listen", lang))
        if qr_payload != self.qr_payload:
            self.qr_payload = qr_payload
            self.qr_view.set_payload(qr_payload)

    def show_print_state(self, state: PrintState, status_text: str, advice: str) -> None:
        """The paper ticket's state in words; a fault offers Reprint."""
        self.status_label.setProperty("state", state.value)
        repolish(self.status_label)
        self.status_label.setText(status_text)
        self.advice_label.setText(advice)
        self.advice_label.setVisible(bool(advice))
        self.reprint_button.setVisible(state.offers_reprint)

    def apply_metrics(self, m: Metrics) -> None:
        self._body.setDirection(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        self._body.setSpacing(m.px(28, 12))
        self.qr_view.preferred_side = m.px(440 if m.portrait else 400, 160)  # and the most
        self.qr_view.updateGeometry()
        margin = m.px(28, 12)
        self._card_layout.setContentsMargins(margin, margin, margin, margin)
        self._card_layout.setSpacing(m.px(10, 2))


def load_logo(path: Path) -> QPixmap | None:
    """The office emblem, or None when there is none (then the name stands alone)."""
    if not path.is_file():
        return None
    pixmap = QPixmap(str(path))
    return None if pixmap.isNull() else pixmap
