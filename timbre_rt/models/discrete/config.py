"""Hyper-parameters of the discrete model, read from a YAML file (models/discrete.yaml)."""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Union

# One stage description for every model kind (make_loaders reads batch_size and segment).
from ..continuous.config import StageConfig


@dataclass
class FrameConfig:
    window: int = 2048  # samples per analysed / decoded frame
    hop: int = 512  # samples between frames: one code per hop
    # "loops": a code decodes to a waveform loop (pitch on a grid of rate / hop).
    # "harmonic": to harmonics of the frame's measured pitch plus noise (see
    # harmonic_frames.py); the latents then carry pitch and periodicity.
    synthesis: str = "loops"
    # Frames quieter than this RMS are scaled up as if they had it: below it
    # (digital silence, dither) the code cannot be level invariant anyway.
    gain_floor: float = 1e-5


@dataclass
class MLPConfig:
    hidden: int = 512
    layers: int = 2  # hidden layers


@dataclass
class HarmonicConfig:
    """The harmonic decoder (frames.synthesis: harmonic) and its pitch analysis."""

    harmonics: int = 64
    noise_bands: int = 65
    f0_min: float = 50.0  # causal YIN on each frame's window
    f0_max: float = 1600.0
    threshold: float = 0.1
    # Scale each frame's harmonics and noise to its gain (LevelLock) in the exported
    # model: a frame plays at the RMS its gain channel says, whatever level the decoder
    # predicts for the code. Training is the same either way.
    level_lock: bool = False


@dataclass
class VQConfig:
    codes: int = 256
    dim: int = 32
    decay: float = 0.99
    commitment: float = 0.25  # weight of ||z - sg(q)||^2 in the loss
    kmeans_batches: int = 50  # warm-up batches (no quantisation) before k-means seeds the codebook
    kmeans_iters: int = 20
    dead_after: int = 50  # training steps without use before a code is restarted
    memory: int = 4096  # the last encoder outputs of the warm-up, for k-means


@dataclass
class DescriptorConfig:
    render_seconds: float = 0.25  # each code held this long when its descriptors are measured
    f0_min: float = 65.0  # pYIN search range, Hz
    f0_max: float = 2093.0
    stay_bonus: float = 0.25  # live synthesize: hysteresis, in mean squared z-score units


@dataclass
class DiscreteConfig:
    """Everything needed to rebuild and train the model (see models/discrete.yaml)."""

    sampling_rate: int = 24000
    frames: FrameConfig = field(default_factory=FrameConfig)
    encoder: MLPConfig = field(default_factory=MLPConfig)
    decoder: MLPConfig = field(default_factory=MLPConfig)
    vq: VQConfig = field(default_factory=VQConfig)
    harmonic: HarmonicConfig = field(default_factory=HarmonicConfig)
    descriptors: DescriptorConfig = field(default_factory=DescriptorConfig)
    vqvae_stage: StageConfig = field(default_factory=lambda: StageConfig(steps=20000, segment=8192, learning_rate=5e-4))
    validate_every: int = 500

    def __post_init__(self):
        from ...validate import RANGES, coerce_sections

        coerce_sections(self, RANGES)  # sections given as mappings (YAML, tests)
        f = self.frames
        if not 1 <= f.hop <= f.window or f.window % f.hop:
            raise ValueError(f"frames: need window a multiple of hop, got {f.window}, {f.hop}")
        if self.vqvae_stage.segment % f.hop or self.vqvae_stage.segment <= f.window:
            raise ValueError(f"vqvae_stage.segment must be a multiple of hop {f.hop} longer than the window {f.window}")
        if self.vq.codes < 2 or self.vq.dim < 1:
            raise ValueError("vq: need codes >= 2 and dim >= 1")
        h = self.harmonic
        if self.harmonic_synthesis and self.sampling_rate / h.f0_min + 1 >= f.window // 2:
            raise ValueError(
                f"harmonic.f0_min: {h.f0_min} Hz needs frames longer than {f.window} samples at {self.sampling_rate} Hz"
            )

    @property
    def harmonic_synthesis(self) -> bool:
        return self.frames.synthesis == "harmonic"

    @property
    def delay(self) -> int:
        """Samples by which decode(encode(x)) lags x: a loop is decoded where its frame
        began; harmonics ramp to their frame's values at its centre."""
        if self.harmonic_synthesis:
            return self.frames.window // 2
        return self.frames.window - self.frames.hop

    def to_dict(self) -> dict:
        return asdict(self)


def load_config(path: Union[str, Path]) -> DiscreteConfig:
    """Read a YAML config; missing keys take the defaults; types, ranges and unknown
    keys are checked by the one config schema (timbre_rt.validate)."""
    from ...validate import read_model_config

    return read_model_config(path, "discrete", DiscreteConfig)
