"""What the display tests fake: only the loudspeaker and the speech engine
(`QuietPlayer`, `ChimeSynth`), so the tests hear what the real `Announcer`
queue decides to say, and in which order."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer

from antrean.qt.link import ServerLink
from display.voice import DEFAULT_CHIME, Announcer
from display.window import DisplayWindow

FULL_HD = (1920, 1080)


class QuietPlayer:
    """The audio device: 'plays' each file for a moment, or has no output."""

    def __init__(self, *, output: bool = True) -> None:
        self.output = output
        self.played: list[Path] = []
        self._generation = 0

    def has_output(self) -> bool:
        return self.output

    def play(self, path: Path, done: Callable[[str | None], None]) -> None:
        self.played.append(path)
        self._generation += 1
        generation = self._generation
        QTimer.singleShot(1, lambda: done(None) if generation == self._generation else None)

    def stop(self) -> None:
        self._generation += 1


class ChimeSynth:
    """A speech engine that answers with a real WAV at once, or, when `held`, only
    after the test calls `release()` (a very slow engine, without timing anything)."""

    def __init__(self, *, held: bool = False) -> None:
        self.gate = threading.Event()
        if not held:
            self.gate.set()
        self.spoken: list[tuple[str, str]] = []
        self.threads: set[int] = set()

    def available(self) -> bool:
        return True

    def release(self) -> None:
        self.gate.set()

    def synthesize(self, text: str, lang: str) -> Path | None:
        self.threads.add(threading.get_ident())
        self.gate.wait(30)
        self.spoken.append((text, lang))
        return DEFAULT_CHIME


@dataclass
class Voice:
    """A real Announcer with a fake loudspeaker, and what it started to say."""

    announcer: Announcer
    synth: ChimeSynth
    player: QuietPlayer
    started: list[str] = field(default_factory=list)


def make_voice(*, held: bool = False, output: bool = True, english: bool = False) -> Voice:
    synth = ChimeSynth(held=held)
    player = QuietPlayer(output=output)
    announcer = Announcer(
        synthesizer=synth, player=player, clips_dir=None, english=english,
        pace_silently=False,
    )
    voice = Voice(announcer, synth, player)
    announcer.started.connect(voice.started.append)
    return voice


@dataclass
class Screen:
    window: DisplayWindow
    link: ServerLink
    voice: Voice | None


DisplayFactory = Callable[..., Screen]
