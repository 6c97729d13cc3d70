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
    # "melgan": multi-band MelGAN from log-mels (the paper's). "harmonic": a network on
    # log-mels + pitch drives a harmonic-plus-noise synthesiser (HarmonicVocoder): the
    # pitch the encoder measures is the pitch that comes out, and it runs far faster.
    kind: str = "melgan"
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
    # Weight per dB of a frame-level distance in the vocoder losses (0: none): the
    # spectral losses alone let a vocoder play softer than its input.
    level_weight: float = 0.0
    # kind "harmonic" only:
    harmonics: int = 64
    noise_bands: int = 65
    layers: int = 3  # causal convolutions (kernel 3) on the mel frames
    # Scale each frame's harmonics and noise to the loudness channel (LevelLock): the
    # output level is the input's, whatever the network predicts.
    level_lock: bool = False


@dataclass
class PitchConfig:
    """The encoder's pitch analysis (causal YIN, see StreamingYin); used by the
    "harmonic" vocoder, whose latents carry pitch and periodicity next to loudness."""

    f0_min: float = 50.0
    f0_max: float = 1600.0
    threshold: float = 0.1


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
    pitch: PitchConfig = field(default_factory=PitchConfig)
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
        if self.vocoder.kind == "melgan" and up * self.vocoder.bands != self.mel.hop:
            raise ValueError(
                f"vocoder: prod(upsample) * bands = {up * self.vocoder.bands}, must equal the mel hop {self.mel.hop}"
            )
        if self.mel.n_fft % self.mel.hop:
            raise ValueError("mel.n_fft must be a multiple of mel.hop")
        if self.harmonic:
            self._check_pitch()

    def _check_pitch(self) -> None:
        # YIN compares a window with itself one period later: both must fit in n_fft.
        p = self.pitch
        lowest = 2.0 * self.sampling_rate / (self.mel.n_fft - 2)
        if p.f0_min < lowest:
            raise ValueError(
                f"pitch.f0_min: {p.f0_min} Hz is below {lowest:.1f} Hz, the lowest pitch "
                f"a {self.mel.n_fft}-sample window at {self.sampling_rate} Hz can hold"
            )
        if not p.f0_min < p.f0_max <= self.sampling_rate / 4:
            raise ValueError(
                f"pitch.f0_max: must be above f0_min ({p.f0_min}) and at most "
                f"{self.sampling_rate / 4} Hz (a quarter of the rate), got {p.f0_max}"
            )

    @property
    def latent_ratio(self) -> int:
        """Audio samples per latent frame."""
        return self.mel.hop * self.vae.downsample

    @property
    def harmonic(self) -> bool:
        """Whether the latents carry pitch and periodicity (the harmonic vocoder)."""
        return self.vocoder.kind == "harmonic"

    def to_dict(self) -> dict:
        return asdict(self)


def load_config(path: Union[str, Path]) -> ContinuousConfig:
    """Read a YAML config; missing keys take the defaults; types, ranges and unknown
    keys are checked by the one config schema (timbre_rt.validate)."""
    from ...validate import read_model_config

    return read_model_config(path, "continuous", ContinuousConfig)
