"""`timbre-rt encode|deform|decode|morph|plane`: offline generation on the command line.

Wired into the main command by timbre_rt.cli (add_parsers). Handlers return 0
or raise: timbre_rt.errors.run_command turns the error into one line (exit 2 for
a bad command line, 1 for a bad input file or model). Outputs equal to an input
are refused before any work, and every output is renamed into place only once
it is complete (timbre_rt.io).
"""

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from ..errors import UsageError, as_usage
from ..io import check_outputs
from ..validate import MAX_RATE, check_duration, check_rate

if TYPE_CHECKING:
    from .spectrogram import Spectrogram

__all__ = ["add_parsers"]

RAW = argparse.RawDescriptionHelpFormatter

ENCODE_HELP = """\
Encode an audio file (any rate, mixed to mono) into a latent series file (.npz):
the frames [C, N] plus the model's sha256, rate, frame size and channel names.
Also writes a plot of the series next to it (OUT with .png).

examples:
  timbre-rt encode models/continuous.ts voice.wav -o voice.latent.npz   # + voice.latent.png
"""
DEFORM_HELP = """\
Apply a deform spec (YAML or JSON: a list of ops, in order) to a latent series.
Ops: offset, scale, curve, smooth, stretch, reverse, freeze, noise. Example spec:

  ops:
    - {op: offset, value: {z0: 0.5, z3: -1.0}}      # dims by name or index
    - {op: scale, value: 2.0, center: mean}          # every dim
    - {op: curve, dim: z2, points: [[0, 0], [1.5, 2], [3, 0]], mode: add}
    - {op: smooth, kind: one_pole, seconds: 0.05}    # or moving_average, frames: 5
    - {op: stretch, factor: 1.5}
    - {op: freeze, at: 1.0, start: 0.5, end: 2.0}
    - {op: noise, amount: 0.1, seed: 1}
    - {op: reverse}

examples:
  timbre-rt deform voice.latent.npz --spec deform.yaml -o out.npz      # + out.png (before/after)
"""
DECODE_HELP = """\
Decode a latent series to a 32-bit float WAV at the model's rate (or --rate), in
chunks (bounded memory). The model delay is removed: the output lines up with the
source the series was encoded from and has its length (or the stretched one).

examples:
  timbre-rt decode models/continuous.ts out.npz -o out.wav
  timbre-rt decode models/continuous.ts out.npz -o out48k.wav --rate 48000
"""
MORPH_HELP = """\
Time-linear interpolation: encode A and B, bring them to one length, mix the
latent frames from pure A (start) to pure B (end), decode. Writes the audio and
OUT.png (the mixed series and the result's spectrogram).

examples:
  timbre-rt morph models/continuous.ts a.wav b.wav -o a_to_b.wav
  timbre-rt morph models/continuous.ts a.wav b.wav -o x.wav --align stretch --curve cosine
  timbre-rt morph models/continuous.ts a.wav b.wav -o x.wav --curve 0:0,1:0,3:1   # seconds:weight
"""
PLANE_HELP = """\
Interpolation plane: anchor sounds A, B, C, D at the corners (0,0) (1,0) (0,1)
(1,1) of the unit square mix bilinearly at each position of a path; N anchors
at --positions mix by inverse distance. The path is a CSV (columns time,x,y,
seconds) or circle / line / figure-eight with --period seconds. Writes the
audio and OUT.plane.png (anchors, path and the result's spectrogram).

examples:
  timbre-rt plane models/continuous.ts a.wav b.wav c.wav d.wav --path path.csv -o plane.wav
  timbre-rt plane models/continuous.ts a.wav b.wav c.wav d.wav --path circle --period 4 \\
      --seconds 8 -o circle.wav
  timbre-rt plane models/continuous.ts a.wav b.wav c.wav --positions "0,0;1,0;0.5,1" \\
      --path figure-eight --seconds 6 -o tri.wav
"""


def _common(p: argparse.ArgumentParser, plot: bool = True, audio_out: bool = True) -> None:
    p.add_argument(
        "--chunk",
        type=int,
        default=1 << 16,
        metavar="SAMPLES",
        help="samples per model call (default 65536, rounded up to the block size)",
    )
    if audio_out:
        # A string: a bad value is then one line of ours (exit 2), not argparse's usage block.
        p.add_argument(
            "--rate",
            metavar="HZ",
            help=f"sampling rate of the written WAV, resampled with soxr (default: the model's; at most {MAX_RATE})",
        )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    if plot:
        p.add_argument("--no-plot", action="store_true", help="do not write the PNG plot")


def _png(out: Path, suffix: str = ".png") -> Path:
    return out.with_suffix(suffix) if out.suffix else Path(str(out) + suffix)


def _chunk(args) -> None:
    """Check the options every audio-writing command shares (before any work)."""
    if args.chunk < 1:
        raise UsageError(f"--chunk: must be a positive number of samples, got {args.chunk}")
    if getattr(args, "rate", None) is not None:
        args.rate = check_rate(args.rate)


