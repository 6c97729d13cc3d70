"""`timbre-rt make-dataset`: preprocess a folder or a soundfont into a chunk cache.

add_parser(subparsers) registers the subcommand, run(args) runs it;
`python -m timbre_rt.data.cli ...` runs it alone.
"""

import argparse
import sys
from typing import Optional, Sequence

from ..audio import AudioFileError
from .chunking import DEFAULT_CHUNK
from .errors import DatasetError
from .manifest import Manifest

__all__ = ["add_parser", "add_arguments", "format_summary", "run", "main"]

PROG = "timbre-rt make-dataset"

DESCRIPTION = """\
Preprocess audio, once, into a memory-mapped training cache in --out:
train.npy and held_out.npy (float16 [N, chunk]), held_out/ (the held-out
sounds as WAV files) and manifest.json. Sounds are split, by sound, into
train and held-out. Running it again with the same source and settings does
nothing; other settings need another --out or --overwrite.
"""

EPILOG = """\
examples:
  timbre-rt make-dataset --soundfont default --out data/gm
      # 12 General MIDI instruments from FluidR3_GM (Debian fluid-soundfont-gm),
      # 1 s notes at 24 kHz
  timbre-rt make-dataset --soundfont default --set played --out data/gm-played
      # every melodic GM program at every semitone, played (gestures, chords, drums)
  timbre-rt make-dataset --unseen --out data/unseen
      # sounds of other sources (TimGM6mb, espeak-ng, synthetic) for timbre-rt eval
  timbre-rt make-dataset --folder ~/samples --out data/mine --rate 44100
  timbre-rt make-dataset --folder ~/samples --out data/mine --held-out 0.2 --overwrite
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--soundfont",
        metavar="PATH",
        help='render NSynth-like notes from a .sf2 file; "default" is /usr/share/sounds/sf2/FluidR3_GM.sf2',
    )
    source.add_argument(
        "--folder",
        metavar="DIR",
        help="audio files under DIR, recursively (every format libsndfile reads: wav, flac, ogg, mp3, aiff, ...)",
    )
    source.add_argument(
        "--unseen",
        action="store_true",
        help="write the evaluation set of sources no model trains on into --out as WAV "
        "files (TimGM6mb notes off the semitone grid, espeak-ng speech, bells, noise bands, "
        "quarter-tone tones): the folder for `timbre-rt eval --data`",
    )
    parser.add_argument(
        "--set",
        choices=("notes", "played"),
        default="notes",
        help="with --soundfont: 'notes' = 12 programs at whole tones (the first shipped "
        "model's set); 'played' = every melodic GM program at every semitone, detuned, with "
        "vibrato, glides and bends, several velocities and lengths, chords, pitched "
        "percussion and drums (about 6000 sounds, 2 hours; renders in 2 minutes)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the cache folder to write")
    parser.add_argument("--rate", type=int, default=24000, help="sampling rate of the cache in Hz (default: 24000)")
    parser.add_argument(
        "--chunk", type=int, default=DEFAULT_CHUNK, help=f"samples per cached chunk (default: {DEFAULT_CHUNK})"
    )
    parser.add_argument(
        "--held-out", type=float, default=0.1, metavar="FRACTION", help="fraction of the sounds held out (default: 0.1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    parser.add_argument("--overwrite", action="store_true", help="replace a cache made with other settings in --out")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register `make-dataset` on the subparsers of the `timbre-rt` parser."""
    parser = subparsers.add_parser(
        "make-dataset",
        help="preprocess a folder or a soundfont into a training cache",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def format_summary(manifest: Manifest, created: bool = True) -> str:
    """A few lines on a cache: sounds, chunks and minutes per split, skipped files."""
    m = manifest
    src = m.source
    lines = [
        f"{'made' if created else 'already made, nothing to do'}: {m.folder}",
        f"source    {src.get('kind')} {src.get('path')}",
        f"rate      {m.sampling_rate} Hz, chunks of {m.chunk} samples ({m.chunk / m.sampling_rate:.3f} s)",
    ]
    for split in ("train", "held_out"):
        c = m.counts[split]
        cached_min = c["chunks"] * m.chunk / m.sampling_rate / 60
        lines.append(
            f"{split:<9} {c['sounds']} sounds ({c['seconds'] / 60:.1f} min), "
            f"{c['chunks']} chunks ({cached_min:.1f} min)"
        )
    lines.append(f"skipped   {len(m.skipped)}")
    lines += [f"  {name}: {reason}" for name, reason in m.skipped[:20]]
    if len(m.skipped) > 20:
        lines.append(f"  ... {len(m.skipped) - 20} more in manifest.json")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run make-dataset; returns 0, 2 after a bad option, 1 after a one-line error on DatasetError
    or AudioFileError."""
    usage = None  # bad options: exit 2 before any work, as argparse's own errors
    if not 1000 <= args.rate <= 384000:  # 0 would divide by zero deep in the resampler
        usage = f"--rate: must be a sampling rate between 1000 and 384000 Hz, got {args.rate}"
    elif args.chunk < 1:
        usage = f"--chunk: must be at least 1 sample, got {args.chunk}"
    elif not 0.0 <= args.held_out < 1.0:
        usage = f"--held-out: must be a fraction in [0, 1), got {args.held_out}"
    if usage:
        print(f"{PROG}: error: {usage}", file=sys.stderr)
        return 2
    try:
        if args.unseen:
            from .unseen import write_unseen_set

            paths = write_unseen_set(args.out, args.rate, args.seed)
            print(f"wrote {len(paths)} sounds into {args.out}")
            return 0
        if args.soundfont is not None:
            # soundfile/tinysoundfont only when used
            from .cache import prepare_performances, prepare_soundfont
            from .performance import PerformanceConfig
            from .soundfont import RenderConfig

            common = dict(chunk=args.chunk, held_out=args.held_out, seed=args.seed, overwrite=args.overwrite)
            if args.set == "played":
                result = prepare_performances(
                    args.soundfont,
                    args.out,
                    config=PerformanceConfig(sampling_rate=args.rate, seed=args.seed),
                    **common,
                )
            else:
                result = prepare_soundfont(
                    args.soundfont, args.out, config=RenderConfig(sampling_rate=args.rate), **common
                )
        else:
            from .cache import prepare_folder

            result = prepare_folder(
                args.folder,
                args.out,
                sampling_rate=args.rate,
                chunk=args.chunk,
                held_out=args.held_out,
                seed=args.seed,
                overwrite=args.overwrite,
            )
    except (DatasetError, AudioFileError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1  # a failure; 2 is for a bad command line
    print(format_summary(result.manifest, result.created))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
