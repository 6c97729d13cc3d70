"""The `timbre-rt` command: one subcommand per task (info, demo, bench, make-dataset,
train, export, eval)."""

import argparse
import shlex
import sys
from typing import Dict, Optional, Sequence

from . import bench, demo
from .data import cli as data_cli
from .evaluate import cli as evaluate_cli
from .play import cli as play_cli
from .synth import cli as synth_cli
from .generate import cli as generate_cli
from .pd_package import cli as pd_package_cli
from .train import cli as train_cli
from .errors import run_command, split_debug
from ._core import read_model_info

DESCRIPTION = "Realtime neural timbre tools: inspect, benchmark and try streaming model files."

EPILOG = """\
examples:
  timbre-rt info models/toy.ts      # what a model file declares
  timbre-rt demo                    # tone -> encode -> decode -> out/demo.wav
  timbre-rt bench --out bench/      # engine overhead vs direct TorchScript calls
  timbre-rt make-dataset --soundfont default --out data/gm
  timbre-rt train continuous --config models/continuous.yaml --data data/gm --out runs/cont
  timbre-rt export runs/cont --out models/continuous.ts
  timbre-rt eval models/continuous.ts --data data/gm/held_out
  timbre-rt play models/continuous.ts --input mic --midi nanoKONTROL --map knobs.yaml
  timbre-rt midi-learn models/continuous.ts --midi nanoKONTROL -o knobs.yaml
  timbre-rt bench --models models/*.ts --report bench/report.md   # latency benchmark
  timbre-rt train discrete --config models/discrete.yaml --data data/gm --out runs/disc
  timbre-rt codebook models/discrete.ts --out codebook/    # code descriptors, traversal
  timbre-rt synth models/discrete.ts --target curves.csv --out synth.wav
  timbre-rt encode models/continuous.ts voice.wav -o voice.latent.npz    # + voice.latent.png
  timbre-rt deform voice.latent.npz --spec deform.yaml -o out.npz
  timbre-rt decode models/continuous.ts out.npz -o out.wav
  timbre-rt morph models/continuous.ts a.wav b.wav -o a_to_b.wav
  timbre-rt plane models/continuous.ts a.wav b.wav c.wav d.wav --path path.csv -o plane.wav
run `timbre-rt COMMAND --help` for each command's options.
exit status: 0 done, 1 failed (a bad input file, a model error), 2 bad command line;
errors are one line; add --debug (anywhere) for the traceback.
"""


def format_info(info: Dict) -> str:
    """Human-readable lines for the dict of read_model_info() or Engine.info()."""
    lines = []
    rate = f"{info.get('sampling_rate')} Hz"
    if info.get("sampling_rate_declared") is False:
        rate += " (not declared by the file: host default)"
    latents = info.get("latent_names") or []
    fields = [
        ("file", info.get("path")),
        ("kind", info.get("model_kind")),
        ("rate", rate),
        ("block size", f"{info.get('block_size')} samples"),
        ("contract", info.get("contract_version")),
        ("latents", f"{len(latents)}: {', '.join(latents)}" if latents else "none declared"),
    ]
    shown = {
        "path",
        "model_kind",
        "sampling_rate",
        "sampling_rate_declared",
        "block_size",
        "contract_version",
        "latent_names",
        "methods",
    }
    fields += [(k, v) for k, v in info.items() if k not in shown]  # anything newer, as is
    width = max(len(k) for k, _ in fields)
    lines += [f"{k.ljust(width)}  {v}" for k, v in fields]
    lines.append("methods")
    methods = info.get("methods", {})
    name_width = max((len(n) for n in methods), default=0)
    for name, m in methods.items():
        c_in, r_in, c_out, r_out = m["params"]
        lines.append(
            f"  {name.ljust(name_width)}  [{c_in} ch, 1/{r_in}] -> [{c_out} ch, 1/{r_out}]"
            f"  latency {m.get('latency', 0)} samples"
        )
    lines.append("(ch = channels, 1/r = one frame every r audio samples)")
    return "\n".join(lines)


def _info(args: argparse.Namespace) -> int:
    from .model_file import latent_shares  # torch: only for this command

    info = read_model_info(args.model)  # ModelError: one line, exit 1
    info.update(latent_shares(args.model))  # continuous models: z dimensions by importance
    print(format_info(info))
    return 0


def _bench(args: argparse.Namespace) -> int:
    bench.check_arguments(args.parser, args)
    return bench.run(args, command=args.command_line)


def _demo(args: argparse.Namespace) -> int:
    return demo.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timbre-rt",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="subcommand", metavar="COMMAND")

    p = sub.add_parser(
        "bench",
        help="engine overhead benchmark (writes bench/*.json, *.md)",
        description=bench.cli.DESCRIPTION,
        epilog=bench.cli.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_arguments(p)
    p.set_defaults(handler=_bench, parser=p)  # parser: for usage errors on bench's options

    p = sub.add_parser(
        "info",
        help="print a model file's metadata",
        description="Print what a model file declares, as the engine reads it: "
        "rate, block size, latents, and each method's shapes and latency. "
        "Exits with status 1 and a one-line message for a file the engine "
        "cannot use.",
    )
    p.add_argument("model", metavar="MODEL", help="TorchScript model file")
    p.set_defaults(handler=_info)

    p = sub.add_parser(
        "demo",
        help="render a test sound through encode -> decode to a WAV",
        description=demo.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_arguments(p)
    p.set_defaults(handler=_demo)

    data_cli.add_parser(sub).set_defaults(handler=data_cli.run)
    train_cli.add_parsers(sub)
    evaluate_cli.add_parser(sub).set_defaults(handler=evaluate_cli.run)
    play_cli.add_parsers(sub)
    synth_cli.add_parsers(sub)
    generate_cli.add_parsers(sub)
    pd_package_cli.add_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of `timbre-rt`; returns the exit status."""
    argv, debug = split_debug([str(a) for a in (sys.argv[1:] if argv is None else argv)])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.subcommand is None:
        parser.print_help()
        return 0
    args.command_line = shlex.join(["timbre-rt"] + argv)
    return run_command(f"timbre-rt {args.subcommand}", args.handler, args, debug)


if __name__ == "__main__":
    sys.exit(main())
