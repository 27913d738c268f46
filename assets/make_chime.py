"""Generate `assets/chime.wav`: the two-tone "ding-dong" before every call.

Stdlib only, so the asset can be regenerated anywhere and its origin is clear
(no licence question about a downloaded sound). Run: `python assets/make_chime.py`.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

SAMPLE_RATE = 22050
DURATION_S = 1.2
# (start in seconds, fundamental in Hz): E5 then C5, the classic "ding-dong".
NOTES = ((0.0, 660.0), (0.42, 523.25))
# Partials of a soft bell: (frequency ratio, relative amplitude, decay rate 1/s).
PARTIALS = ((1.0, 1.0, 3.2), (2.0, 0.35, 5.5), (3.0, 0.12, 8.0))
ATTACK_S = 0.006
FADE_OUT_S = 0.08
PEAK = 0.6  # of full scale: audible over a waiting room, no clipping


def render() -> list[float]:
    """The chime as floats in -1..1."""
    count = int(SAMPLE_RATE * DURATION_S)
    samples = [0.0] * count
    for start_s, freq in NOTES:
        first = int(start_s * SAMPLE_RATE)
        for i in range(first, count):
            t = (i - first) / SAMPLE_RATE
            attack = min(1.0, t / ATTACK_S)
            value = 0.0
            for ratio, amplitude, decay in PARTIALS:
                value += amplitude * math.exp(-decay * t) * math.sin(2 * math.pi * freq * ratio * t)
            samples[i] += attack * value
    fade = int(FADE_OUT_S * SAMPLE_RATE)
    for k in range(fade):
        samples[count - 1 - k] *= k / fade
    peak = max(abs(s) for s in samples)
    return [s * PEAK / peak for s in samples]


def write(path: Path) -> None:
    """16-bit mono PCM WAV, the format every player and the clip joiner accept."""
    data = b"".join(struct.pack("<h", round(s * 32767)) for s in render())
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(data)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("chime.wav")
    write(target)
    print(f"wrote {target}")
