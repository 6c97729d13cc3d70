"""The discrete model with the harmonic decoder: codes name the timbre, the pitch channel
plays the pitch (no loop grid), live and offline synthesis play the f0 target, and the
C++ engine streams it exactly."""

import numpy as np
import pytest
import torch

from timbre_rt import Engine, read_model_info
from timbre_rt.export import export_model
from timbre_rt.models.discrete import DESCRIPTOR_NAMES, VQVAE, build_codec
from timbre_rt.synth.decode import decode_codes

from discrete_fixtures import HOP, RATE, WINDOW, fake_table, tiny_config, tones
from streaming import delayed, hold, stream_in_blocks

D = len(DESCRIPTOR_NAMES)


def plays(audio, f0: float) -> bool:
    """Whether audio ([T] or [1, 1, T]) is periodic at f0: its spectrum's energy sits on
    the harmonics of f0, not between them (an untrained decoder's random harmonic mix
    can fool a pitch tracker by an octave; the comb cannot be fooled)."""
    x = np.asarray(audio, dtype=np.float64).reshape(-1)[WINDOW:]
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    ratio = np.fft.rfftfreq(len(x), 1 / RATE) / f0
    on = (np.abs(ratio - np.round(ratio)) < 0.04) & (ratio > 0.5)
    between = np.abs(ratio - np.floor(ratio) - 0.5) < 0.04
    return power[on].sum() > 1000 * power[between].sum() and power[on].sum() > 0


@pytest.fixture(scope="module")
def codec_path(tmp_path_factory):
    torch.manual_seed(0)
    # With the level lock, as the shipped config: hostile latents meet it too.
    cfg = tiny_config(
        frames=dict(window=WINDOW, hop=HOP, synthesis="harmonic"),
        harmonic=dict(harmonics=16, noise_bands=9, f0_min=130.0, f0_max=2000.0, level_lock=True),
    )
    vqvae = VQVAE(cfg).train()
    batch = torch.cat([tones(0.25, f0) for f0 in (165, 220, 440, 880)])
    with torch.no_grad():
        for _ in range(cfg.vq.kmeans_batches + 2):
            vqvae(batch)
    codec = build_codec(cfg, vqvae.state_dict())
    # An untrained decoder's level is far from 1: uncapped, the lock keeps gains exact.
    codec.net.level_lock.max_gain = 1e6
    codec.set_descriptors(fake_table(cfg.vq.codes))
    path = tmp_path_factory.mktemp("discrete-harmonic") / "tiny.ts"
    export_model(codec, path, chunk_sizes=[HOP, 4 * HOP], seconds=0.25)
    return str(path)


def test_contract(codec_path):
    info = read_model_info(codec_path)
    assert info["latent_names"] == ["code", "gain", "pitch", "periodicity"]
    assert info["methods"]["encode"]["params"] == [1, 1, 4, HOP]
    assert info["methods"]["decode"]["params"] == [4, HOP, 1, 1]
    assert info["methods"]["synthesize"]["params"] == [D + 1, HOP, 1, 1]
    assert info["methods"]["decode"]["latency"] == WINDOW // 2


def test_encode_measures_pitch_and_decode_plays_any_pitch(codec_path):
    m = torch.jit.load(codec_path)
    m.reset()
    with torch.no_grad():
        z = m.encode(tones(0.5, 247.0))
    notes = z[0, 2, 6:-2]
    torch.testing.assert_close(notes, torch.full_like(notes, 59.0), atol=0.1, rtol=0)  # B3
    # A held code played a quarter tone off every grid: its pitch comes out.
    held = torch.zeros(1, 4, 60)
    held[:, 0], held[:, 1], held[:, 2], held[:, 3] = 3.0, 0.2, 64.5, 1.0
    m.reset()
    with torch.no_grad():
        out = m.decode(held)
    want = 440.0 * 2 ** ((64.5 - 69) / 12)
    assert plays(out, want) and not plays(out, want * 2 ** (1 / 12))


def test_gain_scales_the_output_exactly(codec_path):
    m = torch.jit.load(codec_path)
    z = torch.zeros(1, 4, 30)
    z[:, 0], z[:, 1], z[:, 2], z[:, 3] = 2.0, 0.1, 57.0, 0.8
    outs = []
    for gain in (0.1, 0.3):
        z[:, 1] = gain
        m.reset()
        with torch.no_grad():
            outs.append(m.decode(z))
    torch.testing.assert_close(outs[1], 3 * outs[0], atol=1e-6, rtol=1e-4)
    assert outs[0].abs().max() > 1e-4


def test_synthesize_plays_the_f0_target(codec_path):
    m = torch.jit.load(codec_path)
    f0 = DESCRIPTOR_NAMES.index("f0")
    targets = torch.zeros(1, D + 1, 60)
    scaled = (np.log(330.0) - float(m.descriptor_mean[f0])) / float(m.descriptor_std[f0])
    targets[:, f0] = scaled
    targets[:, D] = 0.2
    m.reset()
    with torch.no_grad():
        out = m.synthesize(targets)
    assert plays(out, 330.0)


