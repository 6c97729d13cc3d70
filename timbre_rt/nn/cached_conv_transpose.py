"""Causal transposed 1d convolution (upsampling) that can run on chunks."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .base import CachedModule


class CachedConvTranspose1d(CachedModule):
    """ConvTranspose1d that outputs exactly L * stride samples for L frames.

    The transposed convolution of L frames is L * stride + (kernel_size -
    stride) samples long. The overlap tail (the last kernel_size - stride
    samples) belongs to the next frames: in streaming mode it is kept in
    `cache` ([B, C_out, kernel_size - stride]) and added to the head of the
    next call; otherwise it is dropped. Output sample t depends only on
    frames <= t // stride. The bias is added after the overlap-add so it is
    counted once.

    `delay` = (kernel_size - stride) // 2: the number of output samples by
    which this causal version lags the centred (symmetrically cropped)
    transposed convolution with the same kernel.

    Args:
        in_channels, out_channels, kernel_size, stride, bias: as in
            `torch.nn.ConvTranspose1d`; kernel_size must be >= stride.
    """

    bias: Optional[torch.Tensor]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int,
        bias: bool = True,
    ):
        if stride < 1:
            raise ValueError("stride must be >= 1")
        if kernel_size < stride:
            raise ValueError(
                f"kernel_size {kernel_size} < stride {stride}: output would have gaps"
            )
        super().__init__(out_channels, kernel_size - stride)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.delay = (kernel_size - stride) // 2
        self.weight = nn.Parameter(torch.empty(in_channels, out_channels, kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # Same initialisation as torch.nn.ConvTranspose1d.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.out_channels * self.kernel_size)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, C_in, L] -> [B, C_out, L * stride]"""
        n = x.size(-1) * self.stride
        y = F.conv_transpose1d(x, self.weight, None, self.stride)
        r = self.cache_size
        if self.streaming and r > 0:
            self._match_batch(x.size(0))
            # y is at least r long, even when n < r (short chunk).
            y[:, :, :r].add_(self.cache.to(y.dtype))
            self.cache.copy_(y[:, :, n:].detach())
        y = y[:, :, :n]
        bias = self.bias
        if bias is not None:
            y = y + bias.unsqueeze(-1)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, cache_size={self.cache_size}, streaming={self.streaming}"
        )
