"""The discrete model's training plan (one stage: the frame VQ-VAE) and its export."""

from functools import partial
from pathlib import Path
from typing import List, Optional

from ..models.discrete.codec import DiscreteCodec, build_codec, codec_from_file, describe_codes
from ..models.discrete.config import DiscreteConfig, load_config
from . import continuous
from .loaders import make_loaders
from .stages import Stage, load_stage_weights

STAGE_NAMES = ("vqvae",)
CONFIG_NAME = continuous.CONFIG_NAME

# Run-folder bookkeeping is the same for every kind; only the config reader and stages differ.
save_run_config = partial(continuous.save_run_config, load=load_config)
write_summary = partial(continuous.write_summary, names=STAGE_NAMES)


def build_stages(
    cfg: DiscreteConfig, data: Path, out: Path, workers: int = -1, minutes: Optional[dict] = None
) -> List[Stage]:
    from .discrete_task import DiscreteTask

    stage = cfg.vqvae_stage
    return [
        Stage(
            "vqvae",
            stage.steps,
            lambda: DiscreteTask(cfg, stage),
            lambda task: task.model.state_dict(),
            lambda batch: make_loaders(data, stage, cfg.sampling_rate, workers, batch_size=batch),
            (minutes or {}).get("vqvae", stage.minutes),
            cfg.validate_every,
            batch_size=stage.batch_size,
        )
    ]


def codec_from_run(out: Path) -> DiscreteCodec:
    """The exportable codec of a finished run, its descriptor table measured (needs librosa)."""
    out = Path(out)
    cfg = load_config(out / CONFIG_NAME)
    codec = build_codec(cfg, load_stage_weights(out, "vqvae"))
    describe_codes(codec, cfg.descriptors.render_seconds)
    return codec


def codec_from_model_file(path: Path, config: Path) -> DiscreteCodec:
    """An exported discrete model file rebuilt with this version's code (`config`: the
    YAML it was trained with), its descriptor table measured again (needs librosa)."""
    cfg = load_config(config)
    codec = codec_from_file(str(path), cfg)
    describe_codes(codec, cfg.descriptors.render_seconds)
    return codec
