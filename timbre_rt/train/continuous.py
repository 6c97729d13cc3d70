"""The continuous model's training plan: VAE, vocoder, adversarial, fine-tuning."""

import json
import shutil
from pathlib import Path
from typing import List, Optional

from ..models.continuous.codec import (
    ContinuousCodec,
    build_codec,
    codec_from_file,
    order_latents,
    vocoder_state_from_file,
)
from ..models.continuous.config import ContinuousConfig, StageConfig, load_config
from ..io import atomic_path, write_text
from .loaders import make_loaders
from .stages import Stage, load_stage_weights, stage_done

CONFIG_NAME = "config.yaml"
VOCODER_STAGES = ("vocoder", "adversarial", "finetune")
STAGE_NAMES = ("vae",) + VOCODER_STAGES


def _loaders(data: Path, cfg: ContinuousConfig, stage: StageConfig, workers: int):
    augment = cfg.augment if cfg.augment.active else None
    return lambda batch: make_loaders(data, stage, cfg.sampling_rate, workers, augment, batch)


def best_vocoder_stage(out: Path, candidates=("vocoder", "adversarial")) -> str:
    """The finished stage with the lowest validation mel distance."""
    scores = {}
    for name in candidates:
        done = stage_done(out, name)
        if done is not None and "val/mel_distance" in done.get("metrics", {}):
            scores[name] = done["metrics"]["val/mel_distance"]
    if not scores:
        raise FileNotFoundError(f"{out}: no finished vocoder stage")
    return min(scores, key=scores.get)


def continuous_stages(
    cfg: ContinuousConfig,
    data: Path,
    out: Path,
    workers: int = -1,
    minutes: Optional[dict] = None,
) -> List[Stage]:
    from .vae_task import VAETask
    from .vocoder_task import VocoderTask

    minutes = minutes or {}

    def vocoder_task(stage_cfg, adversarial, start_from=None, with_vae=False):
        def make():
            if start_from:
                state = load_stage_weights(out, start_from)
            elif stage_cfg.init_from:
                state = vocoder_state_from_file(stage_cfg.init_from)
            else:
                state = None
            vae = load_stage_weights(out, "vae") if with_vae else None
            return VocoderTask(cfg, stage_cfg, adversarial=adversarial, generator_state=state, vae_state=vae)

        return make

    def stage(name, stage_cfg, make_task, weights, optimizers=1):
        return Stage(
            name,
            stage_cfg.steps,
            make_task,
            weights,
            _loaders(data, cfg, stage_cfg, workers),
            minutes.get(name, stage_cfg.minutes),
            cfg.validate_every,
            optimizers,
            stage_cfg.batch_size,
        )

    generator = lambda task: task.generator.state_dict()  # noqa: E731
    return [
        stage("vae", cfg.vae_stage, lambda: VAETask(cfg, cfg.vae_stage), lambda task: task.vae.state_dict()),
        stage("vocoder", cfg.vocoder_stage, vocoder_task(cfg.vocoder_stage, adversarial=False), generator),
        stage(
            "adversarial",
            cfg.adversarial_stage,
            vocoder_task(cfg.adversarial_stage, adversarial=True, start_from="vocoder"),
            generator,
            optimizers=2,
        ),
        # Fine-tune on the VAE's decoded mels, from whichever vocoder scored best.
        stage(
            "finetune",
            cfg.finetune_stage,
            lambda: vocoder_task(
                cfg.finetune_stage, adversarial=False, start_from=best_vocoder_stage(out), with_vae=True
            )(),
            generator,
        ),
    ]


build_stages = continuous_stages  # the name every training plan exposes (see train/cli.py)


def save_run_config(cfg_path: Path, out: Path, load=load_config) -> ContinuousConfig:
    """Copy the config into the run folder (once); a different one is an error.

    load: the model kind's config reader (default: the continuous model's).
    """
    cfg = load(cfg_path)
    out.mkdir(parents=True, exist_ok=True)
    saved = out / CONFIG_NAME
    if saved.is_file():
        if load(saved).to_dict() != cfg.to_dict():
            raise ValueError(
                f"{out} was started with another config ({saved}); use a new --out or the same config to resume"
            )
    else:  # atomic: under DDP several processes may get here at once
        with atomic_path(saved) as tmp:
            shutil.copyfile(cfg_path, tmp)
    return cfg


def order_clips(data: Path, sampling_rate: int, count: int = 400) -> list:
    """Up to `count` clips [1, T] spread evenly over a dataset cache's train split, or
    the first `count` audio files of a folder, to order the latent dimensions on."""
    import torch

    from ..data import ChunkDataset, DatasetError, read_manifest

    try:
        read_manifest(data)
    except DatasetError:  # not a cache: a folder of audio files
        from ..audio import find_audio_files, load_audio

        return [torch.from_numpy(load_audio(f, sampling_rate))[None] for f in find_audio_files(data)[:count]]
    dataset = ChunkDataset(data, split="train", random_crop=False, sampling_rate=sampling_rate)
    step = max(1, len(dataset) // count)
    return [dataset[i] for i in range(0, len(dataset), step)][:count]


def codec_from_run(
    out: Path, vocoder_stage: Optional[str] = None, order_data: Optional[Path] = None
) -> ContinuousCodec:
    """Assemble the exportable codec from a run folder's finished stages.

    vocoder_stage: which vocoder weights; default the last finished of
    finetune, then the better of vocoder / adversarial.
    order_data: a dataset cache or audio folder on which to order the latent
    dimensions by importance (see LatentOrder); None leaves them as trained.
    """
    out = Path(out)
    cfg = load_config(out / CONFIG_NAME)
    if vocoder_stage is None:
        vocoder_stage = "finetune" if stage_done(out, "finetune") else best_vocoder_stage(out)
    if vocoder_stage not in VOCODER_STAGES:
        raise ValueError(f"vocoder stage must be one of {', '.join(VOCODER_STAGES)}")
    codec = build_codec(cfg, load_stage_weights(out, "vae"), load_stage_weights(out, vocoder_stage))
    return _ordered(codec, cfg, order_data)


def codec_from_model_file(path: Path, config: Path, order_data: Optional[Path] = None) -> ContinuousCodec:
    """An exported continuous model file rebuilt with this version's code (streaming
    blocks, silence gate, latent order): `config` is the YAML it was trained with."""
    cfg = load_config(config)
    return _ordered(codec_from_file(str(path), cfg), cfg, order_data)


def _ordered(codec: ContinuousCodec, cfg: ContinuousConfig, order_data: Optional[Path]):
    if order_data is not None:
        order_latents(codec.eval(), order_clips(Path(order_data), cfg.sampling_rate))
    return codec


def run_summary(out: Path, names=STAGE_NAMES) -> dict:
    """What each finished stage recorded (steps, minutes, validation metrics)."""
    summary = {}
    for name in names:
        done = stage_done(Path(out), name)
        if done is not None:
            summary[name] = done
    return summary


def write_summary(out: Path, names=STAGE_NAMES) -> Path:
    return write_text(Path(out) / "summary.json", json.dumps(run_summary(out, names), indent=2))
