"""Synthetic test sounds (no downloads): deterministic, musical enough to listen to."""

from typing import Sequence

import numpy as np

# A short arpeggio (MIDI notes): C4 E4 G4 C5 B4 G4 D4 C4.
DEFAULT_NOTES = (60, 64, 67, 72, 71, 67, 62, 60)


def midi_to_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def harmonic_tones(
    rate: int,
    seconds: float = 4.0,
    notes: Sequence[int] = DEFAULT_NOTES,
    harmonics: int = 10,
    decay: float = 6.0,
    peak: float = 0.5,
) -> np.ndarray:
    """A sequence of decaying harmonic (plucked-string-like) tones -> float32 [T].

    The notes share `seconds` equally; each has `harmonics` partials with
    amplitude 1/k, higher partials decaying faster, a 5 ms attack (no click)
    and is scaled so the whole signal peaks at `peak`. Partials above Nyquist
    are left out.
    """
    total = int(round(seconds * rate))
    out = np.zeros(total, dtype=np.float64)
    if total == 0 or not notes:
        return out.astype(np.float32)
    length = total // len(notes)
    t = np.arange(length) / rate
    attack = np.minimum(1.0, t / 0.005)
    for i, note in enumerate(notes):
        f0 = midi_to_hz(note)
        tone = np.zeros(length)
        for k in range(1, harmonics + 1):
            if k * f0 >= rate / 2:
                break
            # Fixed per-partial phases keep it deterministic without sounding like a pulse.
            phase = 0.7 * k * k
            tone += np.sin(2 * np.pi * k * f0 * t + phase) * np.exp(-decay * k**0.5 * t) / k
        out[i * length : (i + 1) * length] = tone * attack
    top = np.abs(out).max()
    if top > 0:
        out *= peak / top
    return out.astype(np.float32)
