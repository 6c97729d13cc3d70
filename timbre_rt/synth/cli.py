"""`timbre-rt codebook` and `timbre-rt synth`: look at a discrete model's codes, play descriptors."""

import argparse
import contextlib
import json
import math
import sys
from pathlib import Path
from typing import Dict, Iterator

from ..errors import UsageError
from ..io import check_outputs, write_text
from ..validate import MAX_RATE, MAX_SECONDS, check_duration, check_rate

__all__ = ["add_parsers", "run_codebook", "run_synth"]

RATE_HELP = f"sampling rate of the written WAV, resampled with soxr (default: the model's; at most {MAX_RATE})"

CODEBOOK_EPILOG = """\
examples:
  timbre-rt codebook models/discrete.ts --out codebook/
  timbre-rt codebook models/discrete.ts --out codebook/ --data data/gm/held_out --max-files 20
Writes descriptors.csv / .json (one row per code), traversal.wav (every code held in
order of spectral centroid; at --rate HZ if given) and traversal.png; with --data also
eval.json: reconstruction distance, codebook usage and perplexity, level invariance of
the codes, synthesis error.
"""

SYNTH_EPILOG = """\
examples:
  timbre-rt synth models/discrete.ts --target curves.csv --out synth.wav
  timbre-rt synth models/discrete.ts --like other_sound.wav --out synth.wav
  timbre-rt synth models/discrete.ts --target curves.json --weight f0=3 --smoothness 0.5 --out s.wav
A target file has a `time` column (seconds, increasing) and any of the model's descriptors
(natural units, see `timbre-rt codebook`): centroid, bandwidth, rolloff (Hz), flatness,
loudness (dB, sets the gain), f0 (Hz), f0_confidence. Example CSV:
  time,centroid,loudness
  0,500,-30
  3,4000,-15
Prints target vs achieved error per descriptor and writes it next to --out (.json),
with a plot (.png): target and achieved curve per descriptor, codes, gain, spectrogram.
"""


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "codebook",
        help="a discrete model's code descriptors, traversal audio and plot",
        epilog=CODEBOOK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=Path, help="discrete model file (.ts)")
    p.add_argument("--out", required=True, type=Path, help="folder to write into")
    p.add_argument("--hold", type=float, default=0.25, help="seconds per code in the traversal (0.25)")
    p.add_argument("--data", type=Path, help="held-out audio folder: also evaluate (eval.json)")
    p.add_argument("--max-files", type=int, default=None, help="evaluate the first N files only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    # A string: a bad value is then one line of ours (exit 2), not argparse's usage block.
    p.add_argument("--rate", metavar="HZ", help=RATE_HELP)
    p.set_defaults(handler=run_codebook)

    p = sub.add_parser(
        "synth",
        help="descriptor-based synthesis with a discrete model",
        epilog=SYNTH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=Path, help="discrete model file (.ts)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--target", type=Path, help="target curves (.csv or .json)")
    source.add_argument("--like", type=Path, help="a sound whose descriptor curves to imitate")
    p.add_argument("--out", required=True, type=Path, help="WAV file to write")
    p.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="NAME=W",
        help="weight of a descriptor in the code choice (default 1); repeatable",
    )
    p.add_argument(
        "--smoothness",
        type=float,
        default=0.2,
        help="cost of changing code (Viterbi); 0 = nearest code per frame (0.2)",
    )
    p.add_argument(
        "--gain-db", type=float, default=-20.0, help="frame level in dB RMS when there is no loudness curve (-20)"
    )
    p.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="output length (default: the last target time, or the --like sound's)",
    )
    p.add_argument("--rate", metavar="HZ", help=RATE_HELP)
    p.add_argument("--no-plot", action="store_true", help="do not write the PNG plot")
    p.set_defaults(handler=run_synth)


def _load(path: Path):
    from ..generate.model import load_model
    from ..models.discrete.table import CodeTable

    model = load_model(path).module  # ModelError naming the file, as every command
    return model, CodeTable.from_model(model)


@contextlib.contextmanager
def _model_calls(path: Path) -> Iterator[None]:
    """The model's own exceptions (a 15-line TorchScript trace) -> one line naming the file."""
    from .._core import ModelError
    from ..errors import last_line

    try:
        yield
    except (ModelError, ValueError):
        raise
    except RuntimeError as e:
        raise ModelError(f"model file '{path}': {last_line(e)}") from None


def _weights(items) -> Dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            weight = float(value) if sep else -1.0
        except ValueError:
            weight = -1.0
        if not name.strip() or not (weight >= 0 and math.isfinite(weight)):
            raise UsageError(f"--weight {item!r}: expected NAME=W with W >= 0")
        out[name.strip()] = weight
    return out


def _write_at_rate(path: Path, audio, model_rate: int, rate):
    """Write audio [T] at model_rate as a WAV at `rate` (None: the model's), resampled
    with soxr to round(T * rate / model_rate) samples; returns (path, written samples)."""
    from ..audio import WavWriter

    with WavWriter(path, rate or model_rate, input_rate=model_rate) as out:
        out.write(audio, last=True)
    return path, out.frames


