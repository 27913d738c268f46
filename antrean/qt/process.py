"""How every Qt front end runs as a process: its name (not `__main__.py`), its
log at INFO, a quiet multimedia backend, and a clean stop on SIGINT/SIGTERM.

Qt's event loop runs in C++, so Python's signal handlers would wait for the
next Python code to run (and Ctrl+C would surface as a `KeyboardInterrupt`
traceback in some slot). Instead the C-level handler writes to a socket
(`signal.set_wakeup_fd`) that a `QSocketNotifier` watches: the loop wakes at
once, Python runs the handler, and the handler asks the app to quit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QSocketNotifier,
    QtMsgType,
    qFormatLogMessage,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from antrean.qt.theme import ensure_app

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Qt Multimedia's backend reports every library it looked for and did not find
# (PipeWire, VA-API, PulseAudio) on a machine without audio or video
# acceleration; the display says once that there is no audio device instead.
_QUIET_CATEGORIES = ("qt.multimedia",)
_QUIET_PREFIXES = ("PulseAudioService:", "pw.", "libva")

log = logging.getLogger("antrean.app")


def _quiet_multimedia_backend() -> None:
    """Qt reads its logging rules once, and the multimedia backend speaks as soon
    as it is loaded (before any message handler could be installed): the rule
    goes into the environment when this module is imported, before the apps
    import QtMultimedia. An operator's own QT_LOGGING_RULES about it win."""
    rules = os.environ.get("QT_LOGGING_RULES", "")
    if "qt.multimedia" not in rules:
        os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [rules, "qt.multimedia.*=false"]))


_quiet_multimedia_backend()


def is_backend_noise(category: str | None, message: str) -> bool:
    """A line from Qt Multimedia's backend probing, not news for the operator."""
    if category and category.startswith(_QUIET_CATEGORIES):
        return True
    return message.startswith(_QUIET_PREFIXES)


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if is_backend_noise(context.category, message):
        return
    sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")


def start_application(name: str) -> QApplication:
    """The QApplication for one front end (`antrean-kiosk`, ...), its log at INFO
    (connection changes are worth a line) and Qt's backend noise filtered."""
    # force: an imported library may have put a handler at WARNING on the root already.
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, force=True)
    qInstallMessageHandler(_qt_message)
    app = ensure_app([name])
    app.setApplicationName(name)
    app.setDesktopFileName(name)
    return app


class SignalStop(QObject):
    """SIGINT and SIGTERM call `stop` from inside the Qt event loop, at once."""

    def __init__(self, stop: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = stop
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {number: signal.signal(number, self._on_signal)
                          for number in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self.received: list[int] = []

    def _drain(self) -> None:
        # Reading is all: the wake-up let Python run the handler itself.
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass

    def _on_signal(self, number: int, _frame: object) -> None:
        if not self.received:
            log.info("%s: stopping", signal.Signals(number).name)
        self.received.append(number)
        self._stop()

    def close(self) -> None:
        """Give the signals back to whoever had them before."""
        self._notifier.setEnabled(False)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
