"""The media area: the office's own pictures (information posters, how to
pay the fee...), one after another, from a folder on the display PC.

The folder is read again at every change, so staff can drop in or remove a
picture during the day without restarting the screen. A file that cannot be
read is skipped (and logged once), never shown broken.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})
INTERVAL_MS = 8_000


def media_images(folder: Path) -> list[Path]:
    """The pictures in `folder`, in name order (so staff control the order)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(
        (p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
        key=lambda p: p.name.lower(),
    )


class MediaArea(QFrame):
    """Cycles the pictures of one folder every `interval_ms`."""

    def __init__(
        self, folder: Path, interval_ms: int = INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mediaArea")
        self.folder = folder
        self._picture = QLabel()
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._picture)
        self._current: Path | None = None
        self._pixmap: QPixmap | None = None
        self._unreadable: set[Path] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.advance)
        self._timer.start()
        self.advance()

    def current(self) -> Path | None:
        """The picture on screen now (None: nothing to show)."""
        return self._current

    def advance(self) -> None:
        """Show the next readable picture after the current one."""
        images = [p for p in media_images(self.folder) if p not in self._unreadable]
        if self._current in images:
            start = images.index(self._current) + 1
            images = images[start:] + images[:start]
        for path in images:
            pixmap = QPixmap(str(path))
            if pixmap.isNull():
                log.warning("media %s cannot be read: skipped", path)
                self._unreadable.add(path)
                continue
            self._current = path
            self._pixmap = pixmap
            self._fit()
            return
        self._current = None
        self._pixmap = None
        self._picture.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._pixmap is None:
            return
        size = self._picture.size()
        if size.width() < 2 or size.height() < 2:
            return
        self._picture.setPixmap(self._pixmap.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        ))

    def rescale(self, height: int) -> None:
        margin = round(height * 0.012)
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(margin, margin, margin, margin)
