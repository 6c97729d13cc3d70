"""CachedConv1d / CachedConvTranspose1d: causality, chunked == whole, scripting."""

import io
from typing import List

import pytest
import torch
import torch.nn.functional as F

from timbre_rt.nn import (
    CachedConv1d,
    CachedConvTranspose1d,
    collect_caches,
    set_streaming,
)


CONV_CASES = [  # (kernel, stride, dilation)
    (1, 1, 1),
    (3, 1, 1),
    (3, 1, 4),
    (5, 1, 3),
    (4, 4, 1),  # P == 0
    (8, 4, 1),
    (7, 2, 2),
    (6, 3, 1),
]
TCONV_CASES = [(1, 1), (4, 4), (8, 4), (6, 2), (16, 2), (5, 3)]  # (kernel, stride)


def _chunk_lengths(total: int, unit: int) -> List[int]:
    # Irregular chunks, all multiples of `unit`, some shorter than the caches.
    pattern = [1, 1, 2, 3, 1, 5, 8, 1]
    out, i = [], 0
    while sum(out) < total:
        out.append(min(pattern[i % len(pattern)] * unit, total - sum(out)))
        i += 1
    return out


def _run_chunks(module, x: torch.Tensor, lengths: List[int]) -> torch.Tensor:
    outs, start = [], 0
    for n in lengths:
        outs.append(module(x[:, :, start : start + n]))
        start += n
    return torch.cat(outs, dim=-1)


@pytest.mark.parametrize("kernel,stride,dilation", CONV_CASES)
def test_conv_non_streaming_matches_left_padded_torch_conv(kernel, stride, dilation):
    conv = CachedConv1d(3, 5, kernel, stride=stride, dilation=dilation)
    p = (kernel - 1) * dilation - (stride - 1)
    assert conv.cache_size == p and conv.stride == stride and conv.delay == p // 2
    x = torch.randn(2, 3, 12 * stride)
    y = conv(x)
    ref = F.conv1d(F.pad(x, (p, 0)), conv.weight, conv.bias, stride, 0, dilation)
    assert y.shape == (2, 5, 12)
    torch.testing.assert_close(y, ref)


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("kernel,stride,dilation", CONV_CASES)
def test_conv_chunked_equals_whole(kernel, stride, dilation, batch):
    conv = CachedConv1d(2, 3, kernel, stride=stride, dilation=dilation)
    x = torch.randn(batch, 2, 40 * stride)
    whole = conv(x)
    set_streaming(conv, True)
    for lengths in ([x.size(-1)], _chunk_lengths(x.size(-1), stride)):
        conv.reset()
        torch.testing.assert_close(_run_chunks(conv, x, lengths), whole)


@pytest.mark.parametrize("kernel,stride,dilation", CONV_CASES)
def test_conv_is_block_causal(kernel, stride, dilation):
    conv = CachedConv1d(1, 2, kernel, stride=stride, dilation=dilation)
    x = torch.randn(1, 1, 10 * stride)
    t = 5 * stride + stride // 2  # sample inside block 5
    x2 = x.clone()
    x2[:, :, t] += 1.0
    diff = (conv(x) - conv(x2)).abs().sum(1)[0]
    n = t // stride
    assert torch.all(diff[:n] == 0)  # earlier frames never see sample t
    assert diff[n] > 0  # frame n already does


def test_conv_rejects_span_shorter_than_stride():
    with pytest.raises(ValueError):
        CachedConv1d(1, 1, 2, stride=4)
    CachedConv1d(1, 1, 2, stride=4, dilation=3)  # span 4 is enough


@pytest.mark.parametrize("kernel,stride", TCONV_CASES)
def test_tconv_matches_truncated_torch_conv_transpose(kernel, stride):
    tconv = CachedConvTranspose1d(3, 2, kernel, stride)
    assert tconv.cache_size == -(-kernel // stride) - 1 and tconv.delay == (kernel - stride) // 2
    x = torch.randn(2, 3, 9)
    ref = F.conv_transpose1d(x, tconv.weight, tconv.bias, stride)[:, :, : 9 * stride]
    torch.testing.assert_close(tconv(x), ref)
    set_streaming(tconv, True)  # from a zero cache, streaming gives the same
    torch.testing.assert_close(tconv(x), ref)


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("kernel,stride", TCONV_CASES)
def test_tconv_chunked_equals_whole(kernel, stride, batch):
    tconv = CachedConvTranspose1d(2, 3, kernel, stride)
    x = torch.randn(batch, 2, 30)
    set_streaming(tconv, True)
    whole = tconv(x)
    assert whole.shape == (batch, 3, 30 * stride)
    for lengths in ([1] * 30, _chunk_lengths(30, 1)):
        tconv.reset()
        torch.testing.assert_close(_run_chunks(tconv, x, lengths), whole)


@pytest.mark.parametrize("kernel,stride", TCONV_CASES)
def test_tconv_is_causal(kernel, stride):
    tconv = CachedConvTranspose1d(1, 1, kernel, stride)
    x = torch.randn(1, 1, 10)
    x2 = x.clone()
    x2[:, :, 6] += 1.0
    diff = (tconv(x) - tconv(x2)).abs()[0, 0]
    assert torch.all(diff[: 6 * stride] == 0)
    assert diff[6 * stride] > 0


def test_tconv_rejects_kernel_shorter_than_stride():
    with pytest.raises(ValueError):
        CachedConvTranspose1d(1, 1, 3, 4)


def test_reset_zeroes_and_batch_change_restarts():
    conv = CachedConv1d(2, 2, 5)
    tconv = CachedConvTranspose1d(2, 2, 8, 2)
    set_streaming(conv, True)
    set_streaming(tconv, True)
    x = torch.randn(1, 2, 8)
    first = tconv(conv(x))
    assert conv.cache.abs().sum() > 0 and tconv.cache.abs().sum() > 0
    conv.reset()
    tconv.reset()
    assert conv.cache.abs().sum() == 0 and tconv.cache.abs().sum() == 0
    torch.testing.assert_close(tconv(conv(x)), first)  # same as a fresh start

    caches = collect_caches(torch.nn.Sequential(conv, tconv))
    assert caches[0] is conv.cache and caches[1] is tconv.cache
    y2 = tconv(conv(x.repeat(2, 1, 1)))  # new batch size: restarts from zeros
    torch.testing.assert_close(y2, first.repeat(2, 1, 1))
    assert caches[0] is conv.cache and conv.cache.shape == (2, 2, 4)


def test_non_streaming_does_not_touch_cache():
    conv = CachedConv1d(1, 1, 3)
    conv(torch.randn(3, 1, 16))
    assert conv.cache.shape == (1, 1, 2) and conv.cache.abs().sum() == 0


def test_scripted_blocks_stream_after_save_load():
    net = torch.nn.Sequential(
        CachedConv1d(1, 4, 8, stride=4),
        CachedConv1d(4, 4, 3, dilation=2),
        CachedConvTranspose1d(4, 1, 8, 4),
    )
    x = torch.randn(1, 1, 64)
    whole = net(x)
    set_streaming(net, True)
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(net), buf)
    buf.seek(0)
    loaded = torch.jit.load(buf)
    torch.testing.assert_close(_run_chunks(loaded, x, _chunk_lengths(64, 4)), whole)
    middle = getattr(loaded, "1")
    assert middle.cache.abs().sum() > 0
    middle.reset()
    assert middle.cache.abs().sum() == 0
    first = getattr(loaded, "0")
    first.streaming = False  # the flag stays a runtime attribute
    assert not first.streaming
