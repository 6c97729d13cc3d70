"""Building blocks: causal convolutions with in-place caches, audio transforms, spectral losses."""
from .base import CachedModule
from .cached_conv import CachedConv1d
from .cached_conv_transpose import CachedConvTranspose1d
from .cached_frames import CachedFrames
from .grl import GradientReversal
from .loss import (MultiResolutionSTFTDistance, MultiScaleMelDistance, multiresolution_stft_distance,
                   multiscale_mel_distance)
from .mel import MelSpectrogram, StreamingSTFT, log_mel, mel_filterbank, relative_log_mel
from .pqmf import PQMFAnalysis, PQMFResponse, PQMFSynthesis, pqmf_response
from .residual import ResidualStack
from .silence_gate import SilenceGate
from .streaming import collect_caches, set_streaming

__all__ = [
    "CachedModule",
    "CachedConv1d",
    "CachedConvTranspose1d",
    "CachedFrames",
    "GradientReversal",
    "MelSpectrogram",
    "MultiResolutionSTFTDistance",
    "MultiScaleMelDistance",
    "PQMFAnalysis",
    "PQMFResponse",
    "PQMFSynthesis",
    "ResidualStack",
    "pqmf_response",
    "SilenceGate",
    "StreamingSTFT",
    "log_mel",
    "multiresolution_stft_distance",
    "multiscale_mel_distance",
    "mel_filterbank",
    "relative_log_mel",
    "collect_caches",
    "set_streaming",
]
