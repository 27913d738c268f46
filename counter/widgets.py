"""Small building blocks the console's views share (styled by counter/style.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout


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
