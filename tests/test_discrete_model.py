"""The discrete model: level invariance, frame delay, export contract, C++ engine streaming."""

import numpy as np
import pytest
import torch

from timbre_rt import Engine, read_model_info
from timbre_rt.export import export_model
from timbre_rt.models.discrete import DESCRIPTOR_NAMES, CodePicker, OverlapAdd, load_config

from discrete_fixtures import HOP, RATE, TINY_YAML, WINDOW, fake_table, tiny_codec, tones
from streaming import delayed, hold, stream_in_blocks

D = len(DESCRIPTOR_NAMES)


@pytest.fixture(scope="module")
def codec_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("discrete") / "tiny.ts"
    report = export_model(tiny_codec(), path, chunk_sizes=[HOP, 3 * HOP, 16 * HOP], seconds=0.5)
    assert report.max_error < 1e-4
    return str(path)


def test_codes_ignore_the_level():
    codec = tiny_codec()
    x = tones(1.0)
    with torch.no_grad():
        loud = codec.encode(x)
        quiet = codec.encode(x * 0.01)  # -40 dB
    same = (loud[0, 0] == quiet[0, 0]).float().mean().item()
    assert same >= 0.99
    assert len(loud[0, 0].unique()) > 1  # the test would be empty with one code everywhere
    torch.testing.assert_close(quiet[0, 1], loud[0, 1] * 0.01, rtol=1e-4, atol=1e-9)


def test_gain_channel_scales_the_output_and_codes_change_it():
    codec = tiny_codec()
    z = torch.zeros(1, 2, 40)
    z[:, 0], z[:, 1] = 3, 0.5
    with torch.no_grad():
        a = codec.decode(z)
        z2 = z.clone()
        z2[:, 1] = 0.25
        b = codec.decode(z2)
        z2[:, 0] = 5
        c = codec.decode(z2)
    torch.testing.assert_close(b, a * 0.5)
    assert (c - b).abs().max() > 1e-4


def test_a_held_code_repeats_every_window_not_every_hop():
    codec = tiny_codec()
    z = torch.stack([torch.full((40,), 3.0), torch.full((40,), 0.5)])[None]
    with torch.no_grad():
        y = codec.decode(z)[0, 0]
    steady = y[WINDOW:]
    torch.testing.assert_close(steady[WINDOW:], steady[:-WINDOW], atol=1e-5, rtol=0)
    assert (steady[HOP:] - steady[:-HOP]).abs().max() > 1e-3


def test_overlap_add_delay_is_window_minus_hop():
    """Frame the input as encode does, overlap-add the frames back (Hann, normalised):
    the impulse comes out exactly the declared latency later."""
    codec = tiny_codec()
    x = torch.zeros(1, 1, 40 * HOP)
    x[0, 0, 1000] = 1.0
    frames = codec.net.frames(x)  # [1, N, WINDOW]
    hann = torch.hann_window(WINDOW, periodic=True)
    y = OverlapAdd(WINDOW, HOP)(frames * hann / (hann.sum() / HOP))
    assert int(y[0, 0].abs().argmax()) == 1000 + codec.decode_latency
    assert codec.decode_latency == WINDOW - HOP == codec.forward_latency == codec.synthesize_latency
    torch.testing.assert_close(y[0, 0, 1000 + WINDOW - HOP], torch.tensor(1.0))


def test_contract_metadata(codec_path):
    info = read_model_info(codec_path)
    assert info["model_kind"] == "discrete"
    assert info["sampling_rate"] == RATE and info["block_size"] == HOP
    assert info["latent_names"] == ["code", "gain"]
    methods = info["methods"]
    assert methods["encode"]["params"] == [1, 1, 2, HOP]
    assert methods["decode"]["params"] == [2, HOP, 1, 1]
    assert methods["synthesize"]["params"] == [D + 1, HOP, 1, 1]
    assert methods["decode"]["latency"] == WINDOW - HOP
    m = torch.jit.load(codec_path)
    assert list(m.descriptor_names) == list(DESCRIPTOR_NAMES)
    np.testing.assert_allclose(m.descriptors.numpy(), fake_table(8), rtol=1e-6)
    assert tuple(m.standard_table.shape) == (8, D)


