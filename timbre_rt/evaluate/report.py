"""The evaluation's results: a dataclass, its JSON and markdown files, a PNG of latents."""

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .latent_stats import LatentStats
from .quality import Quality, quality_rows
from .probe import ProbeResult

JSON_NAME = "report.json"
MARKDOWN_NAME = "report.md"
PNG_NAME = "latents.png"
COMPARE_PNG_NAME = "latents_compare.png"


@dataclass
class FileResult:
    """Distances for one file (lower is better)."""

    name: str
    seconds: float
    mel_distance: float
    stft_distance: float
    griffin_lim_mel_distance: float
    griffin_lim_stft_distance: float
    noise_mel_distance: float = float("nan")  # loudness-matched noise vs x
    level_db: float = float("nan")  # output RMS / input RMS
    voiced_frames: int = 0  # pYIN frames where x has a pitch
    pitch_kept_frames: int = 0  # of those, output within 50 cents


@dataclass
class EvalReport:
    """Everything one evaluation measured. Distances are averages over the
    files weighted by duration: multi-scale mel L1 of log10 mels and
    multi-resolution STFT (log-magnitude L1 + spectral convergence)."""

    model: str
    data_dir: str
    files: List[str]  # evaluated, relative to data_dir
    skipped: Dict[str, str]  # file -> why it could not be read
    seconds: float  # audio evaluated
    sampling_rate: int
    latency: int  # samples removed before comparing (encode + decode latency)
    mel_distance: float  # decode(encode(x)) vs x
    stft_distance: float
    griffin_lim_mel_distance: float  # Griffin-Lim of the model's mels vs x: the floor
    griffin_lim_stft_distance: float
    griffin_lim_iters: int
    probe: ProbeResult  # loudness from z, R^2 on held-out files
    latent: LatentStats  # KL per dim, active dims / units
    per_file: List[FileResult]
    elapsed: float  # seconds
    comparison: Optional["EvalReport"] = None  # the --compare model, same files
    noise_mel_distance: float = float("nan")  # loudness-matched noise vs x: "no resemblance"
    level_db: float = float("nan")  # output over input level, duration-weighted
    voiced_frames: int = 0  # pitch kept: pYIN frames where the input is voiced ...
    pitch_kept_frames: int = 0  # ... and the output voiced within 50 cents (0, 0: not measured)
    quality: Optional[Quality] = None  # tone on silence, realtime factors
    outputs: Dict[str, str] = field(default_factory=dict)  # json / markdown / png paths

    @property
    def mel_noise_ratio(self) -> float:
        """Mel distance over the loudness-matched noise's: 1 = no better than noise."""
        return self.mel_distance / self.noise_mel_distance

    @property
    def pitch_kept(self) -> float:
        """Share of the input's voiced frames whose pitch the output keeps (nan: none)."""
        return self.pitch_kept_frames / self.voiced_frames if self.voiced_frames else float("nan")

    def to_dict(self) -> Dict:
        """JSON-ready: NaN and inf become None."""
        d = asdict(self)
        d.update(mel_noise_ratio=self.mel_noise_ratio, pitch_kept=self.pitch_kept)
        return _finite(d)


@dataclass
class PlotTrack:
    """What the PNG shows for one file (first seconds only)."""

    name: str
    frame_rate: float  # latent frames per second
    z: np.ndarray  # [D, N]
    loudness: np.ndarray  # [N] dB
    mel_rate: float  # mel frames per second
    mel_original: np.ndarray  # [n_mels, M] log10 mel power
    mel_reconstruction: np.ndarray  # [n_mels, M]


