"""The exported discrete model: audio <-> [code, gain], and live descriptor synthesis."""

from typing import List

import numpy as np
import torch

from ...export.model import StreamingModel
from ...nn.streaming import set_streaming
from .config import DiscreteConfig
from .descriptors import DESCRIPTOR_NAMES, Framing, code_descriptors
from .loop_synthesis import LoopSynthesis
from .picker import CodePicker
from .table import standardisation, to_scale
from .vqvae import VQVAE


# Default weights of the descriptors in the choice of codes (others: 1). The voicing
# confidence is a hint, not a target worth a pitch or a brightness.
DEFAULT_WEIGHTS = {"loudness": 0.0, "f0_confidence": 0.25}
# With the harmonic decoder the pitch channel plays f0, whatever the code: a code is
# chosen for its timbre only.
HARMONIC_WEIGHTS = {"loudness": 0.0, "f0": 0.0, "f0_confidence": 0.0}


class DiscreteCodec(StreamingModel):
    """Frame VQ-VAE behind the model file contract (one frame = `hop` samples).

    encode:     audio [B, 1, T] -> [B, 2, T / hop]: code index (as float), gain (frame RMS)
    decode:     [B, 2, T / hop] -> audio [B, 1, T]; codes are rounded and clamped to [0, K)
    forward:    decode(encode(x))
    synthesize: [B, D + 1, T / hop] -> audio [B, 1, T]: per frame D descriptor targets on
                the standard scale (log for frequencies and flatness, then z-scored by the
                codebook's mean / std: 0 = the codebook's average, NaN = no target) in the
                order of `descriptor_names`, then the gain; see CodePicker.

    decode(encode(x)) is x delayed by window - hop samples (declared on decode, forward and
    synthesize). Descriptor table: `descriptors` [K, D] in natural units, `descriptor_names`,
    `descriptor_mean` / `descriptor_std` / `descriptor_log` (the standard scale),
    `synth_weights` [D] (DEFAULT_WEIGHTS: loudness 0, it sets the gain, not the code).
    """

    descriptor_names: List[str]

    def __init__(self, cfg: DiscreteConfig, vqvae: VQVAE):
        latents = ["code", "gain"] + (["pitch", "periodicity"] if cfg.harmonic_synthesis else [])
        super().__init__(cfg.sampling_rate, "discrete", latents)
        f, v = cfg.frames, cfg.vq
        self.net = vqvae.net
        self.codebook = vqvae.quantizer.codebook
        self.codes = v.codes
        self.frame_window = f.window
        self.frame_hop = f.hop
        self.f0_min = float(cfg.descriptors.f0_min)
        self.f0_max = float(cfg.descriptors.f0_max)
        self.picker = CodePicker(cfg.descriptors.stay_bonus)
        if not cfg.harmonic_synthesis:
            self.live_synthesis = LoopSynthesis(f.window, f.hop)  # its own stream state
        names = list(DESCRIPTOR_NAMES)
        d = len(names)
        self.descriptor_names = names
        self.register_buffer("descriptors", torch.zeros(v.codes, d))
        self.register_buffer("descriptor_log", torch.zeros(d))
        self.register_buffer("descriptor_mean", torch.zeros(d))
        self.register_buffer("descriptor_std", torch.ones(d))
        self.register_buffer("standard_table", torch.zeros(v.codes, d))
        weights = HARMONIC_WEIGHTS if cfg.harmonic_synthesis else DEFAULT_WEIGHTS
        self.register_buffer("synth_weights", torch.tensor([weights.get(n, 1.0) for n in names]))
        delay = cfg.delay
        self.declare_method("encode", 1, 1, len(latents), f.hop)
        self.declare_method("decode", len(latents), f.hop, 1, 1, latency=delay)
        self.declare_method("forward", 1, 1, 1, 1, latency=delay)
        self.declare_method("synthesize", d + 1, f.hop, 1, 1, latency=delay)

    def set_descriptors(self, table: np.ndarray) -> None:
        """table: [K, D] natural units, columns in `descriptor_names` order."""
        table = np.asarray(table, dtype=np.float64)
        if table.shape != tuple(self.descriptors.shape) or not np.isfinite(table).all():
            raise ValueError(f"descriptor table must be finite {tuple(self.descriptors.shape)}, got {table.shape}")
        log_mask, mean, std = standardisation(table, self.descriptor_names)
        scaled = to_scale(table, log_mask)
        as_tensor = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float32))  # noqa: E731
        self.descriptors.copy_(as_tensor(table))
        self.descriptor_log.copy_(as_tensor(log_mask))
        self.descriptor_mean.copy_(as_tensor(mean))
        self.descriptor_std.copy_(as_tensor(std))
        self.standard_table.copy_(as_tensor((scaled - mean) / std))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, 2, T / hop]"""
        vectors, gains = self.net.analyse(x)
        codes = self.codebook.nearest(vectors).to(x.dtype)
        return torch.stack([codes, gains], dim=1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, 2, T / hop] -> [B, 1, T]"""
        codes = torch.nan_to_num(z[:, 0]).round().clamp(0, self.codes - 1).long()
        gains = torch.nan_to_num(z[:, 1])
        return self.net.decode_frames(self.codebook.lookup(codes), gains)

    @torch.jit.export
    def synthesize(self, targets: torch.Tensor) -> torch.Tensor:
        """targets: [B, D + 1, T / hop] -> [B, 1, T]"""
        d = self.standard_table.size(1)
        codes = self.picker(targets[:, :d].transpose(1, 2), self.standard_table, self.synth_weights)
        gains = torch.nan_to_num(targets[:, d])
        return self.live_synthesis(self.net.decoder(self.codebook.lookup(codes)), gains)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    @torch.jit.unused
    def held_decode(self, z: torch.Tensor) -> torch.Tensor:
        """decode of [code, gain] frames [B, 2, N], the codes' descriptors are measured on."""
        return self.decode(z)

    @torch.jit.unused
    def streaming_synthesis(self) -> bool:
        return self.net.synthesis.overlap_add.streaming


