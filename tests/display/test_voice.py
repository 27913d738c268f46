"""The waiting-room voice: real espeak-ng, real WAVs, real Qt event loop.

Only the sound card is faked (`FakePlayer`), because a test machine has none
and because the fake can check what a real speaker cannot: that two sounds
never overlap.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import logging
import math
import shutil
import struct
import sys
import threading
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtMultimedia import QMediaDevices
from pytestqt.qtbot import QtBot

from antrean.core.words import announcement_clips, announcement_text
from display.voice import (
    DEFAULT_CHIME,
    SILENT_WARNING,
    Announcer,
    ClipLibrary,
    EspeakSynthesizer,
    QtPlayer,
    wav_duration_ms,
)

SENTENCE_ID = "Nomor antrean A dua belas, silakan menuju loket tiga"


def wav_stats(path: Path) -> tuple[float, float, tuple[int, int, int]]:
    """(seconds, RMS of the samples, (channels, width, rate)) of a 16-bit WAV."""
    with wave.open(str(path), "rb") as wav:
        params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = array("h")
    samples.frombytes(frames)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
    return seconds, rms, params


def write_tone(path: Path, freq: float, ms: int = 40, rate: int = 22050) -> bytes:
    """A tiny synthetic 'recording'; returns its frames."""
    count = rate * ms // 1000
    frames = b"".join(
        struct.pack("<h", round(8000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(count)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return frames


class FakePlayer:
    """The audio device, and nothing else: 'plays' each file for a few ms."""

    def __init__(self, *, output: bool = True, fail: str | None = None, ms: int = 2) -> None:
        self.output = output
        self.fail = fail
        self.ms = ms
        self.played: list[Path] = []
        self.overlaps = 0
        self.busy = False
        self._generation = 0

    def has_output(self) -> bool:
        return self.output

    def play(self, path: Path, done: Callable[[str | None], None]) -> None:
        if self.busy:
            self.overlaps += 1
        self.busy = True
        self.played.append(path)
        self._generation += 1
        generation = self._generation

        def end() -> None:
            if generation == self._generation and self.busy:
                self.busy = False
                done(self.fail)

        QTimer.singleShot(self.ms, end)

    def stop(self) -> None:
        self.busy = False
        self._generation += 1


class RecordingSynth:
    """The real synthesiser, noting each call and the thread it ran on."""

    def __init__(self, inner: EspeakSynthesizer, *, held: bool = False) -> None:
        self.inner = inner
        self.gate = threading.Event()  # while clear, every call waits (a slow engine)
        if not held:
            self.gate.set()
        self.calls: list[tuple[str, str]] = []
        self.threads: set[int] = set()

    def available(self) -> bool:
        return self.inner.available()

    def synthesize(self, text: str, lang: str) -> Path | None:
        self.calls.append((text, lang))
        self.threads.add(threading.get_ident())
        self.gate.wait(30)
        return self.inner.synthesize(text, lang)


@pytest.fixture
def synth(tmp_path: Path) -> EspeakSynthesizer:
    return EspeakSynthesizer(tmp_path / "cache")


@pytest.fixture
def make_announcer(tmp_path: Path) -> Iterator[Callable[..., Announcer]]:
    made: list[Announcer] = []

    def make(**kwargs: object) -> Announcer:
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("clips_dir", None)
        announcer = Announcer(**kwargs)  # type: ignore[arg-type]
        made.append(announcer)
        return announcer

    yield make
    for announcer in made:
        announcer.close()


def record(announcer: Announcer) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    announcer.started.connect(lambda n: events.append(("start", n)))
    announcer.finished.connect(lambda n: events.append(("end", n)))
    return events


def silent_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and SILENT_WARNING in r.getMessage()
    ]


# --- synthesis ----------------------------------------------------------------


def test_espeak_library_speaks_the_indonesian_call(synth: EspeakSynthesizer) -> None:
    path = synth.synthesize(SENTENCE_ID, "id")
    assert path is not None
    assert synth.backend == "library"
    seconds, rms, params = wav_stats(path)
    assert params == (1, 2, 22050)
    assert 1.5 <= seconds <= 8.0
    assert rms > 500


def test_espeak_speaks_english_too(synth: EspeakSynthesizer) -> None:
    path = synth.synthesize(announcement_text("A012", "3", "en"), "en")
    assert path is not None
    seconds, rms, _ = wav_stats(path)
    assert 1.0 <= seconds <= 8.0
    assert rms > 500


def test_synthesis_is_cached_by_language_and_text(synth: EspeakSynthesizer) -> None:
    first = synth.synthesize(SENTENCE_ID, "id")
    assert first is not None
    stamp = first.stat().st_mtime_ns
    again = synth.synthesize(SENTENCE_ID, "id")
    assert again == first
    assert first.stat().st_mtime_ns == stamp  # not written again
    other_text = synth.synthesize(announcement_text("A013", "3", "id"), "id")
    other_lang = synth.synthesize(SENTENCE_ID, "en")
    assert len({first, other_text, other_lang}) == 3


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng command not installed")
def test_espeak_command_is_the_fallback(tmp_path: Path) -> None:
    synth = EspeakSynthesizer(tmp_path, use_library=False)
    assert synth.available()
    path = synth.synthesize(SENTENCE_ID, "id")
    assert path is not None
    assert synth.backend == "command"
    seconds, rms, _ = wav_stats(path)
    assert 1.5 <= seconds <= 8.0
    assert rms > 500


def test_no_engine_means_unavailable(tmp_path: Path) -> None:
    synth = EspeakSynthesizer(tmp_path, use_library=False, command="no-such-espeak-ng-binary")
    assert not synth.available()
    assert synth.synthesize(SENTENCE_ID, "id") is None
    assert list(tmp_path.glob("*.wav")) == []


def test_clips_of_another_format_are_not_joined(tmp_path: Path) -> None:
    write_tone(tmp_path / "id" / "one.wav", 440)
    write_tone(tmp_path / "id" / "two.wav", 440, rate=16000)
    clips = ClipLibrary(tmp_path, tmp_path / "cache")
    assert clips.build(["one", "one"], "id") is not None
    assert clips.build(["one", "two"], "id") is None
    assert clips.build(["one", "three"], "id") is None
    assert clips.missing(["one", "three", "three"], "id") == ["three"]


# --- the queue ----------------------------------------------------------------------


def test_twenty_rapid_calls_play_in_order_never_overlapping(
    qtbot: QtBot, make_announcer: Callable[..., Announcer], synth: EspeakSynthesizer
) -> None:
    player = FakePlayer(ms=15)  # slower than synthesis: later calls are ready while one plays
    announcer = make_announcer(synthesizer=synth, player=player, english=True)
    events = record(announcer)
    calls = [(f"A{i:03d}", str(i % 4 + 1)) for i in range(1, 20)]
    calls.append(("A003", "2"))  # a recall of an earlier number is played again too
    for number, counter in calls:
        announcer.announce(number, counter)
    qtbot.waitUntil(lambda: len(events) == 2 * len(calls), timeout=15_000)

    assert events == [(kind, n) for n, _ in calls for kind in ("start", "end")]
    expected: list[Path | None] = []
    for number, counter in calls:
        expected.append(DEFAULT_CHIME)
        for lang in ("id", "en"):
            expected.append(synth.synthesize(announcement_text(number, counter, lang), lang))
    assert player.played == expected
    assert player.overlaps == 0
    assert announcer.pending() == 0
    assert announcer.status == "ok"


def test_synthesis_runs_off_the_ui_thread(
    qtbot: QtBot, make_announcer: Callable[..., Announcer], synth: EspeakSynthesizer
) -> None:
    slow = RecordingSynth(synth, held=True)
    announcer = make_announcer(synthesizer=slow, player=FakePlayer())
    events = record(announcer)
    for i in range(3):
        announcer.announce(f"B00{i + 1}", "1")
    # The calls returned while the engine is still stuck on the first text.
    qtbot.waitUntil(lambda: len(slow.calls) == 1)
    assert threading.get_ident() not in slow.threads
    assert events == []
    slow.gate.set()
    qtbot.waitUntil(lambda: len(events) == 6, timeout=10_000)
    assert [n for kind, n in events if kind == "end"] == ["B001", "B002", "B003"]
    assert slow.threads and threading.get_ident() not in slow.threads


def test_recorded_clips_win_over_tts(
    qtbot: QtBot,
    tmp_path: Path,
    make_announcer: Callable[..., Announcer],
    synth: EspeakSynthesizer,
) -> None:
    voice = tmp_path / "voice"
    names = announcement_clips("A012", "3", "id")
    frames = {
        name: write_tone(voice / "id" / f"{name}.wav", 300 + 50 * i)
        for i, name in enumerate(dict.fromkeys(names))
    }
    recording = RecordingSynth(synth)
    player = FakePlayer()
    announcer = make_announcer(synthesizer=recording, player=player, clips_dir=voice)
    events = record(announcer)

    announcer.announce("A012", "3")
    qtbot.waitUntil(lambda: len(events) == 2, timeout=5_000)
    assert recording.calls == []
    assert len(player.played) == 2
    with wave.open(str(player.played[1]), "rb") as wav:
        joined = wav.readframes(wav.getnframes())
    gap = b"\x00" * (2 * 22050 * 60 // 1000)
    assert joined == gap.join(frames[name] for name in names)

    # "dua puluh" needs puluh.wav, which is not recorded: TTS speaks this call.
    announcer.announce("A020", "3")
    qtbot.waitUntil(lambda: len(events) == 4, timeout=5_000)
    assert recording.calls == [(announcement_text("A020", "3", "id"), "id")]


def test_disabled_announcer_does_nothing(
    qtbot: QtBot, make_announcer: Callable[..., Announcer], synth: EspeakSynthesizer
) -> None:
    recording = RecordingSynth(synth)
    player = FakePlayer()
    announcer = make_announcer(enabled=False, synthesizer=recording, player=player)
    events = record(announcer)
    for i in range(3):
        announcer.announce(f"A00{i + 1}", "1")
    qtbot.wait(300)
    assert (events, recording.calls, player.played) == ([], [], [])
    assert announcer.pending() == 0
    assert announcer.status == "off"


def test_player_error_warns_once_and_the_queue_goes_on(
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
    make_announcer: Callable[..., Announcer],
    synth: EspeakSynthesizer,
) -> None:
    caplog.set_level(logging.INFO, logger="display.voice")
    player = FakePlayer(fail="device lost")
    announcer = make_announcer(synthesizer=synth, player=player, pace_silently=False)
    events = record(announcer)
    for i in range(4):
        announcer.announce(f"C00{i + 1}", "2")
    qtbot.waitUntil(lambda: len(events) == 8, timeout=10_000)
    assert [n for kind, n in events if kind == "end"] == ["C001", "C002", "C003", "C004"]
    assert len(silent_warnings(caplog)) == 1
    assert announcer.status == "silent"

    player.fail = None  # the device is back: sound again, and no new warning
    announcer.announce("C005", "2")
    qtbot.waitUntil(lambda: len(events) == 10, timeout=5_000)
    assert announcer.status == "ok"
    assert len(silent_warnings(caplog)) == 1


def test_no_audio_device_is_silent_with_one_warning(
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
    make_announcer: Callable[..., Announcer],
    synth: EspeakSynthesizer,
) -> None:
    player = FakePlayer(output=False)
    announcer = make_announcer(synthesizer=synth, player=player, pace_silently=False)
    events = record(announcer)
    for i in range(3):
        announcer.announce(f"D00{i + 1}", "4")
    qtbot.waitUntil(lambda: len(events) == 6, timeout=10_000)
    assert player.played == []
    assert len(silent_warnings(caplog)) == 1
    assert announcer.status == "silent"


def test_without_speech_the_chime_still_sounds_and_silence_keeps_pace(
    qtbot: QtBot, tmp_path: Path, make_announcer: Callable[..., Announcer]
) -> None:
    mute = EspeakSynthesizer(tmp_path, use_library=False, command="no-such-espeak-ng-binary")
    player = FakePlayer()
    announcer = make_announcer(synthesizer=mute, player=player)
    events = record(announcer)
    announcer.announce("E001", "1")
    qtbot.waitUntil(lambda: len(events) == 2, timeout=5_000)
    assert player.played == [DEFAULT_CHIME]
    assert announcer.status == "chime_only"

    # No device, pacing on: the call lasts as long as its chime would.
    player.output = False
    times: dict[str, float] = {}
    announcer.started.connect(lambda n: times.setdefault("start", time.monotonic()))
    announcer.finished.connect(lambda n: times.setdefault("end", time.monotonic()))
    announcer.announce("E002", "1")
    qtbot.waitUntil(lambda: "end" in times, timeout=5_000)
    assert times["end"] - times["start"] >= wav_duration_ms(DEFAULT_CHIME) / 1000 - 0.05


def test_signals_do_not_drain_true(
    qtbot: QtBot, make_announcer: Callable[..., Announcer], synth: EspeakSynthesizer
) -> None:
    """PySide6 6.12.0's emit() dropped a reference to True each time, and a
    long-running display aborted; the project pins a release without the bug
    (see tests/qt/test_pyside_emit.py). The announcer's own signals stay clean."""
    announcer = make_announcer(synthesizer=synth, player=FakePlayer(ms=0))
    events = record(announcer)
    gc.collect()  # earlier tests' garbage freed now, not counted as a leak below
    before = sys.getrefcount(True)
    for i in range(50):
        announcer.announce(f"G{i:03d}", "1")
    qtbot.waitUntil(lambda: len(events) == 100, timeout=10_000)
    gc.collect()
    assert sys.getrefcount(True) > before - 50  # 150 emits happened


