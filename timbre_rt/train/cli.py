"""`timbre-rt train` and `timbre-rt export`: train a model, export a run folder.

Also runnable as `python -m timbre_rt.train train|export ...`, which needs only
torch and Lightning (no compiled core): that is how a GPU machine trains.
"""
import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

TRAIN_EPILOG = """\
examples:
  timbre-rt train continuous --config models/continuous.yaml --data data/gm --out runs/cont
  timbre-rt train continuous ... --devices 4 --accelerator gpu     # DDP, same command
Stages run in order (vae, vocoder, adversarial, finetune); run the same command
again to resume an interrupted run: finished stages are skipped. TensorBoard:
  tensorboard --logdir runs/cont/tensorboard
"""

EXPORT_EPILOG = """\
examples:
  timbre-rt export runs/cont --out models/continuous.ts
  timbre-rt export runs/cont --vocoder-stage vocoder --out /tmp/no_gan.ts
The file is written only if chunked (streaming) calls equal whole-signal calls.
"""


def add_parsers(sub) -> None:
    p = sub.add_parser("train", help="train a timbre model on a dataset cache",
                       epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["continuous"], help="which model")
    p.add_argument("--config", required=True, type=Path, help="YAML config (see models/*.yaml)")
    p.add_argument("--data", required=True, type=Path,
                   help="dataset cache folder made by `timbre-rt make-dataset`")
    p.add_argument("--out", required=True, type=Path, help="run folder (checkpoints, logs, weights)")
    p.add_argument("--devices", type=int, default=1, help="number of devices; > 1 trains with DDP")
    p.add_argument("--accelerator", default="auto", help="cpu, gpu or auto (default)")
    p.add_argument("--workers", type=int, default=-1, help="data loader workers (default: by CPU count)")
    p.add_argument("--minutes", type=float, default=None,
                   help="time budget per stage in minutes (stops a stage early)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (logs only)")
    p.set_defaults(handler=run_train)

    p = sub.add_parser("export", help="export a training run to a model file (.ts)",
                       epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="run folder of `timbre-rt train`")
    p.add_argument("--out", required=True, type=Path, help="model file to write (.ts)")
    p.add_argument("--vocoder-stage", choices=["vocoder", "adversarial", "finetune"], default=None,
                   help="which vocoder weights (default: finetune if done, else the better one)")
    p.set_defaults(handler=run_export)


def _error(command: str, message) -> int:
    print(f"timbre-rt {command}: error: {message}", file=sys.stderr)
    return 2


def run_train(args) -> int:
    from ..data import DatasetError
    from .continuous import continuous_stages, save_run_config, write_summary
    from .stages import TrainerOptions, run_stages

    try:
        cfg = save_run_config(args.config, args.out)
        minutes = {n: args.minutes for n in ("vae", "vocoder", "adversarial", "finetune")} \
            if args.minutes else None
        stages = continuous_stages(cfg, args.data, args.out, args.workers, minutes)
        options = TrainerOptions(devices=args.devices, accelerator=args.accelerator,
                                 progress=not args.no_progress)
        run_stages(stages, args.out, options)
    except (ValueError, FileNotFoundError, DatasetError) as e:
        return _error("train", e)
    print(f"summary: {write_summary(args.out)}")
    return 0


def run_export(args) -> int:
    from ..export import ExportError, export_model
    from .continuous import codec_from_run

    try:
        codec = codec_from_run(args.run, args.vocoder_stage)
        report = export_model(codec, args.out)
    except (ValueError, FileNotFoundError, ExportError) as e:
        return _error("export", e)
    print(f"wrote {report.path}: block {report.block_size}, methods {', '.join(report.methods)}, "
          f"streaming error {report.max_error:.2g}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m timbre_rt.train")
    add_parsers(parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return args.handler(args)
