"""PySide6 6.12.0 lost a reference to `True` on every Python-side emit() and
aborted the interpreter after enough signals (an all-day display would die).
The project pins a release without the bug; this keeps it that way."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication


class _Emitter(QObject):
    fired = Signal(object)
    flag = Signal(bool)


def test_emit_keeps_reference_counts(qapp: QApplication) -> None:
    emitter = _Emitter()
    received = [0]

    def count(_: object) -> None:
        received[0] += 1

    emitter.fired.connect(count)
    emitter.flag.connect(count)
    gc.collect()  # other tests' garbage must not be freed (and counted) meanwhile
    gc.disable()
    try:
        before = sys.getrefcount(True)
        for index in range(500):
            emitter.fired.emit(index)
            emitter.flag.emit(True)
    finally:
        gc.enable()
    emitter.fired.disconnect()
    assert received[0] == 1000
    assert abs(sys.getrefcount(True) - before) <= 2
