"""Building blocks: causal convolutions with in-place caches, audio transforms, pitch
analysis, harmonic-plus-noise synthesis and its level lock, spectral and level losses."""

from .base import CachedModule
from .cached_conv import CachedConv1d
from .cached_conv_transpose import CachedConvTranspose1d
from .cached_frames import CachedFrames
from .grl import GradientReversal
from .harmonic_head import HarmonicHead, exp_sigmoid, pitch_feature
from .harmonic_noise import HarmonicNoiseSynth
from .level_loss import FrameLevelDistance
from .level_lock import LevelLock, noise_power_matrix
from .loss import (
    MultiResolutionSTFTDistance,
    MultiScaleMelDistance,
    multiresolution_stft_distance,
    multiscale_mel_distance,
)
from .mel import MelSpectrogram, StreamingSTFT, log_mel, mel_filterbank, relative_log_mel
from .pitch_input import PitchInput
from .pqmf import PQMFAnalysis, PQMFResponse, PQMFSynthesis, pqmf_response
from .residual import ResidualStack
from .silence_gate import SilenceGate
from .streaming import collect_caches, set_streaming
from .yin import StreamingYin, hz_to_midi, midi_to_hz

__all__ = [
    "CachedModule",
    "CachedConv1d",
    "CachedConvTranspose1d",
    "CachedFrames",
    "FrameLevelDistance",
    "GradientReversal",
    "HarmonicHead",
    "HarmonicNoiseSynth",
    "LevelLock",
    "MelSpectrogram",
    "MultiResolutionSTFTDistance",
    "MultiScaleMelDistance",
    "PitchInput",
    "PQMFAnalysis",
    "PQMFResponse",
    "PQMFSynthesis",
    "ResidualStack",
    "pqmf_response",
    "SilenceGate",
    "StreamingSTFT",
    "StreamingYin",
    "exp_sigmoid",
    "hz_to_midi",
    "midi_to_hz",
    "pitch_feature",
    "log_mel",
    "multiresolution_stft_distance",
    "multiscale_mel_distance",
    "mel_filterbank",
    "noise_power_matrix",
    "relative_log_mel",
    "collect_caches",
    "set_streaming",
]
