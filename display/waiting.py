"""How many people wait now, per service: one tile each, in both languages."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from antrean.core.model import Service
from display.look import FitGroup, FittedLabel, bilingual

CENTER = Qt.AlignmentFlag.AlignCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

TITLE = 0.03
COUNT = 0.05
NAME = 0.026
NAME_EN = 0.022


class ServiceTile(QFrame):
    """One service: its letter, how many wait, its name (and "closed")."""

    def __init__(
        self, code: str, groups: dict[str, FitGroup] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serviceTile")
        groups = groups or {}
        self.code = code
        self.badge = QFrame()
        self.badge.setObjectName("serviceBadge")
        self.letter = FittedLabel(code, bold=True, align=CENTER)
        badge_layout = QHBoxLayout(self.badge)
        badge_layout.setContentsMargins(0, 0, 0, 0)
        badge_layout.addWidget(self.letter)
        self.state = FittedLabel("", tone="secondary", align=CENTER, group=groups.get("state"))
        self.count = FittedLabel("0", bold=True, tone="accent", align=RIGHT)
        self.name = FittedLabel("", bold=True, group=groups.get("name"))
        self.name_en = FittedLabel("", tone="secondary", group=groups.get("name_en"))
        top = QHBoxLayout()
        top.addWidget(self.badge, 0)
        top.addWidget(self.state, 1)
        top.addWidget(self.count, 1)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(top)
        self._layout.addWidget(self.name)
        self._layout.addWidget(self.name_en)

    def set_service(self, service: Service, waiting: int) -> None:
        self.letter.setText(service.spec.prefix)
        self.count.setText(str(waiting))
        self.name.setText(service.spec.name.id)
        english = service.spec.name.en
        self.name_en.setText(english if english != service.spec.name.id else "")
        self.state.setText("" if service.open else bilingual("display.service_closed"))

    def count_text(self) -> str:
        return self.count.text()

    def rescale(self, height: int) -> None:
        pad = round(height * 0.012)
        self._layout.setContentsMargins(pad, pad, pad, pad)
        self._layout.setSpacing(round(height * 0.003))
        self.letter.set_pixel_size(round(height * COUNT * 0.8))
        side = round(height * COUNT * 1.25)
        self.badge.setFixedSize(side, self.letter.height())
        self.state.set_pixel_size(round(height * NAME_EN), round(height * 0.012))
        self.count.set_pixel_size(round(height * COUNT))
        self.name.set_pixel_size(round(height * NAME), round(height * 0.014))
        self.name_en.set_pixel_size(round(height * NAME_EN), round(height * 0.012))


class WaitingStrip(QWidget):
    """The tiles of the services this display shows, in the office's order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = FittedLabel(bilingual("display.waiting"), bold=True)
        self._tiles_layout = QHBoxLayout()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.title)
        self._layout.addLayout(self._tiles_layout)
        self.tiles: dict[str, ServiceTile] = {}
        # Names side by side share one size, the one the longest name needs.
        self._groups = {"name": FitGroup(), "name_en": FitGroup(), "state": FitGroup()}
        self._height = 0

    def show_services(self, services: Iterable[tuple[Service, int]]) -> None:
        """(service, waiting) in display order; tiles come and go with the list."""
        rows = list(services)
        codes = [service.code for service, _ in rows]
        if codes != list(self.tiles):
            for tile in self.tiles.values():
                for group, label in zip(self._groups.values(),
                                        (tile.name, tile.name_en, tile.state), strict=True):
                    group.remove(label)
                tile.deleteLater()
            self.tiles = {code: ServiceTile(code, self._groups) for code in codes}
            for tile in self.tiles.values():
                self._tiles_layout.addWidget(tile, 1)
                if self._height:
                    tile.rescale(self._height)
        for service, waiting in rows:
            self.tiles[service.code].set_service(service, waiting)

    def counts(self) -> dict[str, int]:
        """What the tiles read now."""
        return {code: int(tile.count_text()) for code, tile in self.tiles.items()}

    def rescale(self, height: int) -> None:
        self._height = height
        self._layout.setSpacing(round(height * 0.006))
        self._tiles_layout.setSpacing(round(height * 0.012))
        self.title.set_pixel_size(round(height * TITLE))
        for tile in self.tiles.values():
            tile.rescale(height)