def run_codebook(args) -> int:
    from .codebook import plot_traversal, traversal, write_table

    rate = None if args.rate is None else check_rate(args.rate)
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a file; give a folder to write into")
    if args.max_files is not None and args.max_files < 1:
        raise UsageError(f"--max-files: must be at least 1, got {args.max_files}")
    hold = check_duration(args.hold, "--hold", usage=True)
    outputs = [
        args.out / n for n in ("descriptors.csv", "descriptors.json", "traversal.wav", "traversal.png", "eval.json")
    ]
    check_outputs(outputs, [args.model])
    model, table = _load(args.model)
    if hold * table.codes > MAX_SECONDS:
        raise UsageError(
            f"--hold: {table.codes} codes of {hold:g} s make {hold * table.codes:g} s "
            f"of traversal, past the limit of {MAX_SECONDS:g} s"
        )
    csv_path, _ = write_table(table, args.out)
    with _model_calls(args.model):
        audio, order = traversal(model, table, hold)
    _check_audio(audio, args.model)
    wav, _ = _write_at_rate(args.out / "traversal.wav", audio, table.framing.sampling_rate, rate)
    png = plot_traversal(table, audio, order, args.out / "traversal.png")
    print(
        f"wrote {csv_path} ({table.codes} codes), {wav} "
        f"({len(audio) / table.framing.sampling_rate:.1f} s at "
        f"{rate or table.framing.sampling_rate} Hz), {png}"
    )
    if args.data is not None:
        from ..evaluate.discrete import evaluate_discrete

        with _model_calls(args.model):
            report = evaluate_discrete(model, args.data, args.max_files, progress=not args.no_progress)
        for name, why in report.skipped.items():
            print(f"skipped {name}: {why}", file=sys.stderr)
        path = args.out / "eval.json"
        write_text(path, json.dumps(report.to_dict(), indent=2))
        print(json.dumps({k: v for k, v in report.to_dict().items() if k != "synthesis_files"}, indent=1))
        print(f"wrote {path}")
    return 0


def _check_audio(audio, model: Path) -> None:
    """The engine's output check, offline: a NaN or exploding model is an error, not a WAV."""
    import numpy as np

    from .._core import ModelError

    if not np.all(np.isfinite(audio)):
        raise ModelError(f"model file '{model}': decode returned NaN or inf")


def run_synth(args) -> int:
    from .offline import render_targets
    from .targets import read_targets, targets_like

    weights = _weights(args.weight)
    if not (math.isfinite(args.smoothness) and args.smoothness >= 0):
        raise UsageError(f"--smoothness: must be a finite number >= 0, got {args.smoothness}")
    if not -200 <= args.gain_db <= 0:  # dB RMS of the frames: above 0 only clips
        raise UsageError(f"--gain-db: must be between -200 and 0 dB, got {args.gain_db}")
    seconds = None if args.seconds is None else check_duration(args.seconds, "--seconds", usage=True)
    rate = None if args.rate is None else check_rate(args.rate)
    json_path = args.out.with_suffix(".json")
    png_path = None if args.no_plot else args.out.with_suffix(".png")
    check_outputs([args.out, json_path, png_path], [args.model, args.target, args.like])
    model, table = _load(args.model)
    for name in weights:
        try:
            table.index(name)
        except ValueError as e:  # a --weight naming no descriptor of this model
            raise UsageError(f"--weight {name}: {e}") from None
    if args.target is not None:
        targets = read_targets(args.target, table.names)
    else:
        from ..audio import load_audio

        if not args.like.is_file():
            raise ValueError(f"{args.like}: no such file")
        audio = load_audio(args.like, table.framing.sampling_rate)
        if len(audio) < table.framing.window:
            raise ValueError(f"{args.like}: shorter than one analysis window")
        targets = targets_like(audio, table.framing)
        seconds = seconds or check_duration(len(audio) / table.framing.sampling_rate, str(args.like))
    with _model_calls(args.model):
        result = render_targets(
            model, targets, weights=weights, smoothness=args.smoothness, gain_db=args.gain_db, seconds=seconds
        )
    _check_audio(result.audio, args.model)
    wav, samples = _write_at_rate(args.out, result.audio, result.sampling_rate, rate)
    report = {
        "model": str(args.model),
        "target": str(args.target or args.like),
        "seconds": len(result.audio) / result.sampling_rate,
        "sampling_rate": rate or result.sampling_rate,
        "samples": samples,
        "code_changes": int((result.codes[1:] != result.codes[:-1]).sum()),
        "codes_used": int(len(set(result.codes.tolist()))),
        "errors": result.errors,
    }
    write_text(json_path, json.dumps(report, indent=2))
    print(f"{'descriptor':<14} {'mae':>10} {'mae (std units)':>16} {'frames':>7}")
    for name, e in result.errors.items():
        print(f"{name:<14} {e['mae']:>10.4g} {e['mae_standard']:>16.3f} {e['frames']:>7}")
    print(
        f"wrote {wav} ({report['seconds']:.2f} s at {report['sampling_rate']} Hz, "
        f"{report['code_changes']} code changes), {json_path}"
    )
    if png_path is not None:
        from ..generate.spectrogram import file_spectrogram
        from .plot import plot_synth

        print(f"wrote {plot_synth(targets, result, file_spectrogram(wav), png_path)}")
    return 0