def test_offline_decode_plays_an_f0_curve_and_the_reference_pitch(codec_path):
    m = torch.jit.load(codec_path)
    n = 60
    audio = decode_codes(m, np.full(n, 1), np.full(n, 0.2), f0=np.full(n, 196.0))
    assert plays(audio, 196.0)
    unvoiced = decode_codes(m, np.full(n, 1), np.full(n, 0.2), f0=np.full(n, np.nan))
    assert plays(unvoiced, 220.0)


@pytest.mark.parametrize("method,block", [("decode", 100), ("forward", 256), ("synthesize", 64)])
def test_engine_streams_exactly(codec_path, method, block):
    m = torch.jit.load(codec_path)
    rng = np.random.default_rng(3)
    n = 30
    if method == "forward":
        x = tones(n * HOP / RATE)[0].numpy()
    elif method == "decode":
        frames = np.stack(
            [rng.integers(0, 8, n), rng.uniform(0, 0.5, n), rng.uniform(50, 80, n), rng.uniform(0, 1, n)]
        ).astype(np.float32)
        x = hold(frames, HOP)
    else:
        frames = np.concatenate([rng.standard_normal((D, n)), rng.uniform(0, 0.5, (1, n))])
        frames[2, 5:9] = np.nan
        x = hold(frames.astype(np.float32), HOP)
    ratio_in = 1 if method == "forward" else HOP
    m.reset()
    with torch.no_grad():
        whole = getattr(m, method)(torch.from_numpy(np.ascontiguousarray(x[:, ratio_in // 2 :: ratio_in]))[None])[
            0
        ].numpy()
    engine = Engine(codec_path, method=method, buffer=2 * HOP, sync=True)
    out = stream_in_blocks(engine, x, block)
    assert engine.latency == 2 * HOP + getattr(m, f"{method}_latency")
    np.testing.assert_allclose(out, delayed(whole, 2 * HOP), atol=1e-5)


def test_config_refuses_frames_too_short_for_the_lowest_pitch():
    with pytest.raises(ValueError, match="harmonic.f0_min"):
        tiny_config(frames=dict(window=WINDOW, hop=HOP, synthesis="harmonic"))


@pytest.mark.parametrize("channel", [0, 1, 2, 3])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_nan_or_inf_latent_breaks_neither_this_call_nor_the_next(codec_path, channel, bad):
    m = torch.jit.load(codec_path)
    clean = torch.zeros(1, 4, 12)
    clean[:, 0], clean[:, 1], clean[:, 2], clean[:, 3] = 2.0, 0.2, 60.0, 0.9
    hostile = clean.clone()
    hostile[:, channel, 4:8] = bad
    m.reset()
    with torch.no_grad():
        first, after = m.decode(hostile), m.decode(clean)
    assert torch.isfinite(first).all() and torch.isfinite(after).all()
    assert first.abs().max() < 100 and after.abs().max() > 1e-4


def test_a_locked_model_plays_each_frame_at_its_gain_and_trains_unlocked(tmp_path):
    torch.manual_seed(1)
    cfg = tiny_config(
        frames=dict(window=WINDOW, hop=HOP, synthesis="harmonic"),
        harmonic=dict(harmonics=16, noise_bands=9, f0_min=130.0, f0_max=2000.0, level_lock=True),
    )
    vqvae = VQVAE(cfg)
    vectors, gains = torch.randn(1, 40, cfg.vq.dim), torch.full((1, 40), 0.2)
    f0, periodicity = torch.full((1, 1, 40), 220.0), torch.full((1, 1, 40), 0.9)
    with torch.no_grad():
        trained = vqvae.train().net.decode_frames(vectors, gains, f0, periodicity)
        unlocked = vqvae.train().net.decoder(vectors, f0, periodicity)
    harmonic, noise = unlocked
    # In training the decoder's own level is heard (the loss teaches it); the lock is
    # for the exported model.
    set_free = vqvae.net.synthesis(f0, harmonic * 0.2, noise * 0.2)
    torch.testing.assert_close(trained, set_free)

    codec = build_codec(cfg, vqvae.state_dict())
    codec.net.level_lock.max_gain = 1e6  # an untrained decoder's level may be far off
    codec.set_descriptors(fake_table(cfg.vq.codes))
    path = tmp_path / "locked.ts"
    export_model(codec, path, chunk_sizes=[HOP, 4 * HOP], seconds=0.25)
    m = torch.jit.load(str(path))
    for gain in (0.05, 0.4):
        z = torch.zeros(1, 4, 40)
        z[:, 0], z[:, 1], z[:, 2], z[:, 3] = 5.0, gain, 57.0, 0.9
        m.reset()
        with torch.no_grad():
            out = m.decode(z)[..., 4 * HOP :]
        rms = float(out.square().mean().sqrt())
        assert rms == pytest.approx(gain, rel=0.06)
