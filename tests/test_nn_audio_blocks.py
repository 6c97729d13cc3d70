"""Streamable audio blocks: STFT frames, log-mel, PQMF, gradient reversal."""

import numpy as np
import pytest
import torch

from timbre_rt.nn import (
    CachedFrames,
    GradientReversal,
    MelSpectrogram,
    PQMFAnalysis,
    PQMFSynthesis,
    StreamingSTFT,
    log_mel,
    mel_filterbank,
    relative_log_mel,
    set_streaming,
)


def _chunked(module, x, chunk):
    set_streaming(module, True)
    out = torch.cat([module(x[..., i : i + chunk]) for i in range(0, x.size(-1), chunk)], dim=-1)
    set_streaming(module, False)
    return out


def test_frames_are_block_causal_and_stream():
    frames = CachedFrames(8, 2)
    x = torch.arange(1, 13, dtype=torch.float32)[None, None]
    whole = frames(x)  # [1, 6, 8]
    assert whole.shape == (1, 6, 8)
    # Frame n ends with sample (n + 1) * hop - 1; zeros before the signal.
    assert whole[0, 0].tolist() == [0, 0, 0, 0, 0, 0, 1, 2]
    assert whole[0, 5].tolist() == list(range(5, 13))
    set_streaming(frames, True)
    parts = torch.cat([frames(x[..., i : i + 4]) for i in range(0, 12, 4)], dim=1)
    assert torch.equal(parts, whole)
    with pytest.raises(ValueError, match="multiple of 2"):
        frames(x[..., :3])


def test_stft_power_matches_torch_stft():
    x = torch.randn(2, 1, 4096)
    ours = StreamingSTFT(512, 128)(x)
    window = torch.hann_window(512)
    # Our frame n ends at (n + 1) * hop: torch's uncentred frames shifted by n_fft - hop.
    padded = torch.nn.functional.pad(x[:, 0], (512 - 128, 0))
    ref = torch.stft(padded, 512, 128, window=window, center=False, return_complex=True).abs() ** 2
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-3)


def test_log_mel_measures_energy():
    analysis = MelSpectrogram(24000, n_fft=1024, hop=256, n_mels=80)
    t = torch.arange(24000) / 24000
    x = (0.5 * torch.sin(2 * torch.pi * 1000 * t))[None, None]
    mel, energy = analysis(x)
    assert mel.shape == (1, 80, 93) and energy.shape == (1, 1, 93)
    lm = log_mel(mel)
    # Mean square of a sine of amplitude 0.5 is 0.125, once the window is full.
    assert energy[0, 0, 10:].sub(0.125).abs().max() < 1e-3
    assert lm[0, :, 10].argmax() == lm[0, :, 50].argmax()  # a steady tone
    # Relative log-mel ignores a gain, floor included; the absolute one does not.
    quiet_mel, quiet_energy = analysis(x * 1e-3)
    torch.testing.assert_close(
        relative_log_mel(quiet_mel, quiet_energy)[..., 8:], relative_log_mel(mel, energy)[..., 8:], atol=1e-2, rtol=0
    )
    assert (log_mel(quiet_mel) - lm).abs().max() > 1


def test_log_mel_chunked_equals_whole():
    analysis = MelSpectrogram(16000, n_fft=512, hop=128, n_mels=40)
    x = torch.randn(1, 1, 128 * 40)
    whole_mel, whole_energy = analysis(x)
    set_streaming(analysis, True)
    parts = [analysis(x[..., i : i + 384]) for i in range(0, x.size(-1), 384)]
    torch.testing.assert_close(torch.cat([p[0] for p in parts], -1), whole_mel, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(torch.cat([p[1] for p in parts], -1), whole_energy)


def test_mel_filterbank_shape_and_errors():
    fb = mel_filterbank(24000, 1024, 80)
    assert fb.shape == (80, 513) and (fb >= 0).all()
    assert (fb.sum(1) > 0).all(), "every band covers at least one bin"
    with pytest.raises(ValueError):
        mel_filterbank(24000, 1024, 80, fmin=5000, fmax=4000)


def test_pqmf_reconstructs_with_its_delay():
    analysis, synthesis = PQMFAnalysis(4), PQMFSynthesis(4)
    x = torch.randn(1, 1, 8192)
    y = synthesis(analysis(x))
    d = synthesis.delay
    err = (y[..., d:] - x[..., :-d]).pow(2).mean() / x.pow(2).mean()
    assert err < 1e-4  # near-perfect reconstruction (about -60 dB)
    wrong = (y[..., d + 1 :] - x[..., : -d - 1]).pow(2).mean() / x.pow(2).mean()
    assert wrong > 0.1


def test_pqmf_synthesis_streams():
    synthesis = PQMFSynthesis(4)
    bands = torch.randn(1, 4, 256)
    torch.testing.assert_close(_chunked(synthesis, bands, 16), synthesis(bands), atol=1e-5, rtol=1e-5)


def test_gradient_reversal_negates_and_scales():
    layer = GradientReversal(0.0)
    x = torch.randn(5, requires_grad=True)
    weights = torch.randn(5)
    for w in (0.0, 0.5, 2.0):
        layer.weight = w
        x.grad = None
        y = layer(x)
        assert torch.equal(y, x)
        (y * weights).sum().backward()
        # d/dx of sum(w_i x_i) is weights; the layer returns -w * that.
        torch.testing.assert_close(x.grad, -w * weights)


def test_gradient_reversal_numerically():
    # Compare with a finite difference of the plain function, sign flipped.
    layer = GradientReversal(0.3)
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    f = lambda v: (v.sin() * 3).sum()  # noqa: E731
    f(layer(x)).backward()
    eps = 1e-6
    numeric = np.array(
        [
            (f(x.detach() + eps * e) - f(x.detach() - eps * e)).item() / (2 * eps)
            for e in torch.eye(4, dtype=torch.float64)
        ]
    )
    np.testing.assert_allclose(x.grad.numpy(), -0.3 * numeric, rtol=1e-6)


def test_pqmf_bank_stops_80_db_with_no_audible_ripple_or_alias():
    from timbre_rt.nn import pqmf_response

    r = pqmf_response(4)
    assert r.stopband_db >= 80 and r.ripple_db < 0.1 and r.alias_db < -80
    worse = pqmf_response(4, taps=30)  # the measurement can fail: a short prototype does
    assert worse.stopband_db < 80


def test_pqmf_a_subband_offset_is_a_band_edge_tone():
    # Why decode needs its silence gate: a constant in band 1 or 2 comes out at
    # rate / (2 * bands) * 2 = 6 kHz at 24 kHz, whatever the filters' stopband.
    synthesis = PQMFSynthesis(4)
    bands = torch.zeros(1, 4, 4096)
    bands[:, 1] = 1e-3
    y = synthesis(bands)[0, 0, 1024:].numpy()
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    assert np.argmax(spec) * 24000 / len(y) == pytest.approx(6000, abs=10)
