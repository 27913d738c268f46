"""Small building blocks the console's views share (styled by counter/style.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from antrean.core.office import Event
from antrean.qt.link import ServerLink


def card(title: QLabel | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white panel with an optional grey title: one per thing staff read."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 14)
    layout.setSpacing(6)
    if title is not None:
        title.setObjectName("cardTitle")
        layout.addWidget(title)
    return frame, layout


def named_label(name: str, text: str = "") -> QLabel:
    """A label whose object name picks its style."""
    label = QLabel(text)
    label.setObjectName(name)
    return label


def follow_link(link: ServerLink, on_event: Callable[[Event], None],
                on_snapshot: Callable[[], None], refresh: Callable[[], None]) -> None:
    """Wire a console tab to its link (the desk and the supervisor tab alike):
    each event applied to the mirror, a new snapshot, and a change of
    connection, which redraws the tab."""
    link.event_received.connect(on_event)
    link.snapshot_loaded.connect(on_snapshot)
    link.connected_changed.connect(lambda _connected: refresh())


class LinkedTab(QWidget):
    """What the console's tabs (the desk, the supervisor tab, its complaints
    panel) share: their server link, their language, and a `report` signal
    for the console's message bar."""

    report = Signal(str, str)  # kind, text: for the console's message bar

    def __init__(self, link: ServerLink, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.lang = lang

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def retranslate(self) -> None:
        raise NotImplementedError
