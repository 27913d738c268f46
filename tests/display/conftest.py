"""Fixtures for the waiting-room display: a real window on a real server link."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from antrean.qt.link import ServerLink
from display.voice import Announcer
from display.window import DisplayOptions, DisplayWindow
from tests.display.fakes import FULL_HD, DisplayFactory, Screen, Voice
from tests.support import Links, ServerThread


@pytest.fixture
def make_display(qtbot: QtBot, live_server: ServerThread) -> Iterator[DisplayFactory]:
    """Open a display window on the live server (or `server`, or `url`) and
    wait until it is connected (unless `wait=False`)."""
    made: list[tuple[Screen, Announcer]] = []
    links = Links(qtbot.waitUntil)

    def make(
        options: DisplayOptions | None = None,
        *,
        voice: Voice | None = None,
        size: tuple[int, int] = FULL_HD,
        token: str = "demo-display",
        server: ServerThread | None = None,
        url: str | None = None,
        clock: Callable[[], datetime] | None = None,
        wait: bool = True,
        **option_fields: Any,
    ) -> Screen:
        options = options or DisplayOptions(**option_fields)
        link = ServerLink(url or (server or live_server).url, "display",
                          f"display-{len(made) + 1}", token)
        announcer = voice.announcer if voice is not None else Announcer(enabled=False)
        extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
        window = DisplayWindow(link, options, announcer, **extra)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        screen = Screen(window, link, voice)
        made.append((screen, announcer))
        links.start(link, connect=wait)
        return screen

    yield make
    for _, announcer in made:
        announcer.close()
    links.stop()
    links.wait_closed()