@pytest.mark.parametrize(
    "method,block", [("decode", 64), ("decode", 100), ("encode", 37), ("forward", 256), ("synthesize", 100)]
)
def test_engine_streams_exactly(codec_path, method, block):
    m = torch.jit.load(codec_path)
    rng = np.random.default_rng(3)
    n = 30
    if method in ("encode", "forward"):
        x = tones(n * HOP / RATE)[0].numpy()
    elif method == "decode":
        frames = np.stack([rng.integers(0, 8, n), rng.uniform(0, 0.5, n)]).astype(np.float32)
        x = hold(frames, HOP)
    else:
        frames = np.concatenate([rng.standard_normal((D, n)), rng.uniform(0, 0.5, (1, n))])
        frames[2, 5:9] = np.nan  # no rolloff target there
        x = hold(frames.astype(np.float32), HOP)
    ratio_in = HOP if method in ("decode", "synthesize") else 1
    m.reset()
    with torch.no_grad():
        whole = getattr(m, method)(torch.from_numpy(np.ascontiguousarray(x[:, ratio_in // 2 :: ratio_in]))[None])[
            0
        ].numpy()
    if method == "encode":
        whole = hold(whole, HOP)
    buffer = 2 * HOP
    engine = Engine(codec_path, method=method, buffer=buffer, sync=True)
    out = stream_in_blocks(engine, x, block)
    # The reported latency adds the model's own delay, which is already inside `whole`.
    assert engine.latency == buffer + getattr(m, f"{method}_latency")
    np.testing.assert_allclose(out, delayed(whole, buffer), atol=1e-5)


def test_picker_holds_its_code_within_the_stay_bonus():
    table = torch.tensor([[0.0], [1.0]])
    weights = torch.ones(1)
    targets = torch.tensor([0.0, 0.45, 0.55, 0.7, 1.0, 0.4])[None, :, None]
    assert CodePicker(0.0)(targets, table, weights)[0].tolist() == [0, 0, 1, 1, 1, 0]
    # Cost is a squared distance: code 1 must beat code 0 by more than 0.25.
    assert CodePicker(0.25)(targets, table, weights)[0].tolist() == [0, 0, 0, 1, 1, 1]
    nan = torch.full((1, 3, 1), float("nan"))
    assert CodePicker(0.0)(torch.cat([targets, nan], 1), table, weights)[0].tolist()[-3:] == [0, 0, 0]


def test_synthesize_picks_the_code_of_the_target():
    codec = tiny_codec()
    table = codec.standard_table
    n = 6
    wanted = [2, 2, 5, 5, 7, 7]
    targets = torch.cat([table[wanted].T[None], torch.full((1, 1, n), 0.1)], dim=1)
    with torch.no_grad():
        got = codec.synthesize(targets)
        codes = torch.tensor(wanted, dtype=torch.float32)
        expected = codec.decode(torch.stack([codes, torch.full((n,), 0.1)])[None])
    torch.testing.assert_close(got, expected)


def test_config_errors(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(TINY_YAML)
    assert load_config(good).vq.codes == 8
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_YAML.replace("dim: 4", "dimm: 4"))
    with pytest.raises(ValueError, match="vq: unknown key 'dimm' \\(did you mean 'dim'\\?\\)"):
        load_config(bad)
    bad.write_text(TINY_YAML.replace("hop: 64", "hop: 100"))
    with pytest.raises(ValueError, match="multiple of hop"):
        load_config(bad)
    bad.write_text(TINY_YAML.replace("model: discrete", "model: continuous"))
    with pytest.raises(ValueError, match="'continuous' model"):
        load_config(bad)
    bad.write_text(TINY_YAML + "colour: red\n")
    with pytest.raises(ValueError, match="unknown key 'colour'"):
        load_config(bad)


def test_shipped_config_reads():
    cfg = load_config("models/discrete.yaml")
    assert (cfg.frames.window, cfg.frames.hop, cfg.sampling_rate) == (2048, 512, 24000)
    assert cfg.harmonic_synthesis and cfg.delay == 1024  # harmonics ramp to the frame's centre
    loops = load_config("models/discrete-loops.yaml")
    assert not loops.harmonic_synthesis and loops.delay == 1536  # a loop starts where its frame did
