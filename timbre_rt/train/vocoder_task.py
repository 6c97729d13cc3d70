"""Lightning task: the MelGAN vocoder, spectral losses with an optional GAN term."""

from typing import Dict, Optional

import lightning as L
import torch

from ..models.continuous.codec import build_frontend, build_pitch, build_vocoder
from ..models.continuous.config import ContinuousConfig, StageConfig
from ..models.continuous.discriminator import (
    MultiScaleDiscriminator,
    discriminator_hinge_loss,
    feature_matching_loss,
    generator_hinge_loss,
)
from ..models.continuous.vae import MelVAE
from ..nn.loss import MultiResolutionSTFTDistance, MultiScaleMelDistance
from ..nn.level_loss import FrameLevelDistance
from ..nn.mel import log_mel
from .logging import log_audio

SILENT_MEAN_SQUARE = 1e-6  # -60 dBFS RMS: below it an example is left out of the spectral loss


class VocoderTask(L.LightningModule):
    """Generator from log-mels (and, for the harmonic vocoder, the encoder's pitch) to
    audio delayed by `cfg.vocoder.delay` samples.

    adversarial: add hinge + feature-matching terms from a multi-scale
        discriminator (the spectral losses stay, as in multi-band MelGAN).
    vae_state: when given, the generator learns from the VAE's decoded mels
        (the mels it will get in use) instead of the analysed ones.
    Batches: audio [B, 1, T].
    """

    def __init__(
        self,
        cfg: ContinuousConfig,
        stage: StageConfig,
        *,
        adversarial: bool = False,
        generator_state: Optional[Dict[str, torch.Tensor]] = None,
        vae_state: Optional[Dict[str, torch.Tensor]] = None,
    ):
        super().__init__()
        self.automatic_optimization = False
        self.cfg = cfg
        self.stage = stage
        self.adversarial = adversarial
        self.frontend = build_frontend(cfg).requires_grad_(False)
        self.pitch = build_pitch(cfg).requires_grad_(False) if cfg.harmonic else None
        self.generator = build_vocoder(cfg)
        if generator_state is not None:
            # The PQMF filters are fixed by the code: a state from a model file omits them.
            own = self.generator.state_dict()
            state = {k: v for k, v in generator_state.items() if k in own}
            missing = [k for k in own if k not in state and not k.startswith("pqmf.")]
            if missing:
                raise ValueError(f"generator weights lack {', '.join(missing[:3])}")
            self.generator.load_state_dict(state, strict=False)
        self.vae = None
        if vae_state is not None:
            self.vae = MelVAE(cfg.mel.n_mels, cfg.vae)
            self.vae.load_state_dict(vae_state)
            self.vae.requires_grad_(False).eval()
        self.discriminator = None
        if adversarial:
            d = cfg.discriminator
            self.discriminator = MultiScaleDiscriminator(d.scales, d.channels)
        self.mel_distance = MultiScaleMelDistance(cfg.sampling_rate)
        self.level_distance = FrameLevelDistance()
        self.stft_distance = MultiResolutionSTFTDistance()

    def configure_optimizers(self):
        betas = (0.5, 0.9) if self.adversarial else (0.9, 0.999)
        lr = self.stage.learning_rate
        g = torch.optim.Adam(self.generator.parameters(), lr=lr, betas=betas)
        if self.discriminator is None:
            return g
        return [g, torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=betas)]

    def mels(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [B, 1, T] -> the log-mels the generator is conditioned on."""
        mel, energy = self.frontend(audio)
        if self.vae is None:
            return log_mel(mel)
        with torch.no_grad():
            return self.vae(mel, energy, sample=False).log_mel

    def aligned(self, audio: torch.Tensor):
        """(generated, target): the output and the input it should equal, [B, 1, T - delay]."""
        if self.pitch is None:
            out = self.generator(self.mels(audio))
        else:
            with torch.no_grad():
                f0, periodicity = self.pitch(audio)
            out = self.generator(self.mels(audio), f0, periodicity)
        d = self.cfg.vocoder.delay
        return out[..., d:], audio[..., : audio.size(-1) - d]

    def training_step(self, batch, batch_idx):
        optimizers = self.optimizers()
        g_opt = optimizers[0] if isinstance(optimizers, list) else optimizers
        fake, real = self.aligned(batch)
        # Spectral convergence divides by the reference's norm: a (nearly) silent example
        # (a release tail, a quiet note at a low augmentation gain) gives a loss of 10-50
        # instead of ~3 and its gradient swamps the batch's. Those examples are left out.
        keep = real.square().mean(dim=(1, 2)) > SILENT_MEAN_SQUARE
        if bool(keep.any()):
            fake_heard, real_heard = fake[keep], real[keep]
        else:
            fake_heard, real_heard = fake, real
        spectral = self.stft_distance(fake_heard, real_heard) + self.mel_distance(fake_heard, real_heard)
        logs = {"spectral": spectral, "silent_examples": (~keep).float().sum()}
        g_loss = spectral
        if self.cfg.vocoder.level_weight > 0:
            level = self.level_distance(fake_heard, real_heard)
            logs["level_db"] = level
            g_loss = g_loss + self.cfg.vocoder.level_weight * level
        if self.discriminator is not None:
            d_opt = optimizers[1]
            d_loss = discriminator_hinge_loss(self.discriminator(real), self.discriminator(fake.detach()))
            d_opt.zero_grad()
            self.manual_backward(d_loss)
            d_opt.step()
            with torch.no_grad():  # feature-matching targets only
                real_outs = self.discriminator(real)
            fake_outs = self.discriminator(fake)
            adv = generator_hinge_loss(fake_outs)
            fm = feature_matching_loss(real_outs, fake_outs)
            g_loss = g_loss + adv + self.cfg.discriminator.feature_weight * fm
            logs.update({"disc": d_loss, "gen_adv": adv, "feature_matching": fm})
        g_opt.zero_grad()
        self.manual_backward(g_loss)
        g_opt.step()
        self.log_dict({f"vocoder/{k}": v for k, v in logs.items()})
        self.log("vocoder/loss", g_loss, prog_bar=True)

    def validation_step(self, batch, batch_idx):
        fake, real = self.aligned(batch)
        self.log("val/mel_distance", self.mel_distance(fake, real), sync_dist=True, prog_bar=True)
        self.log("val/stft_distance", self.stft_distance(fake, real), sync_dist=True)
        if batch_idx == 0:
            log_audio(self, fake[0, 0], "vocoder/generated", self.cfg.sampling_rate)
            log_audio(self, real[0, 0], "vocoder/target", self.cfg.sampling_rate)
