"""An evaluation set from sources the models never train on, written as WAV files.

- timgm6mb/: notes of a second General MIDI soundfont (TimGM6mb, Debian
  timgm6mb-soundfont, GPL-2: other samples than FluidR3's), off the semitone grid,
  with vibrato, glides and bends;
- speech/: espeak-ng sentences in several voices and languages (formant synthesis);
- synth/: inharmonic bells, noise bands, harmonic tones at quarter tones, a glide.

Nothing here is committed: `timbre-rt make-dataset --unseen --out DIR` makes it again.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List

import numpy as np

from ..audio import load_audio, write_wav
from .errors import DatasetError
from .gm_ranges import gm_range
from .performance import GESTURES, Performance, PerformanceRenderer
from .sources import report_skipped

__all__ = ["TIMGM6MB", "unseen_sounds", "write_unseen_set"]

TIMGM6MB = "/usr/share/sounds/sf2/TimGM6mb.sf2"
# Piano, harpsichord, vibraphone, church organ, steel guitar, fretless bass, viola,
# cello, choir, trombone, oboe, bassoon, flute, pan flute, sitar, shanai.
PROGRAMS = (0, 6, 11, 19, 25, 35, 41, 42, 52, 57, 68, 70, 73, 75, 104, 111)
SENTENCES = (
    ("en+m3", 35, "The quick brown fox jumps over the lazy dog."),
    ("en+f3", 60, "She sells sea shells by the sea shore."),
    ("en+m1", 20, "How much wood would a woodchuck chuck?"),
    ("de", 45, "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich."),
    ("fr", 50, "Portez ce vieux whisky au juge blond qui fume."),
    ("es", 70, "El veloz murciélago hindú comía feliz cardillo y kiwi."),
)
BELL_RATIOS = (0.5, 1.0, 1.19, 1.56, 2.0, 2.51, 2.66, 3.01, 4.1)


def _timgm_notes(rng: np.random.Generator) -> List[Performance]:
    notes = []
    for i, program in enumerate(PROGRAMS):
        lo, hi = gm_range(program)
        for j, key in enumerate((lo + (hi - lo) // 3, lo + 2 * (hi - lo) // 3)):
            gesture = GESTURES[(2 * i + j) % len(GESTURES)]
            notes.append(
                Performance(
                    f"timgm6mb/p{program:03d}_n{key:03d}_{gesture}.wav",
                    program,
                    (key,),
                    int(rng.choice((60, 100, 127))),
                    0.9,
                    0.3,
                    float(rng.uniform(-0.5, 0.5)),
                    gesture,
                    int(rng.integers(2**31)),
                )
            )
    return notes


def _speech(sampling_rate: int) -> Dict[str, np.ndarray]:
    if shutil.which("espeak-ng") is None:
        report_skipped("speech/", "espeak-ng is not installed (Debian package espeak-ng)")
        return {}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for voice, pitch, text in SENTENCES:
            wav = Path(tmp) / "s.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "140", "-w", str(wav), text],
                check=True,
                capture_output=True,
            )
            out[f"speech/{voice.replace('+', '_')}.wav"] = load_audio(wav, sampling_rate)
    return out


def _synthetic(sampling_rate: int, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    sr = sampling_rate
    t = np.arange(int(1.5 * sr)) / sr
    env = np.minimum(t / 0.01, 1.0) * np.minimum((t[-1] - t) / 0.05, 1.0)
    out = {}
    for f0 in (196.0, 415.3, 880.0):  # bells: inharmonic partials, each with its decay
        x = sum(
            np.exp(-t * (1.0 + 1.5 * r)) * np.sin(2 * np.pi * f0 * r * t + rng.uniform(0, 6)) / (1 + r)
            for r in BELL_RATIOS
        )
        out[f"synth/bell_{f0:.0f}hz.wav"] = x * np.minimum(t / 0.002, 1.0)
    for lo, hi in ((400.0, 800.0), (2000.0, 4000.0)):  # noise bands
        spec = np.fft.rfft(rng.standard_normal(len(t)))
        f = np.fft.rfftfreq(len(t), 1.0 / sr)
        out[f"synth/noise_{lo:.0f}_{hi:.0f}hz.wav"] = np.fft.irfft(spec * ((f >= lo) & (f <= hi)), len(t)) * env

    def harmonic(freq: np.ndarray) -> np.ndarray:  # 8 partials falling 6 dB/octave
        phase = 2 * np.pi * np.cumsum(freq) / sr
        return sum(np.sin(k * phase) / k for k in range(1, 9))

    for k in (1, 3, 5, 7, 9, 11):  # quarter tones between 220 and 440 Hz
        f0 = 220.0 * 2 ** (k / 24)
        out[f"synth/tone_{f0:.1f}hz.wav"] = harmonic(np.full(len(t), f0)) * env
    out["synth/glide_150_600hz.wav"] = harmonic(150.0 * 4.0 ** (t / t[-1])) * env
    out["synth/vibrato_330hz.wav"] = harmonic(330.0 * 2 ** (0.4 / 12 * np.sin(2 * np.pi * 5.5 * t))) * env
    return out


def unseen_sounds(sampling_rate: int = 24000, seed: int = 0, soundfont: str = TIMGM6MB) -> Dict[str, np.ndarray]:
    """name -> audio [T] float32 at sampling_rate, peak-normalised to -6 dBFS (speech, synth)
    or as rendered (soundfont notes)."""
    rng = np.random.default_rng(seed)
    sounds: Dict[str, np.ndarray] = {}
    if Path(soundfont).is_file():
        renderer = PerformanceRenderer(soundfont, sampling_rate)
        for perf in _timgm_notes(rng):
            sounds[perf.name] = renderer.render(perf)
    else:
        report_skipped(f"{soundfont}", "not found (Debian package timgm6mb-soundfont)")
    made = {**_speech(sampling_rate), **_synthetic(sampling_rate, rng)}
    sounds.update({n: 0.5 * x / np.abs(x).max() for n, x in made.items()})
    return {n: np.asarray(x, dtype=np.float32) for n, x in sounds.items()}


def write_unseen_set(out: Path, sampling_rate: int = 24000, seed: int = 0) -> List[Path]:
    """Write every unseen sound as OUT/<group>/<name>.wav; returns the paths."""
    out = Path(out)
    sounds = unseen_sounds(sampling_rate, seed)
    if not sounds:
        raise DatasetError("no unseen source available (TimGM6mb, espeak-ng)")
    paths = []
    for name, audio in sorted(sounds.items()):
        paths.append(write_wav(out / name, audio, sampling_rate))
    return paths
