"""The exported continuous model: audio <-> [timbre latent z, (pitch, periodicity,) loudness]."""

from typing import Union

import torch

from ...export.model import StreamingModel
from ...nn.mel import MelSpectrogram, log_mel, relative_log_mel
from ...nn.silence_gate import SilenceGate
from ...nn.yin import StreamingYin
from .config import ContinuousConfig
from .harmonic_vocoder import HarmonicVocoder
from .latent_order import LatentOrder, LatentOrderFit, fit_latent_order
from .vae import MelVAE, latent_loudness
from .vocoder import MelGANGenerator

Vocoder = Union[MelGANGenerator, HarmonicVocoder]
# What decode accepts, beyond which a channel is clamped: a NaN or an infinity from a
# host (a Pd inlet, a knob) must not reach the caches, or every later call is NaN too.
LATENT_LIMIT = 10.0  # z: posterior means on N(0, 1) axes
LOUDNESS_RANGE = (-100.0, 20.0)  # dB; NaN reads as silence


def build_frontend(cfg: ContinuousConfig) -> MelSpectrogram:
    m = cfg.mel
    return MelSpectrogram(cfg.sampling_rate, m.n_fft, m.hop, m.n_mels, m.fmin, m.fmax)


def build_pitch(cfg: ContinuousConfig) -> StreamingYin:
    """The encoder's pitch analysis: one estimate per latent frame."""
    p = cfg.pitch
    return StreamingYin(cfg.sampling_rate, cfg.mel.n_fft, cfg.latent_ratio, p.f0_min, p.f0_max, p.threshold)


def build_vocoder(cfg: ContinuousConfig) -> Vocoder:
    if cfg.harmonic:
        return HarmonicVocoder(cfg.mel.n_mels, cfg.mel.hop, cfg.vae.downsample, cfg.sampling_rate, cfg.vocoder)
    return MelGANGenerator(cfg.mel.n_mels, cfg.vocoder)


def latent_names(cfg: ContinuousConfig) -> list:
    pitch = ["pitch", "periodicity"] if cfg.harmonic else []
    return [f"z{i}" for i in range(cfg.vae.latent_dims)] + pitch + ["loudness"]