# --- the real player and the defaults ------------------------------------------


def test_qt_player_reports_the_end_once_per_play(qtbot: QtBot) -> None:
    player = QtPlayer()
    reports: list[str | None] = []
    for played in (1, 2):  # the same file twice: the second play must start afresh
        begin = time.monotonic()
        player.play(DEFAULT_CHIME, reports.append)
        qtbot.waitUntil(lambda: len(reports) >= played, timeout=10_000)  # noqa: B023
        if reports[-1] is None:  # played to the end (with or without a device)
            assert time.monotonic() - begin >= 0.9
    qtbot.wait(200)
    assert len(reports) == 2


def test_default_announcer_survives_this_machine(
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
    make_announcer: Callable[..., Announcer],
) -> None:
    announcer = make_announcer(pace_silently=False)
    events = record(announcer)
    announcer.announce("F001", "1")
    qtbot.waitUntil(lambda: len(events) == 2, timeout=15_000)
    if not QMediaDevices.audioOutputs():
        assert len(silent_warnings(caplog)) == 1
        assert announcer.status == "silent"


def test_chime_asset_is_a_ding_dong() -> None:
    seconds, rms, params = wav_stats(DEFAULT_CHIME)
    assert params == (1, 2, 22050)
    assert 1.0 <= seconds <= 1.5
    assert rms > 1000
