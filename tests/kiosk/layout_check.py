"""What a person would see as broken on a kiosk screen: text cut off by its box, or a
widget hanging out of the window. Used by the tests and the screenshot script."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget


def clipped_text(window: QWidget) -> list[str]:
    """Every visible label or button whose text does not fit the space it was given,
    and every visible widget that reaches outside the window.

    Pending relayouts are run first: a label whose text a clock tick has just changed
    (the date, once the office's time zone arrives) is resized on the next pass of the
    event loop, before a person could see it, so measuring before that pass is a race."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    problems: list[str] = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text():
            continue
        name = f"{label.objectName() or 'label'} {label.text()!r}"
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                problems.append(f"{name}: needs {needed} px of height, has {label.height()}")
        else:
            hint = label.minimumSizeHint()
            if hint.width() > label.width() or hint.height() > label.height():
                problems.append(f"{name}: needs {hint.toTuple()}, has {label.size().toTuple()}")
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or not button.text():
            continue
        metrics = button.fontMetrics()
        if (metrics.horizontalAdvance(button.text()) > button.width()
                or metrics.height() > button.height()):
            problems.append(f"button {button.text()!r}: text larger than {button.size().toTuple()}")
    for area in window.findChildren(QScrollArea):
        if area.isVisibleTo(window) and area.verticalScrollBar().isVisible():
            problems.append(f"scroll area {area.objectName()!r}: its content does not fit")
    bounds = window.rect()
    scrolled = {w for area in window.findChildren(QScrollArea)
                for w in area.findChildren(QWidget)}  # scrolling brings these into view
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.width() == 0 or widget in scrolled:
            continue
        top_left = widget.mapTo(window, widget.rect().topLeft())
        bottom_right = widget.mapTo(window, widget.rect().bottomRight())
        if not (bounds.contains(top_left) and bounds.contains(bottom_right)):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} reaches outside "
                            f"the window")
    return problems
