"""Model files whose metadata says whatever a test wants, and the hostile cases: each must
be refused with one line naming the file and the field (by the core, and by the Python
reading of a module in memory that mirrors it)."""

import torch
from torch import nn


class Declared(nn.Module):
    """Identity `forward` whose metadata says whatever a test wants."""

    def __init__(
        self, params=(1, 1, 1, 1), rate=None, rate_name="sampling_rate", block_size=None, latency=None, extra=None
    ):
        super().__init__()
        self.register_buffer("forward_params", torch.tensor(list(params)))
        if rate is not None:
            setattr(self, rate_name, rate)
        if block_size is not None:
            self.block_size = block_size
        if latency is not None:
            self.forward_latency = latency
        if extra is not None:
            self.register_buffer("other_params", torch.tensor(list(extra)))

    @torch.jit.export
    def other(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.repeat(1, int(self.forward_params[2]), 1)


HOSTILE = {
    # name: (module, words the message must contain)
    "ratios whose lcm overflows": (Declared(extra=(1, 65521, 1, 65519)), "block size"),
    "block_size 2147483647": (Declared(block_size=2147483647), "block_size = 2147483647"),
    "rate 2e9": (Declared(rate=2000000000), "sampling_rate = 2000000000"),
    "rate 1": (Declared(rate=1), "sampling_rate = 1"),
    "rate as sr 1": (Declared(rate=1, rate_name="sr"), "sr = 1"),
    "a million channels": (Declared(params=(1000000, 1, 1, 1)), "in_channels = 1000000"),
    "a million output channels": (Declared(params=(1, 1, 1000000, 1)), "out_channels = 1000000"),
    "ratio 2^30": (Declared(params=(1, 1, 1, 1 << 30)), "out_ratio = 1073741824"),
    "latency 2^40": (Declared(latency=1 << 40), "forward_latency"),
}
