"""Hyper-parameters of the continuous model, read from a YAML file."""
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Tuple, Union

from ...data.augment import AugmentConfig


@dataclass
class MelConfig:
    n_fft: int = 1024
    hop: int = 256
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float = 0.0  # 0: Nyquist


@dataclass
class VAEConfig:
    hidden: int = 128
    latent_dims: int = 16
    downsample: int = 2  # mel frames per latent frame
    beta: float = 0.05  # KL weight, reached after kl_warmup_steps
    kl_warmup_steps: int = 2000
    # The encoder sees log-mels minus the frame's log energy, so z cannot
    # follow a plain gain; the adversary removes what loudness leaves in timbre.
    normalize_level: bool = True
    # Domain adaptation: loudness classifier on z behind gradient reversal.
    adversary_weight: float = 1.0  # 0 disables the adversarial term (the ablation)
    adversary_ramp_steps: int = 3000
    loudness_bins: int = 14
    loudness_min_db: float = -70.0
    loudness_max_db: float = 0.0


@dataclass
class VocoderConfig:
    bands: int = 4
    channels: int = 256
    upsample: Tuple[int, ...] = (4, 4, 4)  # product * bands == mel hop
    dilations: Tuple[int, ...] = (1, 3, 9)
    # The generator reproduces the input delayed by this many samples: the
    # causal analysis window has to see a sample before it can be rebuilt.
    delay: int = 512
    # decode is gated to exact zeros where the loudness channel is below this
    # (fully open 10 dB higher): no vocoder hum on silence.
    silence_floor_db: float = -90.0


@dataclass
class DiscriminatorConfig:
    scales: int = 3
    channels: Tuple[int, ...] = (16, 64, 256, 512)
    feature_weight: float = 10.0


@dataclass
class StageConfig:
    steps: int
    batch_size: int = 16
    segment: int = 8192  # samples per training example
    learning_rate: float = 2e-4
    minutes: Optional[float] = None  # time budget: the stage stops at steps or minutes
    # A model file (.ts) whose weights start this stage (vocoder stages: its vocoder),
    # when the stage does not start from an earlier stage of the same run.
    init_from: Optional[str] = None


@dataclass
class ContinuousConfig:
    """Everything needed to rebuild and train the model (see models/continuous.yaml)."""

    sampling_rate: int = 24000
    mel: MelConfig = field(default_factory=MelConfig)
    vae: VAEConfig = field(default_factory=VAEConfig)
    vocoder: VocoderConfig = field(default_factory=VocoderConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    # Training stages, run in this order; a stage with 0 steps is skipped.
    vae_stage: StageConfig = field(default_factory=lambda: StageConfig(steps=6000, learning_rate=1e-3))
    vocoder_stage: StageConfig = field(default_factory=lambda: StageConfig(steps=20000))
    adversarial_stage: StageConfig = field(default_factory=lambda: StageConfig(steps=10000, learning_rate=1e-4))
    finetune_stage: StageConfig = field(default_factory=lambda: StageConfig(steps=3000, learning_rate=1e-4))
    validate_every: int = 1000
    # On-the-fly augmentation of the training examples (the defaults: none).
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self):
        from ...validate import RANGES, coerce_sections

        coerce_sections(self, RANGES)  # sections given as mappings (Python callers)
        up = 1
        for r in self.vocoder.upsample:
            up *= r
        if up * self.vocoder.bands != self.mel.hop:
            raise ValueError(
                f"vocoder: prod(upsample) * bands = {up * self.vocoder.bands}, "
                f"must equal the mel hop {self.mel.hop}"
            )
        if self.mel.n_fft % self.mel.hop:
            raise ValueError("mel.n_fft must be a multiple of mel.hop")

    @property
    def latent_ratio(self) -> int:
        """Audio samples per latent frame."""
        return self.mel.hop * self.vae.downsample

    def to_dict(self) -> dict:
        return asdict(self)


def load_config(path: Union[str, Path]) -> ContinuousConfig:
    """Read a YAML config; missing keys take the defaults; types, ranges and unknown
    keys are checked by the one config schema (timbre_rt.validate)."""
    from ...validate import read_model_config

    return read_model_config(path, "continuous", ContinuousConfig)
