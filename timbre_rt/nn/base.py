"""Common base of the blocks that carry state between streaming calls."""

import torch
import torch.nn.functional as F
from torch import nn


class CachedModule(nn.Module):
    """A block whose output depends on past input kept in a `cache` buffer.

    `streaming` False: every call is independent and the past is zeros
    (training / offline use, any batch size).
    `streaming` True: the past is read from and written to `cache`
    ([B, channels, cache_size]) in place, so consecutive calls on chunks of
    a signal equal one call on the whole signal.

    The cache is updated in place (`copy_`, `set_`) and never reassigned:
    a parent may hold references to it (see `collect_caches`) and those
    references must stay valid after scripting and save/load.
    """

    def __init__(self, channels: int, cache_size: int):
        super().__init__()
        self.streaming = False
        self.cache_size = cache_size
        # Not persistent: training checkpoints should not carry stream state.
        # TorchScript still serialises it, so the exported file has it.
        self.register_buffer("cache", torch.zeros(1, channels, cache_size), persistent=False)

    @torch.jit.export
    def reset(self) -> None:
        """Forget the past (zero the cache)."""
        self.cache.zero_()

    def _with_past(self, x: torch.Tensor, multiple: int) -> torch.Tensor:
        """x: [B, C, L] -> [B, C, cache_size + L]: the past (cache, or zeros
        when not streaming) followed by x; the cache moves on to the newest
        cache_size samples. Streaming chunks must be multiples of `multiple`.
        """
        p = self.cache_size
        if self.streaming:
            if x.size(-1) % multiple != 0:
                raise ValueError(f"streaming chunk length must be a multiple of {multiple}")
            if p > 0:
                self._match_batch(x.size(0))
                # Few, whole-tensor ops: at small buffers each op's dispatch costs more
                # than its arithmetic.
                past = self.cache if self.cache.dtype == x.dtype else self.cache.to(x.dtype)
                x = torch.cat([past, x], dim=-1)
                self.cache.copy_(x.narrow(-1, x.size(-1) - p, p).detach())
            return x
        return F.pad(x, (p, 0)) if p > 0 else x

    def _match_batch(self, batch: int) -> None:
        # A new batch size means a new set of streams: start them from silence.
        # `set_` swaps the storage but keeps the tensor object, so references
        # held elsewhere stay valid (`resize_` fails on storages loaded from
        # a TorchScript archive: they are not resizable).
        if self.cache.size(0) != batch:
            c = self.cache
            c.set_(torch.zeros(batch, c.size(1), c.size(2), dtype=c.dtype, device=c.device))
