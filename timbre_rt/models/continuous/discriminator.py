"""MelGAN multi-scale discriminator (training only: not exported, not causal)."""

from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm


class ScaleDiscriminator(nn.Module):
    """x: [B, 1, T] -> (score: [B, 1, T'], features: list of [B, C_i, T_i])"""

    def __init__(self, channels: Sequence[int]):
        super().__init__()
        layers = [weight_norm(nn.Conv1d(1, channels[0], 15, padding=7))]
        c = channels[0]
        for nxt in channels[1:]:
            groups = max(1, c // 4)
            layers.append(weight_norm(nn.Conv1d(c, nxt, 41, stride=4, padding=20, groups=groups)))
            c = nxt
        layers.append(weight_norm(nn.Conv1d(c, c, 5, padding=2)))
        self.layers = nn.ModuleList(layers)
        self.out = weight_norm(nn.Conv1d(c, 1, 3, padding=1))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        features = []
        for layer in self.layers:
            x = F.leaky_relu(layer(x), 0.2)
            features.append(x)
        return self.out(x), features


class MultiScaleDiscriminator(nn.Module):
    """The same discriminator at rate, rate/2, rate/4 ...

    x: [B, 1, T] -> list over scales of (score, features)
    """

    def __init__(self, scales: int = 3, channels: Sequence[int] = (16, 64, 256, 512)):
        super().__init__()
        self.discriminators = nn.ModuleList([ScaleDiscriminator(channels) for _ in range(scales)])

    def forward(self, x: torch.Tensor):
        outs = []
        for i, d in enumerate(self.discriminators):
            if i > 0:
                x = F.avg_pool1d(x, 4, stride=2, padding=1, count_include_pad=False)
            outs.append(d(x))
        return outs


def discriminator_hinge_loss(real_outs, fake_outs) -> torch.Tensor:
    loss = 0.0
    for (real, _), (fake, _) in zip(real_outs, fake_outs):
        loss = loss + F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    return loss / len(real_outs)


def generator_hinge_loss(fake_outs) -> torch.Tensor:
    return sum(-fake.mean() for fake, _ in fake_outs) / len(fake_outs)


def feature_matching_loss(real_outs, fake_outs) -> torch.Tensor:
    loss, n = 0.0, 0
    for (_, real_feats), (_, fake_feats) in zip(real_outs, fake_outs):
        for r, f in zip(real_feats, fake_feats):
            loss = loss + F.l1_loss(f, r.detach())
            n += 1
    return loss / n
