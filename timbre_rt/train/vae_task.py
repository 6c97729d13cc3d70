"""Lightning task: the mel VAE with its loudness adversary (domain adaptation)."""

import lightning as L
import torch
import torch.nn.functional as F

from ..models.continuous.codec import build_frontend
from ..models.continuous.config import ContinuousConfig, StageConfig
from ..models.continuous.vae import MelVAE, kl_divergence
from ..nn.mel import log_mel
from .logging import log_latent_figure


def ramp(step: int, steps: int) -> float:
    """0 -> 1 linearly over `steps` (1 at once when steps <= 0)."""
    return 1.0 if steps <= 0 else min(1.0, step / steps)


class VAETask(L.LightningModule):
    """Loss = L1(log-mel) + beta * KL + adversary cross-entropy.

    The adversary learns to classify loudness from z; the gradient reversal
    makes the encoder remove it, with a weight ramped from 0 so the
    reconstruction settles first.
    Batches: audio [B, 1, T].
    """

    def __init__(self, cfg: ContinuousConfig, stage: StageConfig):
        super().__init__()
        self.cfg = cfg
        self.stage = stage
        self.frontend = build_frontend(cfg)
        self.vae = MelVAE(cfg.mel.n_mels, cfg.vae)
        self.frontend.requires_grad_(False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.vae.parameters(), lr=self.stage.learning_rate)

    def _losses(self, audio: torch.Tensor, step: int):
        vae_cfg = self.cfg.vae
        # Random gain: the same timbre at many loudnesses gives the adversary
        # something to find, and the encoder something to drop.
        gain_db = torch.empty(audio.size(0), 1, 1, device=audio.device).uniform_(-30.0, 0.0)
        audio = audio * 10.0 ** (gain_db / 20.0)
        mel, energy = self.frontend(audio)
        out = self.vae(mel, energy)
        recon = F.l1_loss(out.log_mel, log_mel(mel))
        kl = kl_divergence(out.mu, out.logvar).sum(1).mean()
        beta = vae_cfg.beta * ramp(step, vae_cfg.kl_warmup_steps)
        self.vae.adversary.reverse.weight = vae_cfg.adversary_weight * ramp(step, vae_cfg.adversary_ramp_steps)
        logits = self.vae.adversary(out.z)
        classes = self.vae.adversary.classes(out.loudness_db)
        adversary = F.cross_entropy(logits, classes)
        accuracy = (logits.argmax(1) == classes).float().mean()
        # With adversary_weight 0 the classifier still trains (reversal weight 0
        # stops its gradient at z), so its accuracy measures the ablation too.
        total = recon + beta * kl + adversary
        return (
            total,
            {
                "recon": recon,
                "kl": kl,
                "adversary_ce": adversary,
                "adversary_acc": accuracy,
                "beta": torch.tensor(beta),
            },
            out,
        )

    def training_step(self, batch, batch_idx):
        total, logs, _ = self._losses(batch, self.global_step)
        self.log_dict({f"vae/{k}": v for k, v in logs.items()}, prog_bar=False)
        self.log("vae/loss", total, prog_bar=True)
        return total

    def validation_step(self, batch, batch_idx):
        _, logs, out = self._losses(batch, self.global_step)
        self.log_dict({f"val/{k}": v for k, v in logs.items() if k != "beta"}, sync_dist=True)
        if batch_idx == 0:
            log_latent_figure(self, out.mu[0], out.loudness_db[0, 0], "vae/latent")
