"""Run training stages one after another with PyTorch Lightning, resumably.

Every model kind trains as a list of `Stage`s through `run_stages`: one
trainer setup (checkpoints, TensorBoard, DDP, time budget) for all of them.
A stage's folder `OUT/<name>/` holds its checkpoints, its final weights
(`weights.pt`) and `done.json`; a finished stage is skipped on the next run,
an interrupted one resumes from its last checkpoint.
"""
import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional

import torch


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
    make_loaders: Callable[[], tuple]
    minutes: Optional[float] = None
    validate_every: int = 1000
    optimizers: int = 1  # Lightning counts every optimizer's step in global_step


@dataclass
class StageResult:
    name: str
    steps: int
    seconds: float
    metrics: Dict[str, float] = field(default_factory=dict)
    skipped: bool = False


@dataclass
class TrainerOptions:
    devices: int = 1
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


def run_stages(stages: List[Stage], out: Path, options: TrainerOptions) -> List[StageResult]:
    import lightning as L
    from lightning.pytorch.callbacks import ModelCheckpoint
    from lightning.pytorch.loggers import TensorBoardLogger

    # Expected here: frozen submodules stay in eval mode, and manual-optimisation
    # checkpoints hold the post-step state, which is what resuming wants.
    warnings.filterwarnings("ignore", r".*module\(s\) in eval mode.*")
    warnings.filterwarnings("ignore", r".*no pre-optimization state was saved.*")
    out = Path(out)
    torch.set_float32_matmul_precision("high")  # TF32 on GPUs that have it; no-op on CPU
    results = []
    for stage in stages:
        folder = out / stage.name
        done = stage_done(out, stage.name)
        if stage.steps <= 0 or done is not None:
            why = "0 steps" if stage.steps <= 0 else "already done"
            print(f"== stage {stage.name}: skipped ({why})")
            if done is not None:
                results.append(StageResult(**{**done, "skipped": True}))
            continue
        print(f"== stage {stage.name}: {stage.steps} steps -> {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        task = stage.make_task()
        train_loader, val_loader = stage.make_loaders()
        checkpoint = ModelCheckpoint(
            dirpath=folder / "checkpoints", save_last=True, save_top_k=0,
            every_n_train_steps=stage.validate_every * stage.optimizers,
        )
        trainer = L.Trainer(
            max_steps=stage.steps * stage.optimizers,
            max_time=timedelta(minutes=stage.minutes) if stage.minutes else None,
            devices=options.devices,
            accelerator=options.accelerator,
            strategy="ddp" if options.devices > 1 else "auto",
            precision=options.precision,
            logger=TensorBoardLogger(str(out), name="tensorboard", version=stage.name),
            callbacks=[checkpoint],
            val_check_interval=stage.validate_every,
            check_val_every_n_epoch=None,
            log_every_n_steps=options.log_every,
            enable_progress_bar=options.progress,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        last = folder / "checkpoints" / "last.ckpt"
        start = time.time()
        trainer.fit(task, train_loader, val_loader, ckpt_path=str(last) if last.is_file() else None)
        # The stage may stop on its time budget between validations: measure the end state.
        trainer.validate(task, val_loader, verbose=False)
        if trainer.global_rank != 0:
            continue
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if v.numel() == 1}
        result = StageResult(
            stage.name, trainer.global_step // stage.optimizers, time.time() - start, metrics
        )
        torch.save(stage.weights(task), folder / "weights.pt")
        (folder / "done.json").write_text(json.dumps(asdict(result), indent=2))
        print(f"== stage {stage.name}: done, {result.steps} steps in {result.seconds / 60:.1f} min")
        results.append(result)
    return results
