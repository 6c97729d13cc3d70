"""Block-causal 1d convolution that can run on consecutive chunks."""

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .base import CachedModule


class CachedConv1d(CachedModule):
    """Causal (left-padded) Conv1d with an optional streaming cache.

    Left padding P = (kernel_size - 1) * dilation - (stride - 1), no right
    padding. For an input length L multiple of `stride` the output has
    L / stride frames and frame n depends only on input samples
    < (n + 1) * stride ("block-causal": a frame is ready as soon as its
    stride block has arrived).

    Streaming mode keeps the last P input samples in `cache` ([B, C_in, P])
    so calling forward on consecutive chunks (each a multiple of `stride`)
    equals one call on the whole signal. Chunks may be shorter than P.

    `delay` = P // 2: the number of input samples by which this causal
    convolution lags the centred ("same"-padded, non-causal) convolution with
    the same kernel (rounded down when P is odd, i.e. when the centred
    version itself is ambiguous).

    Args:
        in_channels, out_channels, kernel_size, stride, dilation, bias: as
            in `torch.nn.Conv1d` (no groups, no padding argument).
    """

    bias: Optional[torch.Tensor]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        dilation: int = 1,
        bias: bool = True,
    ):
        if kernel_size < 1 or stride < 1 or dilation < 1:
            raise ValueError("kernel_size, stride and dilation must be >= 1")
        padding = (kernel_size - 1) * dilation - (stride - 1)
        if padding < 0:
            raise ValueError(
                f"kernel span {(kernel_size - 1) * dilation + 1} is shorter "
                f"than stride {stride}: input samples would be skipped"
            )
        super().__init__(in_channels, padding)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.dilation = dilation
        self.delay = padding // 2
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        # The weight as one matrix over the stacked taps, [C_out, kernel_size * C_in]
        # (tap-major), for the streaming path; set by `refresh_polyphase`.
        self.register_buffer("stacked", torch.zeros(out_channels, kernel_size * in_channels), persistent=False)
        self.reset_parameters()

    @torch.jit.unused
    def refresh_polyphase(self) -> None:
        """Rearrange `weight` for the streaming path (called by set_streaming)."""
        with torch.no_grad():
            self.stacked.copy_(self.weight.transpose(1, 2).reshape(self.out_channels, -1))

    def reset_parameters(self) -> None:
        # Same initialisation as torch.nn.Conv1d.
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_channels * self.kernel_size)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, C_in, L] -> [B, C_out, L // stride]"""
        x = self._with_past(x, self.stride)
        if self.streaming:
            # Streaming chunks are a few frames long: the same sum as one matrix
            # product over the stacked taps. On a CPU, small convolutions take a
            # slow per-element path (dilated ones worst) that is several times
            # slower than a matrix product with the same weights.
            span = (self.kernel_size - 1) * self.dilation + 1
            taps = x.unfold(-1, span, self.stride)  # [B, C_in, n, span]
            if self.dilation > 1:
                taps = taps[..., :: self.dilation]  # [B, C_in, n, K]
            taps = taps.permute(0, 2, 3, 1).flatten(2)  # [B, n, K * C_in], tap-major
            return F.linear(taps, self.stacked, self.bias).transpose(1, 2)
        return F.conv1d(x, self.weight, self.bias, self.stride, 0, self.dilation)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, dilation={self.dilation}, cache_size={self.cache_size}, "
            f"streaming={self.streaming}"
        )
