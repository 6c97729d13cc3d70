"""`timbre-rt train` and `timbre-rt export`: train a model, export a run folder.

Also runnable as `python -m timbre_rt.train train|export ...`, which needs only
torch and Lightning (no compiled core): that is how a GPU machine trains.
"""

import argparse
import importlib
import math
import sys
from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError, UsageError, one_line, run_command, split_debug

TRAIN_EPILOG = """\
examples:
  timbre-rt train continuous --config models/continuous.yaml --data data/gm --out runs/cont
  timbre-rt train discrete --config models/discrete.yaml --data data/gm --out runs/disc
  timbre-rt train continuous ... --devices 4 --accelerator gpu     # DDP, same command
  torchrun --nnodes 2 --nproc-per-node 4 --node-rank R --master-addr HOST \\
    -m timbre_rt.train train continuous ... --devices 4 --num-nodes 2 --accelerator gpu
Stages run in order (continuous: vae, vocoder, adversarial, finetune; discrete:
vqvae); run the same command
again to resume an interrupted run: finished stages are skipped. TensorBoard:
  tensorboard --logdir runs/cont/tensorboard
With several processes (DDP: --devices x --num-nodes), a config's batch_size is the
global batch, split evenly over the processes (it must divide); learning rate, steps
(optimizer steps) and minutes (wall clock, all processes stop at the same step) are
the same as on one device: N devices train like one, faster. Only process 0 writes
the run folder, which every process must see (on several machines: shared storage).
"""

EXPORT_EPILOG = """\
examples:
  timbre-rt export runs/cont --out models/continuous.ts
  timbre-rt export runs/cont --order-data data/gm-played --out models/continuous.ts
  timbre-rt export old.ts --config models/continuous.yaml --out new.ts
      # an exported model rebuilt with this version's code (same weights)
  timbre-rt export runs/cont --vocoder-stage vocoder --out /tmp/no_gan.ts
  timbre-rt export runs/disc --out models/discrete.ts   # also measures the code descriptors
The file is written only if chunked (streaming) calls equal whole-signal calls.
"""


# Model kinds; each has a training plan module `timbre_rt.train.<kind>` with STAGE_NAMES,
# save_run_config, build_stages, codec_from_run and write_summary.
KINDS = ("continuous", "discrete")


def plan(kind: str):
    """The training plan module of a model kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}: expected one of {', '.join(KINDS)}")
    return importlib.import_module(f".{kind}", __package__)


def run_kind(run: Path) -> str:
    """The kind a run folder was trained as: its saved config's `model:` key."""
    from ..validate import read_yaml_file

    path = Path(run) / "config.yaml"
    if not Path(run).is_dir():
        raise InputError(f"{run}: no such run folder")
    if not path.is_file():
        raise InputError(f"{run}: not a run folder of `timbre-rt train` (no config.yaml)")
    data = read_yaml_file(path, "run config")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    kind = data.get("model", "continuous")
    if kind not in KINDS:
        raise InputError(f"{path}: model: {kind!r} is not one of {', '.join(KINDS)}")
    return kind


ACCELERATORS = ("auto", "cpu", "gpu", "cuda", "mps")


