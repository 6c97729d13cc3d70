"""Lightning task: the frame VQ-VAE, spectral reconstruction + commitment loss."""

import lightning as L
import torch

from ..models.continuous.config import StageConfig
from ..models.discrete.config import DiscreteConfig
from ..models.discrete.vqvae import VQVAE
from ..nn.loss import MultiResolutionSTFTDistance, MultiScaleMelDistance
from .logging import log_audio


class DiscreteTask(L.LightningModule):
    """Loss = multi-resolution STFT + multi-scale mel distance of the reconstruction
    (its delay removed) + commitment * ||z - sg(q)||^2.

    The codebook is not a parameter: the quantiser moves it by EMA in training
    mode. Logged: codebook usage and perplexity per batch, the fraction of
    codes alive over the last `dead_after` steps, restarts so far.
    Batches: audio [B, 1, T].
    """

    def __init__(self, cfg: DiscreteConfig, stage: StageConfig):
        super().__init__()
        self.cfg = cfg
        self.stage = stage
        self.model = VQVAE(cfg)
        self.mel_distance = MultiScaleMelDistance(cfg.sampling_rate)
        self.stft_distance = MultiResolutionSTFTDistance()

    def configure_optimizers(self):
        return torch.optim.Adam(self.model.parameters(), lr=self.stage.learning_rate)

    def losses(self, audio: torch.Tensor):
        """audio [B, 1, T] -> (total loss, logs, aligned (fake, real))"""
        out = self.model(audio)
        d = self.model.delay
        fake, real = out.audio[..., d:], audio[..., : audio.size(-1) - d]
        stft, mel = self.stft_distance(fake, real), self.mel_distance(fake, real)
        total = stft + mel + self.cfg.vq.commitment * out.vq.commitment
        logs = {
            "stft": stft,
            "mel": mel,
            "commitment": out.vq.commitment,
            "perplexity": out.vq.perplexity,
            "usage": out.vq.usage,
        }
        return total, logs, (fake, real)

    def training_step(self, batch, batch_idx):
        total, logs, _ = self.losses(batch)
        q = self.model.quantizer
        logs["active"] = torch.tensor(q.active_fraction)
        logs["restarts"] = q.restarts.float()
        self.log_dict({f"vq/{k}": v for k, v in logs.items()})
        self.log("vq/loss", total, prog_bar=True)
        self.log("vq/ppl", logs["perplexity"], prog_bar=True)
        return total

    def validation_step(self, batch, batch_idx):
        total, logs, (fake, real) = self.losses(batch)
        self.log("val/loss", total, sync_dist=True, prog_bar=True)
        self.log("val/mel_distance", logs["mel"], sync_dist=True)
        self.log("val/stft_distance", logs["stft"], sync_dist=True)
        self.log("val/perplexity", logs["perplexity"], sync_dist=True)
        self.log("val/usage", logs["usage"], sync_dist=True)
        if batch_idx == 0:
            log_audio(self, fake[0, 0], "vq/reconstruction", self.cfg.sampling_rate)
            log_audio(self, real[0, 0], "vq/target", self.cfg.sampling_rate)
