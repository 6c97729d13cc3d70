"""The continuous model: export contract, streaming in the C++ engine, level invariance."""

import numpy as np
import pytest
import torch

from timbre_rt import Engine, read_model_info
from timbre_rt.export import export_model
from timbre_rt.models.continuous import (
    ContinuousCodec,
    ContinuousConfig,
    MelGANGenerator,
    MelVAE,
    load_config,
)

from continuous_fixtures import RATE, TINY_YAML, tiny_config
from streaming import assert_engine_streams_like_one_call, delayed, hold, stream_in_blocks


@pytest.fixture(scope="module")
def codec_path(tmp_path_factory):
    torch.manual_seed(0)
    cfg = tiny_config()
    codec = ContinuousCodec(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), MelGANGenerator(cfg.mel.n_mels, cfg.vocoder))
    path = tmp_path_factory.mktemp("continuous") / "tiny.ts"
    block = cfg.latent_ratio
    report = export_model(codec, path, chunk_sizes=[block, 3 * block, 7 * block], seconds=0.5)
    assert report.max_error < 1e-4
    return str(path)


def test_contract_metadata(codec_path):
    info = read_model_info(codec_path)
    assert info["model_kind"] == "continuous"
    assert info["sampling_rate"] == RATE and info["block_size"] == 128
    assert info["latent_names"] == ["z0", "z1", "z2", "loudness"]
    methods = info["methods"]
    assert methods["encode"]["params"] == [1, 1, 4, 128]
    assert methods["decode"]["params"] == [4, 128, 1, 1]
    assert methods["posterior"]["params"] == [1, 1, 6, 128]
    assert methods["decode"]["latency"] == 64 and methods["forward"]["latency"] == 64
    m = torch.jit.load(codec_path)
    assert (m.mel_n_fft, m.mel_hop, m.mel_n_mels) == (256, 64, 20)


@pytest.mark.parametrize("block", [64, 100, 256])
def test_engine_streams_decode_encode_exactly(codec_path, block):
    x = (np.random.default_rng(1).standard_normal((1, 128 * 40)) * 0.2).astype(np.float32)
    assert_engine_streams_like_one_call(codec_path, "forward", x, block)


def test_engine_streams_encode_at_frame_rate(codec_path):
    m = torch.jit.load(codec_path)
    x = (np.random.default_rng(2).standard_normal((1, 128 * 30)) * 0.2).astype(np.float32)
    m.reset()
    with torch.no_grad():
        z = m.encode(torch.from_numpy(x)[None])[0].numpy()
    engine = Engine(codec_path, method="encode", buffer=512, sync=True)
    out = stream_in_blocks(engine, x, 64)
    np.testing.assert_allclose(out, delayed(hold(z, 128), engine.latency), atol=1e-4)


def test_latent_ignores_a_gain_and_loudness_follows_it(codec_path):
    m = torch.jit.load(codec_path)
    t = torch.arange(RATE) / RATE
    x = (0.5 * torch.sin(2 * torch.pi * 440 * t) + 0.2 * torch.sin(2 * torch.pi * 1320 * t))[None, None]
    with torch.no_grad():
        m.reset()
        loud = m.encode(x)
        m.reset()
        quiet = m.encode(x * 0.1)
    steady = slice(4, None)  # past the first analysis window
    torch.testing.assert_close(quiet[0, :3, steady], loud[0, :3, steady], atol=1e-4, rtol=1e-4)
    gap = loud[0, 3, steady] - quiet[0, 3, steady]
    torch.testing.assert_close(gap, torch.full_like(gap, 20.0), atol=1e-3, rtol=0)


def test_decoder_uses_the_loudness_channel(codec_path):
    m = torch.jit.load(codec_path)
    z = torch.zeros(1, 4, 20)
    z[:, 3] = -20.0
    with torch.no_grad():
        m.reset()
        a = m.decode(z)
        z[:, 3] = -60.0
        m.reset()
        b = m.decode(z)
    assert (a - b).abs().max() > 1e-4


def test_config_file_errors(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(TINY_YAML)
    assert load_config(good).vae.latent_dims == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_YAML + "learning_rat: 1\n")
    with pytest.raises(ValueError, match="unknown key 'learning_rat'"):
        load_config(bad)
    bad.write_text(TINY_YAML.replace("hidden: 16", "hiden: 16"))
    with pytest.raises(ValueError, match="vae: unknown key 'hiden' \\(did you mean 'hidden'\\?\\)"):
        load_config(bad)
    bad.write_text(TINY_YAML.replace("upsample: [4, 4]", "upsample: [4, 2]"))
    with pytest.raises(ValueError, match="must equal the mel hop 64"):
        load_config(bad)
    bad.write_text("vae: [1, 2\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ValueError, match="no such config file"):
        load_config(tmp_path / "missing.yaml")


def test_shipped_config_reads():
    cfg = load_config("models/continuous.yaml")
    assert isinstance(cfg, ContinuousConfig) and cfg.latent_ratio == 512 and cfg.harmonic
    assert not load_config("models/continuous-melgan.yaml").harmonic