def _plot_out(args, out: Optional[Path], suffix: str = ".png") -> Optional[Path]:
    return None if out is None or getattr(args, "no_plot", True) else _png(Path(out), suffix)


def _encode(args) -> int:
    from .codec import encode_file
    from .plots import plot_series

    if args.chunk < 1:
        raise UsageError(f"--chunk: must be a positive number of samples, got {args.chunk}")
    out = args.out or Path(args.audio).with_suffix(".latent.npz")
    check_outputs([out, _plot_out(args, out)], [args.model, args.audio])
    series = encode_file(args.model, args.audio, chunk=args.chunk, progress=not args.no_progress)
    out = series.save(out)
    print(f"wrote {out}: {series.latent.shape[0]} x {series.frames} frames, {series.seconds:.2f} s")
    if not args.no_plot:
        print(f"wrote {plot_series(series, _png(out))}")
    return 0


def _deform(args) -> int:
    from .plots import plot_series
    from .series import load_series
    from .spec import deform

    check_outputs([args.out, _plot_out(args, args.out)], [args.series, args.spec])
    before = load_series(args.series)
    after = deform(before, args.spec)
    out = after.save(args.out)
    print(f"wrote {out}: {len(after.history) - len(before.history)} ops, {after.frames} frames, {after.seconds:.2f} s")
    if not args.no_plot:
        print(f"wrote {plot_series(after, _png(out), before=before)}")
    return 0


def _decode(args) -> int:
    from .codec import decode_to_file
    from .series import load_series

    _chunk(args)
    check_outputs([args.out], [args.model, args.series])
    series = load_series(args.series)
    result = decode_to_file(
        args.model,
        series,
        args.out,
        chunk=args.chunk,
        any_model=args.any_model,
        progress=not args.no_progress,
        rate=args.rate,
    )
    print(f"wrote {result.path}: {result.seconds:.2f} s at {result.sampling_rate} Hz")
    return 0


def _finish(args, model, series, plot: Callable[[Path, "Spectrogram"], Path]) -> int:
    """Decode a generated series to args.out, and save / plot it (with the written
    audio's spectrogram) as asked."""
    from .codec import decode_to_file
    from .spectrogram import file_spectrogram

    result = decode_to_file(model, series, args.out, chunk=args.chunk, progress=not args.no_progress, rate=args.rate)
    print(f"wrote {result.path}: {result.seconds:.2f} s at {result.sampling_rate} Hz")
    if args.latent_out:
        print(f"wrote {series.save(args.latent_out)}")
    if not args.no_plot:
        print(f"wrote {plot(Path(args.out), file_spectrogram(result.path))}")
    return 0


def _morph(args) -> int:
    from .curves import CROSSFADES, parse_breakpoints
    from .model import load_model
    from .morph import morph_files
    from .plots import plot_series

    _chunk(args)
    check_outputs([args.out, args.latent_out, _plot_out(args, args.out)], [args.model, args.a, args.b])
    with as_usage():
        curve = args.curve if args.curve in CROSSFADES else parse_breakpoints(args.curve, "--curve")
    model = load_model(args.model)
    series = morph_files(
        model, args.a, args.b, align=args.align, curve=curve, chunk=args.chunk, progress=not args.no_progress
    )
    return _finish(args, model, series, lambda out, spec: plot_series(series, _png(out), spectrogram=spec))


def _point(text: str, what: str) -> tuple:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"{what}: must read 'x,y', got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise UsageError(f"{what}: x and y must be finite numbers, got {text!r}")
    return x, y


def _plane(args) -> int:
    from .model import load_model
    from .paths import PARAMETRIC, read_path_csv, trajectory_from
    from .plane import plane_files
    from .plots import plot_plane

    _chunk(args)
    check_outputs(
        [args.out, args.latent_out, _plot_out(args, args.out, ".plane.png")],
        [args.model, *args.anchors] + ([args.path] if Path(args.path).is_file() else []),
    )
    if args.seconds is not None:
        check_duration(args.seconds, "--seconds", usage=True)
    if args.radius is not None and not (math.isfinite(args.radius) and args.radius >= 0):
        raise UsageError(f"--radius: must be a finite number >= 0, got {args.radius}")
    shape = dict(
        radius=args.radius,
        center=_point(args.center, "--center") if args.center else None,
        start=_point(args.start, "--from") if args.start else None,
        end=_point(args.end, "--to") if args.end else None,
    )
    if Path(args.path).is_file() and args.path not in PARAMETRIC:
        path = read_path_csv(args.path)  # a bad CSV is a bad input file (exit 1)
    else:
        with as_usage():  # an unknown path name, a bad --period: the command line's fault
            path = trajectory_from(args.path, args.period, **shape)
    if path.duration is not None and args.seconds is None:  # before encoding the anchors
        check_duration(path.duration, f"{args.path}: time")
    positions = (
        [_point(p, f"--positions (anchor {i + 1})") for i, p in enumerate(args.positions.split(";"))]
        if args.positions
        else None
    )
    if len(args.anchors) < 2:
        raise UsageError("give at least 2 anchor sounds")
    if positions is None and len(args.anchors) != 4:
        raise UsageError(
            f"{len(args.anchors)} anchors need --positions (4 anchors default to the corners of the unit square)"
        )
    if positions is not None and len(positions) != len(args.anchors):
        raise UsageError(f"--positions: {len(positions)} positions for {len(args.anchors)} anchors")
    model = load_model(args.model)
    result = plane_files(
        model,
        args.anchors,
        path,
        seconds=args.seconds,
        positions=positions,
        anchor_mode=args.anchor_mode,
        chunk=args.chunk,
        progress=not args.no_progress,
    )
    return _finish(
        args,
        model,
        result.series,
        lambda out, spec: plot_plane(
            result.positions, result.labels, result.xy, result.series.times(), _png(out, ".plane.png"), spectrogram=spec
        ),
    )


