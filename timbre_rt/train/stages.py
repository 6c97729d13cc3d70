"""Run training stages one after another with PyTorch Lightning, resumably.

Every model kind trains as a list of `Stage`s through `run_stages`: one
trainer setup (checkpoints, TensorBoard, DDP, time budget) for all of them.
A stage's folder `OUT/<name>/` holds its checkpoints, its final weights
(`weights.pt`) and `done.json`; a finished stage is skipped on the next run,
an interrupted one resumes from its last checkpoint.

Several processes (DDP: `devices` x `num_nodes`) run the same stages in step;
a stage's batch size, learning rate, steps and minutes mean the same whatever
their number (see `per_device_batch`). The run folder must be one folder that
every process sees (on several machines: a shared filesystem).
"""

import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional

import torch

from ..io import atomic_path, write_text
from .ranks import from_rank_zero, global_rank, wait_for_all


@dataclass
class Stage:
    """One training phase.

    make_task: builds the LightningModule (called only if the stage runs).
    weights: what to save as the stage's result, from the trained task.
    """

    name: str
    steps: int
    make_task: Callable[[], "object"]
    weights: Callable[["object"], Dict[str, torch.Tensor]]
    make_loaders: Callable[[int], tuple]  # (train, validation) loaders for a per-device batch
    minutes: Optional[float] = None
    validate_every: int = 1000
    optimizers: int = 1  # Lightning counts every optimizer's step in global_step
    batch_size: int = 1  # the global batch: all processes together


@dataclass
class StageResult:
    name: str
    steps: int
    seconds: float
    metrics: Dict[str, float] = field(default_factory=dict)
    skipped: bool = False


@dataclass
class TrainerOptions:
    """devices: processes per machine (node); num_nodes: machines. Their product is
    the number of DDP processes (1: no DDP)."""

    devices: int = 1
    num_nodes: int = 1
    accelerator: str = "auto"
    precision: str = "32-true"
    progress: bool = True
    log_every: int = 50


def stage_done(out: Path, name: str) -> Optional[dict]:
    path = Path(out) / name / "done.json"
    return json.loads(path.read_text()) if path.is_file() else None


def load_stage_weights(out: Path, name: str) -> Dict[str, torch.Tensor]:
    path = Path(out) / name / "weights.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: stage {name!r} has not finished in {out}")
    return torch.load(path, map_location="cpu", weights_only=True)


def per_device_batch(stage: Stage, world_size: int) -> int:
    """The batch each process loads: a stage's `batch_size` is the global batch, split
    evenly over the processes (so N devices train on the same batches as one)."""
    if stage.batch_size % world_size:
        raise ValueError(
            f"stage {stage.name!r}: batch_size {stage.batch_size} cannot be split "
            f"evenly over {world_size} processes; make it a multiple of {world_size}"
        )
    return stage.batch_size // world_size


def _on_cuda(accelerator: str) -> bool:
    return accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())


def _say(text: str) -> None:
    if global_rank() == 0:
        print(text, flush=True)


def _save_stage(stage: Stage, task, folder: Path, result: StageResult) -> None:
    """Rank 0's part: the stage's weights, then `done.json` (the mark that it finished)."""
    with atomic_path(folder / "weights.pt") as tmp:
        torch.save(stage.weights(task), tmp)
    write_text(folder / "done.json", json.dumps(asdict(result), indent=2))


def run_stages(stages: List[Stage], out: Path, options: TrainerOptions) -> List[StageResult]:
    """Train the stages in order; returns every stage's result (on every rank).

    Under DDP each rank runs this same loop: rank 0 alone writes a stage's files,
    all ranks wait until it has, and all take rank 0's view of what is done.
    """
    import lightning as L
    from lightning.pytorch.callbacks import ModelCheckpoint
    from lightning.pytorch.loggers import TensorBoardLogger
    from lightning.pytorch.strategies import DDPStrategy

    from .text_log import TextLog

    # Expected here: frozen submodules stay in eval mode, and manual-optimisation
    # checkpoints hold the post-step state, which is what resuming wants.
    warnings.filterwarnings("ignore", r".*module\(s\) in eval mode.*")
    warnings.filterwarnings("ignore", r".*no pre-optimization state was saved.*")
    # The final validation of a stage runs on every rank (padded shards, reduced metrics).
    warnings.filterwarnings("ignore", r".*Using `DistributedSampler` with the dataloaders.*")
    out = Path(out)
    world = options.devices * options.num_nodes
    for stage in stages:  # fail now, not after the first stages trained
        if stage.steps > 0:
            per_device_batch(stage, world)
    torch.set_float32_matmul_precision("high")  # TF32 on GPUs that have it; no-op on CPU
    results = []
    for stage in stages:
        folder = out / stage.name
        last = folder / "checkpoints" / "last.ckpt"
        done, resume = from_rank_zero((stage_done(out, stage.name), last.is_file()))
        if stage.steps <= 0 or done is not None:
            why = "0 steps" if stage.steps <= 0 else "already done"
            _say(f"== stage {stage.name}: skipped ({why})")
            if done is not None:
                results.append(StageResult(**{**done, "skipped": True}))
            continue
        _say(f"== stage {stage.name}: {stage.steps} steps -> {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        task = stage.make_task()
        train_loader, val_loader = stage.make_loaders(per_device_batch(stage, world))
        checkpoint = ModelCheckpoint(
            dirpath=folder / "checkpoints",
            save_last=True,
            save_top_k=0,
            every_n_train_steps=stage.validate_every * stage.optimizers,
        )
        # Several optimizers take turns in one step (GAN): each backward leaves the
        # other's parameters without gradients, which DDP must be told to expect.
        strategy = DDPStrategy(find_unused_parameters=stage.optimizers > 1) if world > 1 else "auto"
        trainer = L.Trainer(
            max_steps=stage.steps * stage.optimizers,
            # Lightning's Timer broadcasts rank 0's stop decision: all ranks stop at one step.
            max_time=timedelta(minutes=stage.minutes) if stage.minutes else None,
            devices=options.devices,
            num_nodes=options.num_nodes,
            accelerator=options.accelerator,
            strategy=strategy,
            # BatchNorm statistics over the global batch, as on one device (CUDA only:
            # SyncBatchNorm has no CPU kernel, so CPU processes keep their own).
            sync_batchnorm=world > 1 and _on_cuda(options.accelerator),
            precision=options.precision,
            logger=TensorBoardLogger(str(out), name="tensorboard", version=stage.name),
            # No bar: one text line per validation instead, so a log still shows progress.
            callbacks=[checkpoint] + ([] if options.progress else [TextLog(stage.name, stage.steps, stage.optimizers)]),
            val_check_interval=stage.validate_every,
            check_val_every_n_epoch=None,
            log_every_n_steps=options.log_every,
            enable_progress_bar=options.progress,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        start = time.time()
        trainer.fit(task, train_loader, val_loader, ckpt_path=str(last) if resume else None)
        # The stage may stop on its time budget between validations: measure the end state.
        trainer.validate(task, val_loader, verbose=False)
        result = None
        if trainer.global_rank == 0:
            metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if v.numel() == 1}
            result = StageResult(stage.name, trainer.global_step // stage.optimizers, time.time() - start, metrics)
            _save_stage(stage, task, folder, result)
            print(f"== stage {stage.name}: done, {result.steps} steps in {result.seconds / 60:.1f} min", flush=True)
        wait_for_all()  # the next stage reads these weights on every rank
        results.append(from_rank_zero(result))
    return results
