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
    stride) samples long; the tail past L * stride belongs to the next frames
    and is dropped, so output sample t depends only on frames <= t // stride.

    Streaming mode computes the same sum in its polyphase form: output
    sample n * stride + p = sum_j x[n - j] . W[:, :, j * stride + p], one
    ordinary convolution over the last `taps` = ceil(kernel_size / stride)
    frames giving stride * C_out channels, interleaved. The last taps - 1
    input frames are the `cache` ([B, C_in, taps - 1]); the polyphase weights
    are rearranged from `weight` by `set_streaming(..., True)`. On a CPU a
    small transposed convolution takes a slow path that cost the vocoder's
    first upsampling layer several times its arithmetic.

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
            raise ValueError(f"kernel_size {kernel_size} < stride {stride}: output would have gaps")
        taps = -(-kernel_size // stride)
        super().__init__(in_channels, taps - 1)
        self.taps = taps
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
        self.register_buffer("polyphase", torch.zeros(out_channels * stride, in_channels, taps), persistent=False)
        self.reset_parameters()

    @torch.jit.unused
    def refresh_polyphase(self) -> None:
        """Rearrange `weight` into the streaming path's polyphase kernel."""
        c_in, c_out, s, taps = self.in_channels, self.out_channels, self.stride, self.taps
        with torch.no_grad():
            w = F.pad(self.weight, (0, taps * s - self.kernel_size))  # [C_in, C_out, taps * s]
            w = w.reshape(c_in, c_out, taps, s).permute(1, 3, 0, 2).flip(-1)
            self.polyphase.copy_(w.reshape(c_out * s, c_in, taps))

    def reset_parameters(self) -> None:
        # Same initialisation as torch.nn.ConvTranspose1d.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.out_channels * self.kernel_size)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, C_in, L] -> [B, C_out, L * stride]"""
        n = x.size(-1) * self.stride
        if self.streaming:
            past = self._with_past(x, 1)  # [B, C_in, taps - 1 + L]
            y = F.conv1d(past, self.polyphase)  # [B, stride * C_out, L], channel = c * stride + p
            b, frames = y.size(0), y.size(-1)
            y = y.reshape(b, self.out_channels, self.stride, frames).transpose(2, 3).reshape(b, -1, n)
        else:
            y = F.conv_transpose1d(x, self.weight, None, self.stride)[:, :, :n]
        bias = self.bias
        if bias is not None:
            y = y + bias.unsqueeze(-1)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, cache_size={self.cache_size}, streaming={self.streaming}"
        )
