"""Live code choice for descriptor targets: nearest code with a stay bonus (hysteresis)."""

import torch

from ...nn.base import CachedModule


class CodePicker(CachedModule):
    """Per frame, the code whose standardised descriptors are nearest the target.

    Cost of code k at frame n = weighted mean over the given descriptors of
    (target - table[k])^2, targets clipped to the table's range; the previous frame's code gets `stay_bonus` off,
    so the choice does not flicker between near-equal codes. NaN targets are
    ignored (a frame with no target at all keeps the previous code). Viterbi
    would need the future: this is the causal, streamable version.
    `cache` holds the previous code + 1 (0 = none: reset starts afresh).

    targets: [B, N, D], table: [K, D], weights: [D] -> codes [B, N] (long)
    """

    def __init__(self, stay_bonus: float = 0.25):
        super().__init__(1, 1)
        self.stay_bonus = float(stay_bonus)

    def forward(self, targets: torch.Tensor, table: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        b, n, _ = targets.shape
        # A target beyond every code means "the furthest code that way", not a distance
        # so large that this one descriptor outweighs all the others.
        targets = torch.minimum(torch.maximum(targets, table.min(0).values), table.max(0).values)
        given = ~torch.isnan(targets)
        w = weights * given.to(weights.dtype)  # [B, N, D]
        diff = torch.nan_to_num(targets)[:, :, None, :] - table[None, None]
        total = w.sum(-1, keepdim=True)  # [B, N, 1]
        cost = (w[:, :, None, :] * diff.square()).sum(-1) / total.clamp(min=1e-12)  # [B, N, K]
        if self.streaming:
            self._match_batch(b)
            prev = self.cache[:, 0, 0].round().long() - 1
        else:
            prev = torch.full([b], -1, dtype=torch.long, device=targets.device)
        codes = []
        for i in range(n):
            c = cost[:, i].clone()
            has_prev = prev >= 0
            idx = prev.clamp(min=0)
            bonus = torch.where(has_prev, torch.full_like(c[:, 0], self.stay_bonus), torch.zeros_like(c[:, 0]))
            c.scatter_add_(1, idx[:, None], -bonus[:, None])
            k = c.argmin(-1)
            # Nothing to match: hold the previous code (code 0 if there is none).
            k = torch.where(total[:, i, 0] > 0, k, idx)
            codes.append(k)
            prev = k
        out = torch.stack(codes, dim=1)
        if self.streaming and n > 0:
            self.cache.copy_((out[:, -1] + 1).to(self.cache.dtype)[:, None, None])
        return out
