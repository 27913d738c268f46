"""The waiting-room voice: a chime, then the call in Indonesian (and English).

Three boundaries, each replaceable:
- `VoiceSynthesizer` turns a sentence into a WAV file. `EspeakSynthesizer`
  uses the libespeak-ng bundled by `espeakng-loader` through ctypes (offline,
  nothing to install), or the `espeak-ng` command when the library fails.
- `ClipLibrary` joins pre-recorded word clips (`assets/voice/<lang>/*.wav`);
  a human voice beats TTS, so clips win whenever every word is recorded.
- `Player` plays one WAV and says when it is over; `QtPlayer` uses
  QMediaPlayer, which (unlike QSoundEffect) copes with a missing device.

`Announcer` queues the calls and plays them strictly one after another, in
call order, never dropping one. Synthesis runs on a worker thread, so the
screen never waits on the sound; without an audio device the queue keeps its
pace in silence.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

from antrean.core.words import announcement_clips, announcement_text
from antrean.resources import asset_path

log = logging.getLogger(__name__)

DEFAULT_CHIME = asset_path("chime.wav")
DEFAULT_CLIPS_DIR = asset_path("voice")
DEFAULT_CACHE_DIR = Path(tempfile.gettempdir()) / "antrean-voice"
SILENT_WARNING = "no audio device: announcements are silent"
ESPEAK_VOICES = {"id": "id", "en": "en"}
DEFAULT_RATE_WPM = 150  # a little slower than espeak's 175: a hall echoes


# --- WAV helpers --------------------------------------------------------------


@dataclass(frozen=True)
class WavFormat:
    """What must match for two PCM WAVs to be joined byte for byte."""

    channels: int
    sample_width: int
    frame_rate: int


def wav_duration_ms(path: Path) -> int:
    """Length of a PCM WAV in ms; 0 when it cannot be read (then nothing waits on it)."""
    try:
        with wave.open(str(path), "rb") as wav:
            return round(wav.getnframes() * 1000 / wav.getframerate())
    except (OSError, wave.Error, EOFError, ZeroDivisionError):
        return 0


def _write_wav_atomically(path: Path, frames: bytes, fmt: WavFormat) -> None:
    """Write to a temporary name first: a reader (or a crash) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(fmt.channels)
            out.setsampwidth(fmt.sample_width)
            out.setframerate(fmt.frame_rate)
            out.writeframes(frames)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cache_name(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


# --- speech synthesis -----------------------------------------------------------


class VoiceSynthesizer(Protocol):
    """Turns a sentence into a WAV file; safe to call from a worker thread."""

    def available(self) -> bool:
        """False when no engine works: the display then only chimes."""
        ...

    def synthesize(self, text: str, lang: str) -> Path | None:
        """A WAV of `text` spoken in `lang`, or None when it cannot be made."""
        ...


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _EspeakLibrary:
    """libespeak-ng is one global engine per process: load and initialise it
    once, and let one caller at a time use it."""

    AUDIO_OUTPUT_SYNCHRONOUS = 2
    INITIALIZE_DONT_EXIT = 0x8000
    CHARS_UTF8 = 1
    POS_CHARACTER = 1
    PARAM_RATE = 1

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _instance: ClassVar[_EspeakLibrary | None] = None
    _failure: ClassVar[str | None] = None

    def __init__(self) -> None:
        import espeakng_loader  # here, not at the top: a broken install must not break the display

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
        ]  # fmt: skip
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        data_path = str(espeakng_loader.get_data_path()).encode()
        rate = lib.espeak_Initialize(
            self.AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, self.INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise OSError(f"espeak_Initialize failed ({rate})")
        self.sample_rate: int = rate
        self._lib = lib
        self._chunks: list[bytes] = []
        # Kept on self: ctypes must not collect the callback while C holds it.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = go on

    @classmethod
    def get(cls) -> _EspeakLibrary | None:
        """The engine, or None (once failed, not retried: the failure is stable)."""
        with cls._lock:
            if cls._instance is None and cls._failure is None:
                try:
                    cls._instance = cls()
                except Exception as exc:  # ImportError, OSError, AttributeError...
                    cls._failure = f"{type(exc).__name__}: {exc}"
                    log.warning("espeak-ng library unavailable (%s)", cls._failure)
            return cls._instance

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> bytes:
        """16-bit mono samples of `text` at `sample_rate`; raises OSError on failure."""
        with self._lock:
            self._chunks = []
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise OSError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(self.PARAM_RATE, rate_wpm, 0)
            data = text.encode("utf-8") + b"\x00"
            status = self._lib.espeak_Synth(
                data, len(data), 0, self.POS_CHARACTER, 0, self.CHARS_UTF8, None, None
            )
            if status != 0:
                raise OSError(f"espeak_Synth failed ({status})")
            self._lib.espeak_Synchronize()
            samples = b"".join(self._chunks)
            self._chunks = []
        if not samples:
            raise OSError("espeak-ng produced no audio")
        return samples


class EspeakSynthesizer:
    """espeak-ng, offline: the bundled library first, then the `espeak-ng`
    command; WAVs are cached by (lang, rate, text), so a recall costs nothing."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        rate_wpm: int = DEFAULT_RATE_WPM,
        use_library: bool = True,
        command: str | None = "espeak-ng",
    ) -> None:
        self.cache_dir = cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR
        self.rate_wpm = rate_wpm
        self._use_library = use_library
        self._command = shutil.which(command) if command else None
        self._command_failed = False
        self.backend: str | None = None  # "library" or "command" once one has worked

    def available(self) -> bool:
        """Whether an engine can be tried (loads the library: call off the UI thread)."""
        if self._use_library and _EspeakLibrary.get() is not None:
            return True
        return self._command is not None and not self._command_failed

    def synthesize(self, text: str, lang: str) -> Path | None:
        voice = ESPEAK_VOICES.get(lang, lang)
        target = self.cache_dir / f"{lang}-{_cache_name(lang, str(self.rate_wpm), text)}.wav"
        if target.is_file() and wav_duration_ms(target) > 0:
            return target
        if self._use_library and (library := _EspeakLibrary.get()) is not None:
            try:
                samples = library.synthesize(text, voice, self.rate_wpm)
                _write_wav_atomically(target, samples, WavFormat(1, 2, library.sample_rate))
                self.backend = "library"
                return target
            except OSError as exc:
                log.warning("espeak-ng library failed (%s); trying the command", exc)
        return self._synthesize_with_command(text, voice, target)

    def _synthesize_with_command(self, text: str, voice: str, target: Path) -> Path | None:
        if self._command is None or self._command_failed:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(dir=target.parent, prefix=".cmd-", suffix=".wav")
        os.close(fd)
        try:
            # Text on stdin, never argv: a sentence starting with "-" is no option.
            args = [self._command, "-v", voice, "-s", str(self.rate_wpm), "-w", raw, "--stdin"]
            subprocess.run(
                args, input=text.encode("utf-8"), capture_output=True, timeout=30, check=True
            )
            with wave.open(raw, "rb") as wav:
                fmt = WavFormat(wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                frames = wav.readframes(wav.getnframes())
            if not frames:
                raise OSError("espeak-ng wrote no audio")
            _write_wav_atomically(target, frames, fmt)
            self.backend = "command"
            return target
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as exc:
            log.warning("espeak-ng command failed (%s): no speech, chime only", exc)
            self._command_failed = True
            return None
        finally:
            Path(raw).unlink(missing_ok=True)


# --- pre-recorded clips -----------------------------------------------------------


class ClipLibrary:
    """Pre-recorded words in `<folder>/<lang>/<name>.wav` (naming: see
    assets/voice/id/README.md), joined into one WAV per announcement."""

    def __init__(self, folder: Path, cache_dir: Path | None = None, *, gap_ms: int = 60) -> None:
        self.folder = folder
        self.cache_dir = cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR
        self.gap_ms = gap_ms

    def clip_path(self, name: str, lang: str) -> Path:
        return self.folder / lang / f"{name}.wav"

    def missing(self, names: Sequence[str], lang: str) -> list[str]:
        """The clips a sentence needs that are not recorded (empty: clips can speak it)."""
        return [name for name in dict.fromkeys(names) if not self.clip_path(name, lang).is_file()]

    def build(self, names: Sequence[str], lang: str) -> Path | None:
        """The clips joined with a short pause, or None when one is missing or
        unreadable or the clips differ in format (then TTS speaks instead)."""
        if not names or self.missing(names, lang):
            return None
        paths = [self.clip_path(name, lang) for name in names]
        # Re-recording a clip changes its size or mtime, and so the cache entry.
        stamp = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths]
        target = self.cache_dir / f"clips-{lang}-{_cache_name(str(self.gap_ms), *stamp)}.wav"
        if target.is_file() and wav_duration_ms(target) > 0:
            return target
        fmt: WavFormat | None = None
        pieces: list[bytes] = []
        try:
            for path in paths:
                with wave.open(str(path), "rb") as wav:
                    this = WavFormat(wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                    if wav.getcomptype() != "NONE" or (fmt is not None and this != fmt):
                        log.warning("voice clip %s differs in format; using TTS", path)
                        return None
                    fmt = this
                    pieces.append(wav.readframes(wav.getnframes()))
        except (OSError, wave.Error, EOFError) as exc:
            log.warning("voice clip unreadable (%s); using TTS", exc)
            return None
        assert fmt is not None
        silent_byte = b"\x80" if fmt.sample_width == 1 else b"\x00"  # 8-bit PCM is unsigned
        gap_frames = fmt.frame_rate * self.gap_ms // 1000
        gap = silent_byte * (gap_frames * fmt.sample_width * fmt.channels)
        _write_wav_atomically(target, gap.join(pieces), fmt)
        return target


# --- playback ---------------------------------------------------------------------


class Player(Protocol):
    """The audio-device boundary: plays one WAV at a time."""

    def has_output(self) -> bool:
        """Whether there is a device to play on at all."""
        ...

    def play(self, path: Path, done: Callable[[str | None], None]) -> None:
        """Start playing `path`; call `done(None)` at its end or `done(reason)`
        on failure, exactly once, on the UI thread."""
        ...

    def stop(self) -> None:
        """Stop now; the pending `done` is not called."""
        ...


class QtPlayer(QObject):
    """QMediaPlayer + QAudioOutput. A watchdog ends any play that neither
    finishes nor fails in time, so the queue can never hang on the backend."""

    def __init__(self, parent: QObject | None = None, *, slack_ms: int = 4000) -> None:
        super().__init__(parent)
        self._slack_ms = slack_ms
        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(self._on_error)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(lambda: self._finish("playback timed out"))
        self._done: Callable[[str | None], None] | None = None

    def has_output(self) -> bool:
        return bool(QMediaDevices.audioOutputs())

    def play(self, path: Path, done: Callable[[str | None], None]) -> None:
        self.stop()
        self._done = done
        self._watchdog.start((wav_duration_ms(path) or 30_000) + self._slack_ms)
        # Clearing the source first makes the same file (the chime) play again.
        self._player.setSource(QUrl())
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()

    def stop(self) -> None:
        self._done = None
        self._watchdog.stop()
        self._player.stop()

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._finish(None)
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._finish("invalid media")

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            self._finish(message or error.name)

    def _finish(self, error: str | None) -> None:
        done, self._done = self._done, None
        self._watchdog.stop()
        if done is not None:
            done(error)


# --- the queue ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    path: Path
    duration_ms: int


@dataclass
class _Job:
    seq: int
    number: str
    counter: str
    parts: list[_Part] | None = None  # None while the worker prepares it


class Announcer(QObject):
    """Plays each call as chime + Indonesian (+ English), one after another,
    in call order, none dropped. `announce()` returns at once."""

    started = Signal(str)  # ticket number, when its chime begins
    finished = Signal(str)  # ticket number, when its last sound has ended
    statusChanged = Signal(str)  # see `status`
    _prepared = Signal(int, object, bool)  # from the worker: seq, parts, speech ok

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        enabled: bool = True,
        english: bool = False,
        synthesizer: VoiceSynthesizer | None = None,
        player: Player | None = None,
        chime: Path | None = DEFAULT_CHIME,
        clips_dir: Path | None = DEFAULT_CLIPS_DIR,
        cache_dir: Path | None = None,
        pace_silently: bool = True,
    ) -> None:
        """`enabled=False` (--no-sound): nothing is synthesised or played and
        no signal fires. `synthesizer`/`player` default to espeak-ng and
        QtPlayer. `pace_silently`: without audio, each sound still takes its
        length, so a called number stays highlighted as long as it would with
        sound; False advances at once."""
        super().__init__(parent)
        self._enabled = enabled
        self.english = english
        self._pace_silently = pace_silently
        self._jobs: deque[_Job] = deque()
        self._current: _Job | None = None
        self._remaining: list[_Part] = []
        self._seq = 0
        self._token = 0
        self._silent_reason: str | None = None
        self._speech_ok = True
        self._status = "ok" if enabled else "off"
        self._synth: VoiceSynthesizer | None = None
        self._clips: ClipLibrary | None = None
        self._player: Player | None = None
        self._chime: _Part | None = None
        self._pool: QThreadPool | None = None
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.setTimerType(Qt.TimerType.PreciseTimer)  # coarse may end 5% early
        self._silence.timeout.connect(self._on_silence_over)
        if not enabled:
            return
        cache = cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR
        self._synth = synthesizer if synthesizer is not None else EspeakSynthesizer(cache)
        if clips_dir is not None and clips_dir.is_dir():
            self._clips = ClipLibrary(clips_dir, cache)
        self._player = player if player is not None else QtPlayer(self)
        if chime is not None and (length := wav_duration_ms(chime)) > 0:
            self._chime = _Part(chime, length)
        elif chime is not None:
            log.warning("chime %s missing or unreadable: announcing without it", chime)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one engine; keeps preparation in call order
        self._prepared.connect(self._on_prepared, Qt.ConnectionType.QueuedConnection)

    @property
    def enabled(self) -> bool:
        """Fixed at construction (--no-sound); `close()` turns it off for good."""
        return self._enabled

    @property
    def has_chime(self) -> bool:
        """The chime file was read; False: calls are announced without it."""
        return self._chime is not None

    @property
    def status(self) -> str:
        """One of "off" (disabled), "silent" (no audio device), "chime_only"
        (no speech engine or clips) or "ok"; shown via i18n `voice.status.<status>`."""
        return self._status

    def pending(self) -> int:
        """Announcements not yet finished (the one playing included)."""
        return len(self._jobs) + (self._current is not None)

    def announce(self, number: str, counter_name: str | int) -> None:
        """Queue a call; returns at once (synthesis happens on a worker thread)."""
        if not self.enabled or self._pool is None:
            return
        self._seq += 1
        job = _Job(self._seq, number, str(counter_name))
        self._jobs.append(job)
        self._pool.start(lambda: self._prepare_in_worker(job.seq, job.number, job.counter))

    def close(self) -> None:
        """Drop what is queued, stop the sound and wait for the worker: call
        before the window goes away."""
        self._enabled = False
        self._jobs.clear()
        self._current = None
        self._remaining = []
        self._token += 1
        self._silence.stop()
        if self._player is not None:
            self._player.stop()
        if self._pool is not None:
            self._pool.clear()
            self._pool.waitForDone()

    # -- worker thread ---------------------------------------------------------------

    def _prepare_in_worker(self, seq: int, number: str, counter: str) -> None:
        parts: list[_Part] = [self._chime] if self._chime is not None else []
        speech_ok = True
        for lang in ("id", "en") if self.english else ("id",):
            try:
                path = self._speech(number, counter, lang)
            except Exception:
                log.exception("could not prepare the %s announcement of %s", lang, number)
                path = None
            if path is None:
                speech_ok = False
            else:
                parts.append(_Part(path, wav_duration_ms(path)))
        with contextlib.suppress(RuntimeError):  # the announcer was deleted meanwhile
            self._prepared.emit(seq, parts, speech_ok)

    def _speech(self, number: str, counter: str, lang: str) -> Path | None:
        try:
            text = announcement_text(number, counter, lang)
            names = announcement_clips(number, counter, lang)
        except ValueError as exc:
            log.warning("cannot announce %r at %r: %s", number, counter, exc)
            return None
        if self._clips is not None and (joined := self._clips.build(names, lang)) is not None:
            return joined
        if self._synth is None:
            return None
        return self._synth.synthesize(text, lang)

    # -- UI thread -----------------------------------------------------------------

    def _on_prepared(self, seq: int, parts: list[_Part], speech_ok: bool) -> None:
        for job in self._jobs:
            if job.seq == seq:
                job.parts = parts
                break
        else:
            return  # closed meanwhile
        self._speech_ok = speech_ok
        self._update_status()
        self._pump()

    def _pump(self) -> None:
        if self._current is not None or not self._jobs or self._jobs[0].parts is None:
            return  # busy, idle, or the next call is still being prepared
        job = self._jobs.popleft()
        self._current = job
        self._remaining = list(job.parts or [])
        self.started.emit(job.number)
        self._play_next()

    def _play_next(self) -> None:
        job = self._current
        if job is None:
            return
        if not self._remaining:
            self._current = None
            self.finished.emit(job.number)
            QTimer.singleShot(0, self, self._pump)
            return
        part = self._remaining.pop(0)
        self._token += 1
        token = self._token
        player = self._player
        if player is not None and self._audio_ready(player):
            player.play(part.path, lambda error: self._on_part_done(token, error))
        else:
            self._silence.start(part.duration_ms if self._pace_silently else 0)

    def check_output(self) -> None:
        """Say at start, once, when there is no audio device (the status and
        its warning), instead of at the first call."""
        if self._enabled and self._player is not None:
            self._audio_ready(self._player)

    def _audio_ready(self, player: Player) -> bool:
        if player.has_output():
            return True
        self._go_silent("no audio output device")
        return False

    def _on_part_done(self, token: int, error: str | None) -> None:
        if token != self._token or self._current is None:
            return  # a late or repeated report about a sound already over
        self._token += 1
        if error is None:
            if self._silent_reason is not None:
                self._sound_back()
        else:
            self._go_silent(error)
        # Via the event loop: a player reporting inside play() cannot recurse.
        QTimer.singleShot(0, self, self._play_next)

    def _on_silence_over(self) -> None:
        if self._current is None:
            return
        self._token += 1
        self._play_next()

    def _go_silent(self, reason: str) -> None:
        if self._silent_reason is None:
            log.warning("%s (%s)", SILENT_WARNING, reason)
            self._silent_reason = reason
            self._update_status()

    def _sound_back(self) -> None:
        log.info("audio works again: announcements are audible")
        self._silent_reason = None
        self._update_status()

    def _update_status(self) -> None:
        if not self._enabled:
            status = "off"
        elif self._silent_reason is not None:
            status = "silent"
        elif not self._speech_ok:
            status = "chime_only"
        else:
            status = "ok"
        if status != self._status:
            self._status = status
            self.statusChanged.emit(status)


__all__ = [
    "DEFAULT_CHIME",
    "DEFAULT_CLIPS_DIR",
    "SILENT_WARNING",
    "Announcer",
    "ClipLibrary",
    "EspeakSynthesizer",
    "Player",
    "QtPlayer",
    "VoiceSynthesizer",
    "WavFormat",
    "wav_duration_ms",
]


def _selftest() -> None:  # pragma: no cover - manual check: python -m display.voice
    synth = EspeakSynthesizer()
    start = time.monotonic()
    path = synth.synthesize(announcement_text("A012", "3", "id"), "id")
    print(path, synth.backend, f"{time.monotonic() - start:.2f}s")


if __name__ == "__main__":  # pragma: no cover
    _selftest()