class ContinuousCodec(StreamingModel):
    """Frontend + VAE + vocoder behind the model file contract.

    encode:    audio [B, 1, T] -> [B, C, T / ratio]: z (posterior mean on its principal
               axes, most varied first: see LatentOrder), then loudness dB (C = D + 1;
               HarmonicCodec puts pitch and periodicity before the loudness: C = D + 3)
    decode:    [B, C, T / ratio] -> audio [B, 1, T], exactly 0 where the loudness
               channel says silence (SilenceGate)
    forward:   decode(encode(x))
    posterior: audio [B, 1, T] -> [B, 2 D, T / ratio]: mean then log-variance (evaluation)

    A latent frame is stamped at the end of its block; the whole reconstruction
    delay (the vocoder's) is declared on decode.
    """

    def __init__(self, cfg: ContinuousConfig, vae: MelVAE, vocoder: Vocoder):
        d = cfg.vae.latent_dims
        names = latent_names(cfg)
        super().__init__(cfg.sampling_rate, "continuous", names)
        self.frontend = build_frontend(cfg)
        self.latent_limit = LATENT_LIMIT  # TorchScript reads attributes, not globals
        self.loudness_min, self.loudness_max = LOUDNESS_RANGE
        self.encoder = vae.encoder
        self.normalize_level = cfg.vae.normalize_level
        self.decoder = vae.decoder
        self.vocoder = vocoder
        self.gate = SilenceGate(cfg.latent_ratio, cfg.vocoder.silence_floor_db)
        self.order = LatentOrder(d)
        # Each z dimension's share of the latent variance (uniform until order_latents).
        self.register_buffer("latent_share", torch.full((d,), 1.0 / d))
        self.latent_dims = d
        self.downsample = cfg.vae.downsample
        self.mel_n_fft = cfg.mel.n_fft
        self.mel_hop = cfg.mel.hop
        self.mel_n_mels = cfg.mel.n_mels
        self.mel_fmin = float(cfg.mel.fmin)
        self.mel_fmax = float(cfg.mel.fmax)
        ratio = cfg.latent_ratio
        delay = cfg.vocoder.delay
        c = len(names)
        self.declare_method("encode", 1, 1, c, ratio)
        self.declare_method("decode", c, ratio, 1, 1, latency=delay)
        self.declare_method("forward", 1, 1, 1, 1, latency=delay)
        self.declare_method("posterior", 1, 1, 2 * d, ratio)

    def _analyse(self, x: torch.Tensor):
        # Same as MelVAE.encode (which TorchScript cannot take whole: its
        # adversary is training-only).
        mel, energy = self.frontend(x)
        if self.normalize_level:
            mu, logvar = self.encoder(relative_log_mel(mel, energy))
        else:
            mu, logvar = self.encoder(log_mel(mel))
        return mu, logvar, latent_loudness(energy, self.downsample)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, C, T / ratio]"""
        mu, _, loudness = self._analyse(x)
        return torch.cat([self.order.ordered(mu), loudness], dim=1)

    @torch.jit.export
    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 1, T] -> [B, 2 D, T / ratio]"""
        mu, logvar, _ = self._analyse(x)
        return torch.cat([self.order.ordered(mu), self.order.logvar(logvar)], dim=1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, C, T / ratio] -> [B, 1, T]"""
        timbre, loudness = self.clean_latents(z)
        return self.vocoder(self.decoder(timbre, loudness)) * self.gate(loudness)

    def clean_latents(self, z: torch.Tensor):
        """z: [B, C, L] -> (z dims on the decoder's axes [B, D, L], loudness dB [B, 1, L]),
        NaN and infinities replaced (z: 0 and +-LATENT_LIMIT; loudness: silence)."""
        timbre = torch.nan_to_num(z.narrow(1, 0, self.latent_dims), nan=0.0)
        timbre = torch.clamp(timbre, -self.latent_limit, self.latent_limit)
        loudness = torch.nan_to_num(z.narrow(1, z.size(1) - 1, 1), nan=self.loudness_min)
        loudness = torch.clamp(loudness, self.loudness_min, self.loudness_max)
        return self.order.unordered(timbre), loudness

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


@torch.no_grad()
def order_latents(codec: ContinuousCodec, clips, min_db: float = -70.0) -> LatentOrderFit:
    """Fit and load the codec's latent order from audio clips (each [1, 1, T]); frames
    quieter than min_db do not count. Returns the fit (its `share` is stored too)."""
    means = []
    ratio = codec.mel_hop * codec.downsample
    for clip in clips:
        clip = clip.reshape(1, 1, -1)
        mu, _, loudness = codec._analyse(clip[..., : clip.size(-1) // ratio * ratio])
        keep = loudness[0, 0] > min_db
        means.append(mu[0][:, keep].T)
    frames = torch.cat(means) if means else torch.zeros(0, codec.latent_dims)
    fit = fit_latent_order(frames.double().numpy())
    codec.order.load_fit(fit)
    codec.latent_share.copy_(torch.from_numpy(fit.share).float())
    return fit


def build_codec(cfg: ContinuousConfig, vae_state: dict, vocoder_state: dict) -> ContinuousCodec:
    """Rebuild the exportable codec from the training stages' weights."""
    vae = MelVAE(cfg.mel.n_mels, cfg.vae)
    vae.load_state_dict(vae_state)
    vocoder = build_vocoder(cfg)
    vocoder.load_state_dict(vocoder_state)
    return make_codec(cfg, vae, vocoder)


def make_codec(cfg: ContinuousConfig, vae: MelVAE, vocoder: Vocoder) -> ContinuousCodec:
    """The codec class the config's vocoder needs."""
    if cfg.harmonic:
        from .harmonic_codec import HarmonicCodec

        return HarmonicCodec(cfg, vae, vocoder)
    return ContinuousCodec(cfg, vae, vocoder)


def states_from_file(path: str):
    """(VAE state, vocoder state) of an exported continuous model file: to start training
    from it, or to export its weights again with newer code (see codec_from_file).

    The PQMF filters are left out: they are fixed by the code, not learned. The VAE
    state lacks the training-only loudness adversary."""
    try:
        scripted = torch.jit.load(str(path), map_location="cpu")
    except (RuntimeError, ValueError) as e:
        raise ValueError(f"{path}: cannot load the model file to start from: {e}") from None
    state = scripted.state_dict()
    vocoder = {
        k[len("vocoder.") :]: v
        for k, v in state.items()
        if k.startswith("vocoder.") and not k.startswith("vocoder.pqmf.")
    }
    vae = {k: v for k, v in state.items() if k.startswith(("encoder.", "decoder."))}
    if not vocoder:
        raise ValueError(f"{path}: holds no vocoder weights (not a continuous model file?)")
    return vae, vocoder


def vocoder_state_from_file(path: str) -> dict:
    """The vocoder weights of an exported continuous model file (see states_from_file)."""
    return states_from_file(path)[1]


def codec_from_file(path: str, cfg: ContinuousConfig) -> ContinuousCodec:
    """Rebuild the codec of an exported file (made with `cfg`) with this version's code:
    its weights and latent order (identity if it has none), today's streaming blocks
    and silence gate."""
    vae_state, vocoder_state = states_from_file(path)
    kept = {
        k: v
        for k, v in torch.jit.load(str(path), map_location="cpu").state_dict().items()
        if k.startswith("order.") or k == "latent_share"
    }  # a file that was ordered stays so
    vae = MelVAE(cfg.mel.n_mels, cfg.vae)
    missing = [k for k in vae.state_dict() if k not in vae_state and not k.startswith("adversary.")]
    if missing:
        raise ValueError(f"{path}: VAE weights lack {', '.join(missing[:3])}")
    vae.load_state_dict(vae_state, strict=False)
    vocoder = build_vocoder(cfg)
    own = vocoder.state_dict()
    vocoder.load_state_dict({k: v for k, v in vocoder_state.items() if k in own}, strict=False)
    codec = make_codec(cfg, vae, vocoder)
    codec.load_state_dict({**codec.state_dict(), **kept})
    return codec