def check_train_arguments(args) -> None:
    """UsageError for options out of range, before any data is read or folder made."""
    if args.minutes is not None and not (math.isfinite(args.minutes) and args.minutes > 0):
        raise UsageError(f"--minutes: must be a positive number of minutes, got {args.minutes}")
    if args.devices < 1:
        raise UsageError(f"--devices: must be at least 1, got {args.devices}")
    if args.num_nodes < 1:
        raise UsageError(f"--num-nodes: must be at least 1, got {args.num_nodes}")
    if args.workers < -1:
        raise UsageError(f"--workers: must be -1 (by CPU count) or >= 0, got {args.workers}")
    if args.accelerator not in ACCELERATORS:
        raise UsageError(f"--accelerator: must be one of {', '.join(ACCELERATORS)}, got {args.accelerator!r}")
    if args.accelerator in ("gpu", "cuda"):
        import torch

        available = torch.cuda.device_count()
        if available < args.devices:
            raise UsageError(
                f"--accelerator {args.accelerator} --devices {args.devices}: "
                f"{available} CUDA device(s) here; use --accelerator cpu or auto"
            )
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a file; give a run folder")


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a timbre model on a dataset cache",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("kind", choices=KINDS, help="which model")
    p.add_argument("--config", required=True, type=Path, help="YAML config (see models/*.yaml)")
    p.add_argument("--data", required=True, type=Path, help="dataset cache folder made by `timbre-rt make-dataset`")
    p.add_argument("--out", required=True, type=Path, help="run folder (checkpoints, logs, weights)")
    p.add_argument(
        "--devices",
        type=int,
        default=1,
        help="devices (processes) per machine; more than one process in all trains with DDP (default 1)",
    )
    p.add_argument(
        "--num-nodes",
        type=int,
        default=1,
        metavar="N",
        help="machines taking part (default 1); start the same command on each, "
        "with torchrun or SLURM's srun (see the examples)",
    )
    p.add_argument("--accelerator", default="auto", help="cpu, gpu or auto (default)")
    p.add_argument(
        "--workers", type=int, default=-1, help="data loader workers per process (default: by CPU count and --devices)"
    )
    p.add_argument(
        "--minutes",
        type=float,
        default=None,
        help="time budget per stage in minutes, wall clock (stops a stage early; "
        "under DDP all processes stop at the same step)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars (logs only)")
    p.set_defaults(handler=run_train)

    p = sub.add_parser(
        "export",
        help="export a training run to a model file (.ts)",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run", type=Path, help="run folder of `timbre-rt train`")
    p.add_argument("--out", required=True, type=Path, help="model file to write (.ts)")
    p.add_argument(
        "--vocoder-stage",
        choices=["vocoder", "adversarial", "finetune"],
        default=None,
        help="continuous runs: which vocoder weights (default: finetune if done, else the better one)",
    )
    p.add_argument(
        "--order-data",
        type=Path,
        default=None,
        metavar="DIR",
        help="continuous runs: a dataset cache or audio folder on which to order the "
        "latent dimensions by importance (principal axes, most varied first)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="with a model file (.ts) instead of a run folder: the YAML it "
        "was trained with; the file is rebuilt with this version's code",
    )
    p.set_defaults(handler=run_export)


def run_train(args) -> int:
    from .loaders import default_workers
    from .ranks import global_rank, leave
    from .stages import TrainerOptions, run_stages

    check_train_arguments(args)
    kind = plan(args.kind)
    cfg = kind.save_run_config(args.config, args.out)
    minutes = {n: args.minutes for n in kind.STAGE_NAMES} if args.minutes else None
    workers = default_workers(args.devices) if args.workers < 0 else args.workers
    stages = kind.build_stages(cfg, args.data, args.out, workers, minutes)
    options = TrainerOptions(
        devices=args.devices, num_nodes=args.num_nodes, accelerator=args.accelerator, progress=not args.no_progress
    )
    run_stages(stages, args.out, options)
    if global_rank() == 0:  # every stage's files are written: run_stages waited for them
        print(f"summary: {kind.write_summary(args.out)}")
    leave()
    return 0


def run_export(args) -> int:
    from ..io import check_outputs

    if Path(args.run).suffix == ".ts":
        return _export_model_file(args)
    check_outputs(
        [args.out], [p for p in Path(args.run).glob("**/*") if p.is_file()] if Path(args.run).is_dir() else []
    )
    kind = run_kind(args.run)
    if kind != "continuous" and (args.vocoder_stage or args.order_data) is not None:
        raise UsageError(f"--vocoder-stage and --order-data apply to continuous runs; {args.run} is {kind}")
    if args.order_data is not None and not args.order_data.is_dir():
        raise UsageError(f"--order-data {args.order_data}: no such folder")
    try:
        if kind == "continuous":
            codec = plan(kind).codec_from_run(args.run, args.vocoder_stage, args.order_data)
        else:
            codec = plan(kind).codec_from_run(args.run)
    except (ValueError, FileNotFoundError):  # ours (config, dataset): already one clear line
        raise
    except Exception as e:  # noqa: BLE001 (torch.load and load_state_dict raise many kinds)
        raise InputError(f"{args.run}: the run's weights cannot be loaded ({one_line(e)})") from None
    return _write(codec, args.out)


def _export_model_file(args) -> int:
    """`export OLD.ts --config YAML`: a model file rebuilt with today's code."""
    from ..io import check_outputs
    from ..validate import read_yaml_file

    if args.config is None:
        raise UsageError(f"{args.run}: exporting a model file needs --config (the YAML it was trained with)")
    if args.vocoder_stage is not None:
        raise UsageError("--vocoder-stage applies to run folders, not to a model file")
    if args.order_data is not None and not args.order_data.is_dir():
        raise UsageError(f"--order-data {args.order_data}: no such folder")
    check_outputs([args.out], [Path(args.run), args.config])
    doc = read_yaml_file(args.config, "config")
    kind = doc.get("model", "continuous") if isinstance(doc, dict) else "continuous"
    if kind == "continuous":
        codec = plan(kind).codec_from_model_file(args.run, args.config, args.order_data)
    else:
        if args.order_data is not None:
            raise UsageError(f"--order-data applies to continuous models; {args.config} is {kind}")
        codec = plan(kind).codec_from_model_file(args.run, args.config)
    return _write(codec, args.out)


def _write(codec, out: Path) -> int:
    from ..export import export_model

    report = export_model(codec, out)
    print(
        f"wrote {report.path}: block {report.block_size}, methods {', '.join(report.methods)}, "
        f"streaming error {report.max_error:.2g}"
    )
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m timbre_rt.train")
    add_parsers(parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND"))
    argv, debug = split_debug(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    return run_command(f"python -m timbre_rt.train {args.subcommand}", args.handler, args, debug)
