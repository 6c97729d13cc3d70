"""Vector quantiser: EMA codebook updates, k-means initialisation, dead-code restart."""

from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def nearest_indices(x: torch.Tensor, embeddings: torch.Tensor) -> torch.Tensor:
    """x: [..., D], embeddings: [K, D] -> index of the nearest embedding [...] (long)."""
    flat = x.reshape(-1, embeddings.size(1))
    dist2 = flat.square().sum(1, keepdim=True) - 2.0 * flat @ embeddings.t() + embeddings.square().sum(1)[None]
    return dist2.argmin(1).reshape(x.shape[:-1])


class Codebook(nn.Module):
    """K code vectors and the nearest-code search: what an exported model keeps.

    embeddings: [K, D] buffer (moved by the EMA of `VectorQuantizer`, not by gradients).
    """

    def __init__(self, codes: int, dim: int):
        super().__init__()
        if codes < 1 or dim < 1:
            raise ValueError(f"need codes >= 1 and dim >= 1, got {codes}, {dim}")
        self.codes = codes
        self.dim = dim
        self.register_buffer("embeddings", torch.randn(codes, dim))

    def nearest(self, x: torch.Tensor) -> torch.Tensor:
        """x: [..., D] -> code indices [...] (long), by Euclidean distance."""
        return nearest_indices(x, self.embeddings)

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        """indices: [...] long -> code vectors [..., D]"""
        return F.embedding(indices, self.embeddings)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [..., D] -> the nearest code vectors [..., D]"""
        return self.lookup(self.nearest(x))


@dataclass
class VQOutput:
    """quantized: [..., D] (straight-through gradient to the input); indices: [...];
    commitment: scalar ||x - sg(q)||^2; perplexity: exp(entropy) of this batch's
    code histogram; usage: fraction of codes used in this batch."""

    quantized: torch.Tensor
    indices: torch.Tensor
    commitment: torch.Tensor
    perplexity: torch.Tensor
    usage: torch.Tensor


class VectorQuantizer(nn.Module):
    """Nearest-code quantisation whose codebook follows the data by EMA.

    Until `kmeans_batches` training batches have been seen the input passes
    through unquantised (the decoder warms up on continuous vectors) while
    the encoder outputs are remembered; then k-means on them seeds the
    codebook. Afterwards every training call moves each code to the EMA mean
    of the vectors assigned to it, and a code unused for `dead_after` calls
    is restarted on a random encoder output of the current batch (collapse,
    where a few codes take everything, is the known failure of VQ training).

    Args:
        codes, dim: codebook size K and vector size D.
        decay: EMA decay of the per-code counts and sums.
        kmeans_batches, kmeans_iters: batches remembered before k-means; its iterations.
        dead_after: training calls without an assignment before a restart (0: never).
        memory: how many of the first batches' encoder outputs k-means may use.
    """

    def __init__(
        self,
        codes: int,
        dim: int,
        decay: float = 0.99,
        kmeans_batches: int = 10,
        kmeans_iters: int = 20,
        dead_after: int = 100,
        memory: int = 8192,
        eps: float = 1e-5,
    ):
        super().__init__()
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay}")
        self.codebook = Codebook(codes, dim)
        self.codes, self.dim, self.decay, self.eps = codes, dim, decay, eps
        self.kmeans_batches, self.kmeans_iters, self.dead_after = kmeans_batches, kmeans_iters, dead_after
        self.register_buffer("ema_count", torch.ones(codes))
        self.register_buffer("ema_sum", self.codebook.embeddings.clone())
        self.register_buffer("steps_unused", torch.zeros(codes, dtype=torch.long))
        self.register_buffer("restarts", torch.zeros((), dtype=torch.long))
        self.register_buffer("initialised", torch.tensor(kmeans_batches <= 0))
        # K-means input, not model state: rebuilt within a few batches after a resume.
        self.register_buffer("memory", torch.zeros(memory, dim), persistent=False)
        self.register_buffer("memory_fill", torch.zeros((), dtype=torch.long), persistent=False)
        self.register_buffer("memory_pos", torch.zeros((), dtype=torch.long), persistent=False)
        self.register_buffer("batches_seen", torch.zeros((), dtype=torch.long), persistent=False)

    def forward(self, x: torch.Tensor) -> VQOutput:
        """x: [..., D] -> VQOutput"""
        flat = x.detach().reshape(-1, self.dim).float()
        if self.training and not bool(self.initialised):
            self._remember(flat)
            self.batches_seen += 1
            if int(self.batches_seen) >= self.kmeans_batches:
                self._kmeans_init(flat.size(0))
        if not bool(self.initialised):
            zero = x.new_zeros(())
            indices = self.codebook.nearest(x.detach())
            return VQOutput(x, indices, zero, zero, zero)
        indices = self.codebook.nearest(x.detach())
        q = self.codebook.lookup(indices).to(x.dtype)
        commitment = F.mse_loss(x, q.detach())
        counts = torch.bincount(indices.reshape(-1), minlength=self.codes).float()
        if self.training:
            counts = self._ema_update(flat, indices.reshape(-1), counts)
            self._restart_dead(flat)
        p = counts / counts.sum().clamp(min=1.0)
        perplexity = torch.exp(-(p * torch.log(p + 1e-10)).sum())
        usage = (counts > 0).float().mean()
        return VQOutput(x + (q - x).detach(), indices, commitment, perplexity, usage)

    @property
    def active_fraction(self) -> float:
        """Fraction of codes assigned within the last `dead_after` training calls."""
        window = max(1, self.dead_after)
        return float((self.steps_unused < window).float().mean())

    @torch.no_grad()
    def _ema_update(self, flat: torch.Tensor, indices: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
        sums = torch.zeros_like(self.ema_sum).index_add_(0, indices, flat)
        counts, sums = _all_reduce(counts), _all_reduce(sums)
        self.ema_count.mul_(self.decay).add_(counts, alpha=1 - self.decay)
        self.ema_sum.mul_(self.decay).add_(sums, alpha=1 - self.decay)
        # Laplace smoothing: a code with a vanishing count must not divide by ~0.
        n = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (n + self.codes * self.eps) * n
        self.codebook.embeddings.copy_(self.ema_sum / smoothed[:, None])
        self.steps_unused.add_(1).masked_fill_(counts > 0, 0)
        return counts

    @torch.no_grad()
    def _remember(self, flat: torch.Tensor) -> None:
        size = self.memory.size(0)
        flat = flat[-size:]
        pos = (int(self.memory_pos) + torch.arange(flat.size(0), device=flat.device)) % size
        self.memory[pos] = flat
        self.memory_pos.fill_((int(self.memory_pos) + flat.size(0)) % size)
        self.memory_fill.fill_(min(size, int(self.memory_fill) + flat.size(0)))

    @torch.no_grad()
    def _kmeans_init(self, batch_vectors: int) -> None:
        data = self.memory[: int(self.memory_fill)]
        centres = _kmeans_plus_plus(data, self.codes)
        sizes = torch.zeros(self.codes, device=data.device)
        for _ in range(self.kmeans_iters):
            assign = nearest_indices(data, centres)
            sizes = torch.bincount(assign, minlength=self.codes).float()
            sums = torch.zeros_like(centres).index_add_(0, assign, data)
            filled = sizes > 0
            centres[filled] = sums[filled] / sizes[filled, None]  # empty clusters keep their seed
        _broadcast(centres, sizes)
        # EMA statistics on the scale of one batch, so the first updates do not erase k-means.
        per_batch = sizes.clamp(min=1.0) * batch_vectors / max(1, data.size(0))
        self.codebook.embeddings.copy_(centres)
        self.ema_count.copy_(per_batch)
        self.ema_sum.copy_(centres * per_batch[:, None])
        self.steps_unused.zero_()
        self.initialised.fill_(True)

    @torch.no_grad()
    def _restart_dead(self, flat: torch.Tensor) -> None:
        if self.dead_after <= 0:
            return
        dead = self.steps_unused >= self.dead_after
        n = int(dead.sum())
        if n == 0:
            return
        # The current batch: older vectors may lie where the encoder no longer maps anything.
        pick = (
            torch.randint(0, flat.size(0), (n,), device=flat.device)
            if flat.size(0) < n
            else torch.randperm(flat.size(0), device=flat.device)[:n]
        )
        fresh = flat[pick]
        fresh = fresh + 1e-3 * fresh.std() * torch.randn_like(fresh)  # split repeated picks
        _broadcast(fresh)
        self.codebook.embeddings[dead] = fresh
        self.ema_count[dead] = 1.0
        self.ema_sum[dead] = fresh
        self.steps_unused[dead] = 0
        self.restarts += n


def _kmeans_plus_plus(data: torch.Tensor, k: int) -> torch.Tensor:
    """k seeds from data [M, D], each drawn with probability ~ squared distance to the
    seeds so far: spread over the clusters, where uniform picks often double up."""
    seeds = [data[torch.randint(0, data.size(0), ())]]
    d2 = (data - seeds[0]).square().sum(1)
    for _ in range(1, k):
        if float(d2.sum()) <= 0:  # fewer distinct vectors than codes
            pick = torch.randint(0, data.size(0), ())
        else:
            pick = torch.multinomial(d2, 1)[0]
        seeds.append(data[pick])
        d2 = torch.minimum(d2, (data - data[pick]).square().sum(1))
    centres = torch.stack(seeds)
    return centres + 1e-4 * centres.std() * torch.randn_like(centres)  # split duplicates


def _all_reduce(t: torch.Tensor) -> torch.Tensor:
    """Sum over processes under DDP (every rank then updates its codebook alike)."""
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(t)
    return t


def _broadcast(*tensors: torch.Tensor) -> None:
    """Rank 0's random choices win, so all ranks keep the same codebook."""
    if dist.is_available() and dist.is_initialized():
        for t in tensors:
            dist.broadcast(t, 0)
