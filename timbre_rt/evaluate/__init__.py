"""Evaluation of exported timbre models.

`evaluate(model, data_dir, out_dir)` measures reconstruction (against the
Griffin-Lim floor), the loudness invariance of z and the latent statistics,
and writes report.json, report.md and latents.png. Run it with
`timbre-rt eval` or `python -m timbre_rt.evaluate` (see --help).
`evaluate_discrete(model, data_dir)` gives a discrete model's numbers
(`timbre-rt codebook --data`).

Audio files are read by timbre_rt.audio, the distances are timbre_rt.nn.loss
(the training losses). matplotlib (the PNG) and tqdm are imported when used.
"""

from .cli import add_parser  # its handler is cli.run (`run` here is the run.py module)
from .continuous import ContinuousModel, ModelOutputs
from .discrete import DiscreteEval, evaluate_discrete
from .errors import EvaluationError
from .griffin_lim import MelParams, griffin_lim, griffin_lim_resynthesis, mel_power, mel_to_magnitude
from .latent_stats import LatentStats, LatentStatsAccumulator, gaussian_kl, latent_stats
from .probe import ProbeResult, loudness_probe, mlp_r2, r2_score, ridge_r2
from .report import EvalReport, FileResult, PlotTrack, format_markdown, plot_latents, write_report
from .run import evaluate

__all__ = [
    "ContinuousModel",
    "DiscreteEval",
    "EvalReport",
    "EvaluationError",
    "FileResult",
    "LatentStats",
    "LatentStatsAccumulator",
    "MelParams",
    "ModelOutputs",
    "PlotTrack",
    "ProbeResult",
    "add_parser",
    "evaluate",
    "evaluate_discrete",
    "format_markdown",
    "gaussian_kl",
    "griffin_lim",
    "griffin_lim_resynthesis",
    "latent_stats",
    "loudness_probe",
    "mel_power",
    "mel_to_magnitude",
    "mlp_r2",
    "plot_latents",
    "r2_score",
    "ridge_r2",
    "write_report",
]
