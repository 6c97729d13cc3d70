"""`timbre-rt eval`: the command line of the evaluation (wired in by timbre_rt.cli)."""

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from ..audio import AudioFileError
from .errors import EvaluationError
from .report import EvalReport, summary_rows

DESCRIPTION = """\
Evaluate an exported continuous timbre model (a .ts file with encode, decode
and posterior) on a folder of held-out audio (every format libsndfile reads: .wav, .flac,
.ogg, .mp3, .aiff, ...; searched recursively; mixed to mono and resampled to
the model's rate):

  - reconstruction: multi-scale mel and multi-resolution STFT distances of
    decode(encode(x)) to x, next to the Griffin-Lim floor (phase-less
    inversion of the model's own mel spectrogram) and to loudness-matched
    noise (the mel distance of no resemblance); output level over input level;
  - pitch kept: share of the input's voiced pYIN frames whose pitch the output
    keeps within 50 cents (pitch.png: f0 in vs out);
  - checks: the strongest tone the model outputs on silence (dBFS) and its
    realtime factor at buffers 512 and 2048 on one thread;
  - loudness invariance: R^2 of frame loudness predicted from z by a ridge
    regression and a small MLP, fitted and scored on different files;
  - latent statistics: KL to N(0, 1) per dimension, active dimensions.

Writes report.json, report.md, latents.png and pitch.png into --out. Unreadable files
are skipped and listed.
"""

EPILOG = """\
example:
  timbre-rt eval models/continuous.ts --data data/gm/held_out --out eval/continuous
  timbre-rt eval models/continuous.ts --data data/gm/held_out --compare models/no_adv.ts
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="continuous model file (.ts)")
    parser.add_argument("--data", required=True, metavar="DIR", help="folder of held-out audio files")
    parser.add_argument("--out", metavar="DIR", help="folder for the report (default: eval/<model file stem>)")
    parser.add_argument(
        "--compare",
        metavar="MODEL",
        help="a second model file (e.g. the ablation without the adversarial "
        "term), evaluated on the same audio; adds a comparison table",
    )
    parser.add_argument("--max-files", type=int, metavar="N", help="evaluate the first N files only (sorted by path)")
    parser.add_argument("--seconds-limit", type=float, metavar="S", help="stop after S seconds of audio in total")
    parser.add_argument(
        "--griffin-lim-iters",
        type=int,
        default=32,
        metavar="N",
        help="Griffin-Lim iterations of the floor (default: 32)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of Griffin-Lim's initial phase and the MLP probe (default: 0)"
    )
    parser.add_argument(
        "--no-pitch", action="store_true", help="skip pitch kept (pYIN on input and output: the slow part)"
    )
    parser.add_argument("--no-checks", action="store_true", help="skip the tone-on-silence and realtime-factor checks")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the `eval` subcommand on `subparsers` (from add_subparsers()).

    Sets `handler=run` as the other subcommands do."""
    p = subparsers.add_parser(
        "eval",
        help="evaluate a continuous model on held-out audio (writes report.json, .md, .png)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    p.set_defaults(handler=run)
    return p


def format_summary(report: EvalReport) -> str:
    rows: List = [("model", report.model)] + summary_rows(report)
    if report.comparison is not None:
        rows += [("compared with", report.comparison.model)]
        rows += [(f"  {k}", v) for k, v in summary_rows(report.comparison)[1:-1]]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> int:
    """Run the evaluation for parsed arguments; 0 on success, 2 on a usage error."""
    from .run import evaluate  # imported here: `--help` should not load torch models

    out = args.out or str(Path("eval") / Path(args.model).stem)

    def log(line: str) -> None:
        print(f"timbre-rt eval: {line}", file=sys.stderr)

    try:
        report = evaluate(
            args.model,
            args.data,
            out,
            max_files=args.max_files,
            seconds_limit=args.seconds_limit,
            compare=args.compare,
            griffin_lim_iters=args.griffin_lim_iters,
            seed=args.seed,
            progress=not args.no_progress,
            log=log,
            pitch=not args.no_pitch,
            quality=not args.no_checks,
        )
    except (EvaluationError, AudioFileError, OSError) as e:
        print(f"timbre-rt eval: error: {e}", file=sys.stderr)
        return 1  # a failure; 2 is for a bad command line
    print(format_summary(report))
    for path in report.outputs.values():  # skipped files were logged as they came
        print(f"wrote {path}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """`python -m timbre_rt.evaluate MODEL --data DIR ...`"""
    parser = argparse.ArgumentParser(
        prog="python -m timbre_rt.evaluate",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
