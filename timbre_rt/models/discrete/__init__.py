"""Discrete timbre model: level-invariant VQ-VAE on waveform frames, its code descriptors,
live descriptor synthesis (CodePicker). Offline synthesis and the codebook tools are
timbre_rt.synth, its evaluation timbre_rt.evaluate.discrete."""

from .codec import DiscreteCodec, build_codec, describe_codes
from .config import DiscreteConfig, load_config
from .descriptors import DESCRIPTOR_NAMES, LOG_SCALED, UNITS, Framing, analyse, code_descriptors
from .frame_codec import FrameCodec, frame_gain
from .loop_synthesis import FrameClock, LoopSynthesis
from .overlap_add import OverlapAdd
from .picker import CodePicker
from .table import CodeTable
from .vqvae import VQVAE, VQVAEOutput

__all__ = [
    "DESCRIPTOR_NAMES",
    "LOG_SCALED",
    "UNITS",
    "CodePicker",
    "CodeTable",
    "DiscreteCodec",
    "DiscreteConfig",
    "FrameClock",
    "FrameCodec",
    "Framing",
    "LoopSynthesis",
    "OverlapAdd",
    "VQVAE",
    "VQVAEOutput",
    "analyse",
    "build_codec",
    "code_descriptors",
    "describe_codes",
    "frame_gain",
    "load_config",
]
