"""Discrete timbre model: level-invariant VQ-VAE on waveform frames, code descriptors,
descriptor-based synthesis."""
from .codec import DiscreteCodec, build_codec, describe_codes
from .config import DiscreteConfig, load_config
from .descriptors import DESCRIPTOR_NAMES, LOG_SCALED, UNITS, Framing, analyse, code_descriptors
from .frame_codec import FrameCodec, frame_gain
from .loop_synthesis import FrameClock, LoopSynthesis
from .overlap_add import OverlapAdd
from .picker import CodePicker
from .synth import SynthResult, descriptor_errors, frame_costs, synthesize
from .table import CodeTable
from .targets import TargetError, Targets, read_targets, targets_like
from .viterbi import embedding_transitions, viterbi
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
    "SynthResult",
    "TargetError",
    "Targets",
    "VQVAE",
    "VQVAEOutput",
    "analyse",
    "build_codec",
    "code_descriptors",
    "describe_codes",
    "descriptor_errors",
    "embedding_transitions",
    "frame_costs",
    "frame_gain",
    "load_config",
    "read_targets",
    "synthesize",
    "targets_like",
    "viterbi",
]