def build_codec(cfg: DiscreteConfig, state: dict) -> DiscreteCodec:
    """The exportable codec from the training stage's VQVAE weights (no descriptors yet)."""
    vqvae = VQVAE(cfg)
    vqvae.load_state_dict(state)
    if cfg.harmonic_synthesis:
        from .harmonic_codec import HarmonicDiscreteCodec

        return HarmonicDiscreteCodec(cfg, vqvae).eval()
    return DiscreteCodec(cfg, vqvae).eval()


def vqvae_state_from_file(path: str) -> dict:
    """The VQ-VAE weights of an exported discrete model file (the frame codec and the
    codebook; not the quantiser's training statistics): to export them again with newer
    code (see codec_from_file)."""
    try:
        state = torch.jit.load(str(path), map_location="cpu").state_dict()
    except (RuntimeError, ValueError) as e:
        raise ValueError(f"{path}: cannot load the model file: {e}") from None
    if "codebook.embeddings" not in state:
        raise ValueError(f"{path}: holds no codebook (not a discrete model file?)")
    weights = {k: v for k, v in state.items() if k.startswith("net.")}
    weights["quantizer.codebook.embeddings"] = state["codebook.embeddings"]
    return weights


def codec_from_file(path: str, cfg: DiscreteConfig) -> DiscreteCodec:
    """Rebuild the codec of an exported file (made with `cfg`) with this version's code;
    its descriptor table is left to describe_codes."""
    weights = vqvae_state_from_file(path)
    vqvae = VQVAE(cfg)
    missing = [name for name, _ in vqvae.named_parameters() if name not in weights]
    missing += [k for k in ("quantizer.codebook.embeddings",) if weights[k].shape != vqvae.state_dict()[k].shape]
    if missing:
        raise ValueError(f"{path}: does not hold the weights of this config's model ({', '.join(missing[:3])})")
    own = vqvae.state_dict()
    vqvae.load_state_dict({k: v for k, v in weights.items() if k in own and v.shape == own[k].shape}, strict=False)
    return build_codec(cfg, vqvae.state_dict())


def describe_codes(codec: DiscreteCodec, seconds: float = 0.25, progress: bool = True) -> np.ndarray:
    """Measure every code's descriptors (see code_descriptors) and store them in `codec`.

    Returns the table [K, D]. Runs the eager decode with streaming off.
    """
    framing = Framing(codec.sampling_rate, codec.frame_window, codec.frame_hop, codec.f0_min, codec.f0_max)
    streaming = codec.streaming_synthesis()
    set_streaming(codec.net.synthesis, False)
    try:
        table = code_descriptors(codec.held_decode, codec.codes, framing, seconds, progress)
    finally:
        set_streaming(codec.net.synthesis, streaming)
    codec.set_descriptors(table)
    return table