def add_parsers(sub) -> None:
    """Register encode, deform, decode, morph and plane on `sub` (from add_subparsers())."""

    def parser(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description, formatter_class=RAW)

    p = parser("encode", "encode an audio file to a latent series (.npz + .png)", ENCODE_HELP)
    p.add_argument("model", help="model file (.ts)")
    p.add_argument("audio", help="audio file (wav, flac, ogg...)")
    p.add_argument("-o", "--out", type=Path, help="series file (default: AUDIO.latent.npz)")
    _common(p, audio_out=False)
    p.set_defaults(handler=_encode)

    p = parser("deform", "apply a YAML/JSON deform spec to a latent series", DEFORM_HELP)
    p.add_argument("series", help="latent series file (.npz) from `timbre-rt encode`")
    p.add_argument("--spec", required=True, help="deform spec file (YAML or JSON)")
    p.add_argument("-o", "--out", required=True, type=Path, help="series file to write (.npz)")
    p.add_argument("--no-plot", action="store_true", help="do not write the before/after PNG")
    p.set_defaults(handler=_deform)

    p = parser("decode", "decode a latent series to a WAV file", DECODE_HELP)
    p.add_argument("model", help="model file (.ts) the series was encoded with")
    p.add_argument("series", help="latent series file (.npz)")
    p.add_argument("-o", "--out", required=True, type=Path, help="WAV file to write")
    p.add_argument(
        "--any-model", action="store_true", help="decode with another model of the same rate, frame size and channels"
    )
    _common(p, plot=False)
    p.set_defaults(handler=_decode)

    p = parser("morph", "time-linear interpolation from sound A to sound B", MORPH_HELP)
    p.add_argument("model", help="model file (.ts)")
    p.add_argument("a", help="audio file at the start")
    p.add_argument("b", help="audio file at the end")
    p.add_argument("-o", "--out", required=True, type=Path, help="WAV file to write")
    p.add_argument(
        "--align",
        choices=["truncate", "stretch", "pad"],
        default="truncate",
        help="truncate to the shorter (default), stretch B to A's length, or pad the shorter with its last frame",
    )
    p.add_argument(
        "--curve",
        default="linear",
        help="weight of B over time: linear (default), cosine, equal-power (the same "
        "S-curve), or breakpoints 'seconds:weight,...'",
    )
    p.add_argument("--latent-out", type=Path, help="also save the mixed series (.npz)")
    _common(p)
    p.set_defaults(handler=_morph)

    p = parser("plane", "move on a 2-D plane between anchor sounds", PLANE_HELP)
    p.add_argument("model", help="model file (.ts)")
    p.add_argument(
        "anchors",
        nargs="+",
        help="anchor audio files (4 for the square's corners A B C D, or any number >= 2 with --positions)",
    )
    p.add_argument("--path", required=True, help="CSV file (time,x,y) or circle, line, figure-eight")
    p.add_argument("--period", type=float, default=4.0, help="seconds per cycle of a parametric path")
    p.add_argument("--radius", type=float, help="circle / figure-eight radius (default 0.5)")
    p.add_argument("--center", help="circle / figure-eight center x,y (default 0.5,0.5)")
    p.add_argument("--from", dest="start", help="line start x,y (default 0,0)")
    p.add_argument("--to", dest="end", help="line end x,y (default 1,1)")
    p.add_argument("--positions", help="anchor positions 'x,y;x,y;...' (inverse-distance mixing)")
    p.add_argument("--seconds", type=float, help="duration (default: the CSV's last time, else the longest anchor)")
    p.add_argument(
        "--anchor-mode",
        choices=["loop", "hold"],
        default="loop",
        help="anchors shorter than the path: loop (default) or hold the last frame",
    )
    p.add_argument("-o", "--out", required=True, type=Path, help="WAV file to write")
    p.add_argument("--latent-out", type=Path, help="also save the mixed series (.npz)")
    _common(p)
    p.set_defaults(handler=_plane)
