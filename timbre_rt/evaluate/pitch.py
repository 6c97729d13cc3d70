"""Pitch kept: pYIN f0 of the input and of the output, voiced frames within 50 cents.

pYIN (librosa) runs at PYIN_RATE with a 1024-sample frame: 55 Hz to 1.6 kHz, about
four times cheaper than at 24 kHz. A frame counts when the input is voiced there; it
is kept when the output is voiced too and its f0 is within `cents` of the input's.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple, Union

import numpy as np

from .errors import EvaluationError

PYIN_RATE = 12000
PYIN_FRAME = 1024
PYIN_HOP = 256  # 21 ms
FMIN, FMAX = 55.0, 1600.0
PLOT_NAME = "pitch.png"


@dataclass
class PitchTrack:
    """f0: [N] Hz (NaN where unvoiced), voiced: [N] bool."""

    f0: np.ndarray
    voiced: np.ndarray


@dataclass
class PitchScore:
    voiced_frames: int  # input frames with a pitch
    kept_frames: int  # of those, output voiced within `cents`
    cents: float

    @property
    def share(self) -> float:
        return self.kept_frames / self.voiced_frames if self.voiced_frames else float("nan")


def pitch_track(audio: np.ndarray, sampling_rate: int) -> PitchTrack:
    """audio: [T] at sampling_rate -> its pYIN track at PYIN_RATE / PYIN_HOP frames per second."""
    try:
        import librosa
        import soxr
    except ImportError as e:
        raise EvaluationError(f"pitch tracking needs librosa and soxr ({e})") from e
    x = np.asarray(audio, dtype=np.float32)
    if sampling_rate != PYIN_RATE:
        x = soxr.resample(x, sampling_rate, PYIN_RATE).astype(np.float32)
    if len(x) < PYIN_FRAME:
        x = np.pad(x, (0, PYIN_FRAME - len(x)))
    f0, voiced, _ = librosa.pyin(x, fmin=FMIN, fmax=FMAX, sr=PYIN_RATE, frame_length=PYIN_FRAME, hop_length=PYIN_HOP)
    return PitchTrack(f0.astype(np.float64), voiced.astype(bool) & np.isfinite(f0))


def cents_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|1200 log2(a / b)| elementwise (inf where either is not a positive number)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.abs(1200.0 * np.log2(a / b))
    return np.where(np.isfinite(c), c, np.inf)


def score_pitch(reference: PitchTrack, output: PitchTrack, cents: float = 50.0) -> PitchScore:
    """How many of the reference's voiced frames the output keeps within `cents`."""
    n = min(len(reference.f0), len(output.f0))
    ref_voiced = reference.voiced[:n]
    close = output.voiced[:n] & (cents_apart(output.f0[:n], reference.f0[:n]) <= cents)
    return PitchScore(int(ref_voiced.sum()), int((ref_voiced & close).sum()), cents)


def total_score(scores: Sequence[PitchScore]) -> PitchScore:
    cents = scores[0].cents if scores else 50.0
    return PitchScore(sum(s.voiced_frames for s in scores), sum(s.kept_frames for s in scores), cents)


def plot_pitch(pairs: List[Tuple[str, PitchTrack, PitchTrack]], path: Union[str, Path], title: str = "") -> Path:
    """f0 out against f0 in over every input-voiced frame (one colour per model), and the
    identity line; unvoiced output frames are drawn at the bottom edge."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6))
    ax.plot([FMIN, FMAX], [FMIN, FMAX], color="black", linewidth=0.8, label="out = in")
    for i, (label, ref, out) in enumerate(pairs):
        n = min(len(ref.f0), len(out.f0))
        v = ref.voiced[:n]
        y = np.where(out.voiced[:n], out.f0[:n], FMIN * 0.9)
        ax.scatter(ref.f0[:n][v], y[v], s=3, alpha=0.4, color=f"C{i}", label=label)
    ax.set(
        xscale="log",
        yscale="log",
        xlim=(FMIN * 0.85, FMAX),
        ylim=(FMIN * 0.85, FMAX),
        xlabel="f0 in (Hz)",
        ylabel="f0 out (Hz); bottom edge: unvoiced",
        title=title or "pYIN f0 in vs out",
    )
    ax.legend(loc="upper left", markerscale=4)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
