"""Issue 15: a display without an audio device says so once, at start, rather
than at its first call (Qt Multimedia's own backend lines are filtered out:
tests/test_stop_signals.py runs the real display)."""

from __future__ import annotations

import logging
from typing import Any

from pytestqt.qtbot import QtBot

from tests.display.fakes import make_voice


def test_no_audio_device_is_said_once_at_start(qtbot: QtBot, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="display.voice")
    voice = make_voice(output=False)
    statuses: list[str] = []
    voice.announcer.statusChanged.connect(statuses.append)
    voice.announcer.check_output()
    assert voice.announcer.status == "silent" and statuses == ["silent"]
    voice.announcer.check_output()
    voice.announcer.announce("A001", "Loket 1")
    qtbot.waitUntil(lambda: voice.started == ["A001"])
    warnings = [r for r in caplog.records if "no audio device" in r.getMessage()]
    assert len(warnings) == 1
    voice.announcer.close()


def test_with_an_audio_device_nothing_is_said(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="display.voice")
    voice = make_voice(output=True)
    voice.announcer.check_output()
    assert voice.announcer.status == "ok"
    assert "no audio device" not in caplog.text
    voice.announcer.close()
