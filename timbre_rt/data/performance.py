"""Played notes, not just held ones: every GM program at every semitone, detuned,
with vibrato, glides and bends, several velocities and lengths, chords and drums.

A `Performance` is one sound: a program (or the drum kit), one or more keys,
a fine detune, and a pitch gesture drawn by the pitch wheel while it sounds.
`performance_list(config)` draws the whole set from a seed, so the same config
always renders the same sounds.
"""

from dataclasses import asdict, dataclass
from typing import List, Tuple

import numpy as np

from .errors import DatasetError
from .gm_ranges import DRUM_NOTES, MELODIC_PROGRAMS, PERCUSSIVE_PROGRAMS, gm_range
from .soundfont import PathLike, open_synth, stereo_to_mono

__all__ = ["GESTURES", "Performance", "PerformanceConfig", "PerformanceRenderer", "performance_list", "pitch_curve"]

GESTURES = ("steady", "vibrato", "glide", "bend")
BEND_RANGE = 12.0  # semitones of the pitch wheel (a glide spans up to 7)
BLOCK = 64  # samples between pitch-wheel updates (2.7 ms at 24 kHz)
CHORDS = ((0, 4, 7), (0, 3, 7), (0, 4, 7, 11), (0, 3, 7, 10), (0, 5, 7), (0, 7, 12))


@dataclass
class PerformanceConfig:
    """What to draw. Probabilities of the gestures follow GESTURES' order."""

    programs: Tuple[int, ...] = MELODIC_PROGRAMS
    percussive: Tuple[int, ...] = PERCUSSIVE_PROGRAMS
    drums: bool = True
    chords_per_program: int = 2
    velocities: Tuple[int, ...] = (40, 70, 100, 127)
    holds: Tuple[float, ...] = (0.3, 0.8, 1.6)  # seconds held
    release: float = 0.4
    detune: float = 0.5  # fine tuning drawn uniformly in +-detune semitones
    gesture_weights: Tuple[float, ...] = (0.45, 0.3, 0.15, 0.1)
    sampling_rate: int = 24000
    seed: int = 0

    def __post_init__(self):
        if len(self.gesture_weights) != len(GESTURES) or min(self.gesture_weights) < 0:
            raise DatasetError(f"gesture_weights: {len(GESTURES)} weights >= 0 expected")
        if not self.holds or min(self.holds) <= 0 or self.release < 0:
            raise DatasetError("holds must be > 0 and release >= 0")

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Performance:
    name: str
    program: int  # -1: the drum kit
    keys: Tuple[int, ...]
    velocity: int
    hold: float
    release: float
    detune: float  # semitones
    gesture: str
    gesture_seed: int


def pitch_curve(gesture: str, n: int, rate: float, seed: int) -> np.ndarray:
    """Pitch offset in semitones at each of n control points (`rate` per second)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    if gesture == "steady":
        return np.zeros(n)
    if gesture == "vibrato":
        depth, freq, onset = rng.uniform(0.1, 0.6), rng.uniform(4.0, 7.0), rng.uniform(0.0, 0.3)
        ramp = np.clip((t - onset) / 0.2, 0.0, 1.0)
        return depth * ramp * np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi))
    if gesture == "glide":
        span = rng.choice([-1, 1]) * rng.uniform(1.0, 7.0)
        start, length = rng.uniform(0.0, 0.3), rng.uniform(0.1, 0.8)
        x = np.clip((t - start) / length, 0.0, 1.0)
        return span * (3 * x**2 - 2 * x**3)  # smooth start and end
    if gesture == "bend":
        depth, start, length = rng.uniform(0.5, 2.0), rng.uniform(0.05, 0.3), rng.uniform(0.2, 0.6)
        x = np.clip((t - start) / length, 0.0, 1.0)
        return depth * np.sin(np.pi * x)  # up and back
    raise DatasetError(f"unknown gesture {gesture!r}: expected one of {', '.join(GESTURES)}")


def performance_list(config: PerformanceConfig) -> List[Performance]:
    """Every sound of the set: melodic notes, chords, pitched percussion, drums."""
    rng = np.random.default_rng(config.seed)
    weights = np.asarray(config.gesture_weights, float) / sum(config.gesture_weights)
    out: List[Performance] = []

    def add(name, program, keys, gesture=None):
        g = gesture or GESTURES[rng.choice(len(GESTURES), p=weights)]
        out.append(
            Performance(
                name,
                program,
                tuple(int(k) for k in keys),
                int(rng.choice(config.velocities)),
                float(rng.choice(config.holds)),
                config.release,
                float(rng.uniform(-config.detune, config.detune)),
                g,
                int(rng.integers(2**31)),
            )
        )

    for p in config.programs:
        lo, hi = gm_range(p)
        for k in range(lo, hi + 1):
            add(f"p{p:03d}_n{k:03d}.wav", p, [k])
        for i in range(config.chords_per_program):
            shape = CHORDS[rng.integers(len(CHORDS))]
            root = int(rng.integers(lo, max(lo + 1, hi - shape[-1] + 1)))
            add(f"p{p:03d}_chord{i}.wav", p, [root + s for s in shape])
    for p in config.percussive:
        lo, hi = gm_range(p)
        for k in range(lo, hi + 1, 3):
            add(f"p{p:03d}_n{k:03d}.wav", p, [k], "steady")
    if config.drums:
        for k in DRUM_NOTES:
            add(f"drums_n{k:03d}.wav", -1, [k], "steady")
    return out


class PerformanceRenderer:
    """render(performance) -> [T] float32 mono, from a reset synth (no bleed)."""

    def __init__(self, soundfont: PathLike, sampling_rate: int):
        self.path, self.synth, self.sfid = open_synth(soundfont, sampling_rate)
        self.rate = sampling_rate
        self._flush = max(64, sampling_rate // 20)

    def render(self, perf: Performance) -> np.ndarray:
        synth = self.synth
        synth.soundfonts[self.sfid].reset()
        synth.generate(self._flush)
        drums = perf.program < 0
        try:
            synth.program_select(0, self.sfid, 0, 0 if drums else perf.program, is_drums=drums)
        except RuntimeError as e:
            raise DatasetError(f"{self.path}: {perf.name}: no preset: {e}") from e
        synth.pitchbend_range(0, BEND_RANGE)
        synth.set_tuning(0, perf.detune)
        hold, total = round(perf.hold * self.rate), round((perf.hold + perf.release) * self.rate)
        blocks = -(-total // BLOCK)
        curve = pitch_curve(perf.gesture, blocks, self.rate / BLOCK, perf.gesture_seed)
        wheel = np.clip(np.round(8192 + curve / BEND_RANGE * 8192), 0, 16383).astype(int)
        synth.pitchbend(0, int(wheel[0]))
        for k in perf.keys:
            synth.noteon(0, k, perf.velocity)
        parts = []
        for b in range(blocks):
            if b * BLOCK >= hold and (b - 1) * BLOCK < hold:
                for k in perf.keys:
                    synth.noteoff(0, k)
            if perf.gesture != "steady":
                synth.pitchbend(0, int(wheel[b]))
            parts.append(stereo_to_mono(synth.generate(BLOCK)))
        audio = np.concatenate(parts)[:total]
        synth.pitchbend(0, 8192)
        synth.set_tuning(0, 0.0)
        return audio
