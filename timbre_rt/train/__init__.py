"""Training: PyTorch Lightning tasks run as resumable stages (timbre-rt train)."""

from .stages import Stage, StageResult, TrainerOptions, load_stage_weights, run_stages, stage_done

__all__ = [
    "Stage",
    "StageResult",
    "TrainerOptions",
    "load_stage_weights",
    "run_stages",
    "stage_done",
]
