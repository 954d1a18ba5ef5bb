"""Write the in-cab cues: short, soft tones, made here from sine waves (no recording, so
no licence but the project's). Run again to change them: `python make_sounds.py`.

- tap.wav: one short high tone, "your tap is recorded" (an exception, the shift start);
- message.wav: two rising tones, "a message from your supervisor".
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATE = 22_050
FADE_S = 0.01


def tone(freq_hz: float, seconds: float, level: float = 0.5) -> list[int]:
    """A sine tone with short fades in and out (no click at either end)."""
    n = int(RATE * seconds)
    fade = int(RATE * FADE_S)
    out = []
    for i in range(n):
        envelope = min(1.0, i / fade, (n - 1 - i) / fade)
        out.append(int(32767 * level * envelope * math.sin(2 * math.pi * freq_hz * i / RATE)))
    return out


def write(name: str, samples: list[int]) -> None:
    with wave.open(str(HERE / name), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


if __name__ == "__main__":
    write("tap.wav", tone(1320.0, 0.09))
    write("message.wav", tone(880.0, 0.12) + [0] * int(RATE * 0.05) + tone(1175.0, 0.16))
