"""Evaluation of an exported continuous timbre model.

`evaluate(model, data_dir, out_dir)` measures reconstruction (against the
Griffin-Lim floor), the loudness invariance of z and the latent statistics,
and writes report.json, report.md and latents.png. Run it with
`timbre-rt eval` or `python -m timbre_rt.evaluate` (see --help).

Needs only torch and numpy to import: soundfile, soxr (reading audio),
matplotlib (the PNG) and tqdm are imported when used. `spectral` is also the
training code's source of spectral losses.
"""
from .audio import AUDIO_EXTENSIONS, find_audio_files, load_audio
from .cli import add_parser  # its handler is cli.run (`run` here is the run.py module)
from .continuous import ContinuousModel, ModelOutputs
from .errors import EvaluationError
from .griffin_lim import MelParams, griffin_lim, griffin_lim_resynthesis, mel_power, mel_to_magnitude
from .latent_stats import LatentStats, LatentStatsAccumulator, gaussian_kl, latent_stats
from .probe import ProbeResult, loudness_probe, mlp_r2, r2_score, ridge_r2
from .report import EvalReport, FileResult, PlotTrack, format_markdown, plot_latents, write_report
from .run import evaluate
from .spectral import (
    MultiResolutionSTFTDistance,
    MultiScaleMelDistance,
    multiresolution_stft_distance,
    multiscale_mel_distance,
)

__all__ = [
    "AUDIO_EXTENSIONS",
    "ContinuousModel",
    "EvalReport",
    "EvaluationError",
    "FileResult",
    "LatentStats",
    "LatentStatsAccumulator",
    "MelParams",
    "ModelOutputs",
    "MultiResolutionSTFTDistance",
    "MultiScaleMelDistance",
    "PlotTrack",
    "ProbeResult",
    "add_parser",
    "evaluate",
    "find_audio_files",
    "format_markdown",
    "gaussian_kl",
    "griffin_lim",
    "griffin_lim_resynthesis",
    "latent_stats",
    "load_audio",
    "loudness_probe",
    "mel_power",
    "mel_to_magnitude",
    "mlp_r2",
    "multiresolution_stft_distance",
    "multiscale_mel_distance",
    "plot_latents",
    "r2_score",
    "ridge_r2",
    "write_report",
]