def _finite(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _f(v: float, digits: int = 4) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def summary_rows(r: EvalReport) -> List[Tuple[str, str]]:
    """(metric, value) pairs for the console and markdown summaries."""
    return (
        [
            ("files", f"{len(r.files)} ({len(r.skipped)} skipped), {r.seconds:.1f} s at {r.sampling_rate} Hz"),
            ("mel distance (recon / Griffin-Lim)", f"{_f(r.mel_distance)} / {_f(r.griffin_lim_mel_distance)}"),
            ("STFT distance (recon / Griffin-Lim)", f"{_f(r.stft_distance)} / {_f(r.griffin_lim_stft_distance)}"),
            ("pitch kept (voiced frames within 50 cents)", f"{_f(100 * r.pitch_kept, 1)} % of {r.voiced_frames}"),
            (
                "mel distance / loudness-matched noise's",
                f"{_f(r.mel_noise_ratio, 3)} (noise {_f(r.noise_mel_distance)})",
            ),
            ("output level - input level", f"{_f(r.level_db, 1)} dB"),
            ("loudness probe R² (linear / MLP)", f"{_f(r.probe.r2_linear, 3)} / {_f(r.probe.r2_mlp, 3)}"),
            ("KL total (nats/frame)", _f(r.latent.kl_total, 3)),
            (
                "active dims (KL > 0.01 / Var > 0.01)",
                f"{r.latent.active_dims} / {r.latent.active_units} of {len(r.latent.kl_per_dim)}",
            ),
        ]
        + (quality_rows(r.quality) if r.quality is not None else [])
        + [
            ("elapsed", f"{r.elapsed:.1f} s"),
        ]
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _quality(r: EvalReport, key: str) -> float:
    q = r.quality
    if q is None:
        return float("nan")
    return q.silence_tone_dbfs if key == "silence_tone_dbfs" else q.realtime.get(key, float("nan"))


COMPARED = [
    # (label, value of a report, lower is better?)
    ("pitch kept", lambda r: r.pitch_kept, False),
    ("mel distance / noise's", lambda r: r.mel_noise_ratio, True),
    ("mel distance", lambda r: r.mel_distance, True),
    ("STFT distance", lambda r: r.stft_distance, True),
    ("Griffin-Lim mel distance (floor)", lambda r: r.griffin_lim_mel_distance, True),
    ("loudness probe R² linear", lambda r: r.probe.r2_linear, True),
    ("loudness probe R² MLP", lambda r: r.probe.r2_mlp, True),
    ("tone on silence (dBFS)", lambda r: _quality(r, "silence_tone_dbfs"), True),
    ("realtime factor, buffer 512", lambda r: _quality(r, "512"), False),
    ("realtime factor, buffer 2048", lambda r: _quality(r, "2048"), False),
    ("output level - input level (dB)", lambda r: r.level_db, None),
    ("KL total (nats/frame)", lambda r: r.latent.kl_total, None),
    ("active dims (KL)", lambda r: r.latent.active_dims, None),
    ("active units (Var)", lambda r: r.latent.active_units, None),
]


def format_markdown(r: EvalReport) -> str:
    name = Path(r.model).name
    out = [f"# Evaluation of `{name}`", ""]
    out += [
        f"- model: `{r.model}`",
        f"- data: `{r.data_dir}`",
        f"- latency removed before comparing: {r.latency} samples",
        "",
    ]
    out += _table(["metric", "value"], summary_rows(r)) + [""]

    verdict = "beats" if r.mel_distance < r.griffin_lim_mel_distance else "does NOT beat"
    out += ["## Reconstruction (lower is better)", ""]
    out += _table(
        ["", "multi-scale mel", "multi-resolution STFT"],
        [
            ["decode(encode(x))", _f(r.mel_distance), _f(r.stft_distance)],
            [
                f"Griffin-Lim of the model's mels ({r.griffin_lim_iters} iterations)",
                _f(r.griffin_lim_mel_distance),
                _f(r.griffin_lim_stft_distance),
            ],
        ],
    )
    out += ["", f"The decoder {verdict} the Griffin-Lim floor on the mel distance.", ""]

    p = r.probe
    out += [
        "## Loudness invariance probe",
        "",
        f"R² of frame loudness predicted from z, fitted on {p.train_files} file(s) "
        f"({p.train_frames} frames), scored on {p.test_files} other file(s) ({p.test_frames} "
        f"frames), split {p.split}; {p.silent_frames} silent frames excluded. "
        "Near 0 (or below): loudness is not recoverable from z.",
        "",
    ]
    out += _table(["probe", "R²"], [["ridge regression", _f(p.r2_linear, 3)], ["MLP 64-64", _f(p.r2_mlp, 3)]])
    out += ([""] + [f"Note: {p.note}"] if p.note else []) + [""]

    s = r.latent
    out += [
        "## Latent statistics",
        "",
        f"Over {s.frames} frames. KL of the posterior to N(0, 1) per frame (nats); "
        "Var = variance across frames of the posterior mean.",
        "",
    ]
    names = s.names or [f"z{i}" for i in range(len(s.kl_per_dim))]
    out += _table(
        ["dim", "KL", "Var(mean)", "active"],
        [
            [
                n,
                _f(k),
                _f(v),
                "yes"
                if k > s.kl_threshold and v > s.variance_threshold
                else ("KL only" if k > s.kl_threshold else ("Var only" if v > s.variance_threshold else "no")),
            ]
            for n, k, v in zip(names, s.kl_per_dim, s.mean_variance_per_dim)
        ],
    ) + [""]

    if r.comparison is not None:
        c = r.comparison
        out += ["## Comparison", "", f"A: `{r.model}`  B: `{c.model}` (same files)", ""]
        rows = []
        for label, get, lower in COMPARED:
            a, b = get(r), get(c)
            better = ""
            if lower is not None and math.isfinite(a) and math.isfinite(b) and a != b:
                better = "A" if (a < b) == lower else "B"
            show = str if isinstance(a, int) else _f
            rows.append([label, show(a), show(b), better])
        out += _table(["metric", "A", "B", "better"], rows) + [""]

    out += ["## Per file", ""]
    out += _table(
        ["file", "s", "mel", "STFT", "GL mel", "GL STFT", "noise mel", "level dB", "pitch kept"],
        [
            [
                f.name,
                f"{f.seconds:.1f}",
                _f(f.mel_distance),
                _f(f.stft_distance),
                _f(f.griffin_lim_mel_distance),
                _f(f.griffin_lim_stft_distance),
                _f(f.noise_mel_distance),
                _f(f.level_db, 1),
                f"{f.pitch_kept_frames}/{f.voiced_frames}" if f.voiced_frames else "-",
            ]
            for f in r.per_file
        ],
    ) + [""]
    if r.skipped:
        out += ["## Skipped files", ""] + [f"- `{n}`: {why}" for n, why in r.skipped.items()] + [""]
    if "pitch_png" in r.outputs:
        out += [f"![f0 in vs out]({Path(r.outputs['pitch_png']).name})", ""]
    if "png" in r.outputs:
        out += [f"![latent trajectories]({Path(r.outputs['png']).name})", ""]
    if r.comparison is not None and "png" in r.comparison.outputs:
        out += [f"![latent trajectories, B]({Path(r.comparison.outputs['png']).name})", ""]
    return "\n".join(out)


def plot_latents(tracks: Sequence[PlotTrack], path: Union[str, Path], title: str = "") -> Path:
    """One row per file: z dims and loudness over time, mel of the original, of the reconstruction."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    rows = max(1, len(tracks))
    fig, axes = plt.subplots(
        rows, 3, figsize=(16, 3.2 * rows), squeeze=False, gridspec_kw={"width_ratios": [1.4, 1, 1]}
    )
    for row, t in zip(axes, tracks):
        ax = row[0]
        time = np.arange(t.z.shape[1]) / t.frame_rate
        for d in range(t.z.shape[0]):
            ax.plot(time, t.z[d], linewidth=0.8)
        ax.set(title=f"{t.name}: z ({t.z.shape[0]} dims)", xlabel="s", ylabel="z")
        loud = ax.twinx()
        loud.plot(time, t.loudness, color="black", linewidth=1.2)
        loud.set_ylabel("loudness dB (black)")
        # Same colour scale for both mels so they compare by eye.
        lo, hi = np.percentile(t.mel_original, [1, 99.9]) if t.mel_original.size else (0, 1)
        for ax, mel, what in ((row[1], t.mel_original, "original"), (row[2], t.mel_reconstruction, "reconstruction")):
            ax.imshow(
                mel,
                origin="lower",
                aspect="auto",
                vmin=lo,
                vmax=hi,
                cmap="magma",
                extent=(0, mel.shape[1] / t.mel_rate, 0, mel.shape[0]),
            )
            ax.set(title=f"log10 mel, {what}", xlabel="s", ylabel="mel band")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_report(
    report: EvalReport,
    out_dir: Union[str, Path],
    tracks: Sequence[PlotTrack] = (),
    compare_tracks: Sequence[PlotTrack] = (),
) -> Dict[str, str]:
    """Write report.json, report.md and latents.png (+ latents_compare.png) into out_dir;
    fills report.outputs and returns it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if tracks:
        report.outputs["png"] = str(plot_latents(tracks, out_dir / PNG_NAME, Path(report.model).name))
    if report.comparison is not None and compare_tracks:
        report.comparison.outputs["png"] = str(
            plot_latents(compare_tracks, out_dir / COMPARE_PNG_NAME, Path(report.comparison.model).name)
        )
    report.outputs["json"] = str(out_dir / JSON_NAME)
    report.outputs["markdown"] = str(out_dir / MARKDOWN_NAME)
    Path(report.outputs["markdown"]).write_text(format_markdown(report) + "\n")
    with open(report.outputs["json"], "w") as f:
        json.dump(report.to_dict(), f, indent=2, allow_nan=False)
        f.write("\n")
    return report.outputs
