"""The continuous model with the harmonic vocoder: contract, pitch in the latents, the
decoder plays the pitch channel, and the C++ engine streams it exactly."""

import numpy as np
import pytest
import torch

from timbre_rt import read_model_info
from timbre_rt.export import export_model
from timbre_rt.models.continuous import ContinuousConfig, HarmonicCodec, MelVAE, build_vocoder, make_codec
from timbre_rt.nn.yin import StreamingYin

from continuous_fixtures import RATE, tiny_harmonic_config
from streaming import assert_engine_streams_like_one_call


@pytest.fixture(scope="module")
def codec_path(tmp_path_factory):
    torch.manual_seed(0)
    cfg = tiny_harmonic_config()
    cfg.vocoder.level_lock = True  # as the shipped config: hostile latents meet the lock too
    codec = make_codec(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), build_vocoder(cfg))
    assert isinstance(codec, HarmonicCodec)
    path = tmp_path_factory.mktemp("harmonic") / "tiny.ts"
    block = cfg.latent_ratio
    report = export_model(codec, path, chunk_sizes=[block, 3 * block, 7 * block], seconds=0.5)
    assert report.max_error < 1e-4
    return str(path)


def tone(f0: float, seconds: float = 0.5) -> torch.Tensor:
    t = torch.arange(int(RATE * seconds) // 128 * 128) / RATE
    return (0.3 * torch.sin(2 * torch.pi * f0 * t) + 0.1 * torch.sin(4 * torch.pi * f0 * t))[None, None]


def test_contract_names_pitch_periodicity_and_loudness(codec_path):
    info = read_model_info(codec_path)
    assert info["latent_names"] == ["z0", "z1", "z2", "pitch", "periodicity", "loudness"]
    assert info["methods"]["encode"]["params"] == [1, 1, 6, 128]
    assert info["methods"]["decode"]["params"] == [6, 128, 1, 1]
    assert info["methods"]["decode"]["latency"] == 128


def test_encode_reads_pitch_as_a_midi_note(codec_path):
    m = torch.jit.load(codec_path)
    m.reset()
    with torch.no_grad():
        z = m.encode(tone(220.0))
    steady = slice(3, None)
    torch.testing.assert_close(z[0, 3, steady], torch.full_like(z[0, 3, steady], 57.0), atol=0.05, rtol=0)
    assert z[0, 4, steady].min() > 0.9
    m.reset()
    with torch.no_grad():
        quiet = m.encode(tone(220.0) * 0.1)
    # A gain moves loudness by 20 dB and neither timbre nor pitch.
    torch.testing.assert_close(quiet[0, :4, steady], z[0, :4, steady], atol=1e-3, rtol=1e-3)
    gap = z[0, 5, steady] - quiet[0, 5, steady]
    torch.testing.assert_close(gap, torch.full_like(gap, 20.0), atol=1e-3, rtol=0)


@pytest.mark.parametrize("note", [52.0, 64.5, 76.0])
def test_decode_plays_the_pitch_channel(codec_path, note):
    m = torch.jit.load(codec_path)
    z = torch.zeros(1, 6, 40)
    z[:, 3], z[:, 4], z[:, 5] = note, 1.0, -20.0
    m.reset()
    with torch.no_grad():
        out = m.decode(z)
    f0, _ = StreamingYin(RATE, 256, 128, 130.0, 2000.0)(out)
    want = 440.0 * 2 ** ((note - 69) / 12)
    assert (1200 * torch.log2(f0[0, 0, 6:] / want)).abs().max() < 20  # YIN on 256 samples at 16 kHz: ~10 cents


def test_decode_clamps_hostile_pitch_and_periodicity(codec_path):
    m = torch.jit.load(codec_path)
    z = torch.zeros(1, 6, 20)
    z[:, 5] = -20.0
    for pitch, periodicity in ((1e9, 5.0), (-1e9, -3.0)):
        z[:, 3], z[:, 4] = pitch, periodicity
        m.reset()
        with torch.no_grad():
            out = m.decode(z)
        assert torch.isfinite(out).all() and out.abs().max() < 10


@pytest.mark.parametrize("block", [64, 100, 256])
def test_engine_streams_the_chain_exactly(codec_path, block):
    x = (np.random.default_rng(1).standard_normal((1, 128 * 40)) * 0.2).astype(np.float32)
    x += tone(330.0, 128 * 40 / RATE)[0].numpy()
    assert_engine_streams_like_one_call(codec_path, "forward", x, block)


def test_config_refuses_a_pitch_range_the_window_cannot_hold():
    with pytest.raises(ValueError, match="pitch.f0_min"):
        ContinuousConfig(sampling_rate=16000, mel=dict(n_fft=256, hop=64, n_mels=20), vocoder=dict(kind="harmonic"))


def test_evaluation_reads_z_apart_from_the_control_channels(codec_path):
    from timbre_rt.evaluate.continuous import ContinuousModel

    model = ContinuousModel(codec_path)
    assert model.z_names == ["z0", "z1", "z2"]
    out = model.run(tone(220.0, 0.3)[0, 0])
    assert out.z.shape[0] == 3 and out.mu.shape == out.z.shape
    assert out.loudness.shape == out.z.shape[1:] and out.loudness.max() > -40


@pytest.mark.parametrize("channel", [0, 3, 4, 5])  # z0, pitch, periodicity, loudness
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_nan_or_inf_latent_neither_breaks_this_call_nor_poisons_the_next(codec_path, channel, bad):
    m = torch.jit.load(codec_path)
    clean = torch.zeros(1, 6, 12)
    clean[:, 3], clean[:, 4], clean[:, 5] = 60.0, 0.9, -20.0
    hostile = clean.clone()
    hostile[:, channel, 4:8] = bad
    m.reset()
    with torch.no_grad():
        first = m.decode(hostile)
        after = m.decode(clean)
        m.reset()
        m.decode(clean)
        fresh_after = m.decode(clean)
    assert torch.isfinite(first).all() and first.abs().max() < 10
    # Nothing is left of them a call later: the same level as a model that never saw them
    # (not the same samples: the oscillator's phase carries the pitch it was given).
    assert torch.isfinite(after).all()
    rms = lambda y: float(y.square().mean().sqrt())  # noqa: E731
    assert rms(fresh_after) > 1e-4 and abs(rms(after) / rms(fresh_after) - 1) < 0.05
