"""[encoder~] and [decoder~] in headless Pd: same samples as Python, clear errors, no crash."""

import numpy as np
import pytest
import torch
from torch import nn

from timbre_rt.pd_render import render
from fixture_models import save
from streaming import chain_reference
from pd_checks import assert_pd_ok

RATE = 24000  # the toy model's rate: Pd runs at the model's rate here
BUFFER = 256
LATENTS = 4


def chain(encoder_model, decoder_model, buffer=BUFFER):
    # Headroom 0: the latency is the buffer alone (the objects default to half a buffer more).
    objects = [f"encoder~ {encoder_model} {buffer} 0", f"decoder~ {decoder_model} {buffer} 0"]
    wires = [(0, k, 1, k) for k in range(LATENTS)] + [(1, 0, -1, 0)]
    return objects, wires


def created_and_rendered(run, frames, errors_expected=False):
    assert_pd_ok(run, errors_expected)
    assert run.output.shape == (frames,), run.stderr


@pytest.fixture(scope="module")
def tone():
    t = np.arange(RATE) / RATE
    return (
        0.4 * np.sin(2 * np.pi * 220 * t) * np.exp(-2 * t) + 0.05 * np.random.default_rng(0).standard_normal(RATE)
    ).astype(np.float32)


@pytest.fixture(scope="module")
def expected(toy_path, tone):
    return chain_reference(toy_path, tone[None], BUFFER, BUFFER)[0]


@pytest.mark.parametrize("block", [1, 64, 256, 1024])
def test_chain_equals_python(tmp_path, toy_path, tone, expected, block):
    objects, wires = chain(toy_path, toy_path)
    run = render(tmp_path, tone, RATE, objects, wires, block=block)
    created_and_rendered(run, tone.size)
    assert np.abs(expected).max() > 0.01
    assert np.abs(run.output - expected).max() <= 1e-5


def test_info_reports_latency(tmp_path, toy_path, tone):
    objects, wires = chain(toy_path, toy_path)
    run = render(tmp_path, tone, RATE, objects, wires, extra=("info",))
    created_and_rendered(run, tone.size)
    assert f"latency {BUFFER} samples" in run.stderr


def test_default_headroom_is_auto_from_two_jack_periods(tmp_path, toy_path, tone):
    # Auto headroom starts at 512 samples at Pd's rate (two periods of a low-latency JACK
    # setup) and grows to the bursts Pd really computes; an explicit headroom fixes it.
    objects = [f"encoder~ {toy_path} {BUFFER}", f"decoder~ {toy_path} {BUFFER}"]
    wires = [(0, k, 1, k) for k in range(LATENTS)] + [(1, 0, -1, 0)]
    run = render(tmp_path, tone, RATE, objects, wires, extra=("info", "headroom 64", "info"))
    created_and_rendered(run, tone.size)
    assert run.stderr.count(f"headroom 512 (auto), threaded, latency {BUFFER + 512} samples (") == 2
    assert run.stderr.count(f"headroom 64, threaded, latency {BUFFER + 64} samples (") == 2
    assert "1 -> 4 channels" in run.stderr and "4 -> 1 channels" in run.stderr


def test_a_missing_object_is_detected(tmp_path, toy_path, tone):
    objects, wires = chain(toy_path, toy_path)
    objects[0] = objects[0].replace("encoder~", "encoderr~")
    run = render(tmp_path, tone, RATE, objects, wires)
    with pytest.raises(AssertionError):
        created_and_rendered(run, tone.size)


class NoEncode(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("decode_params", torch.tensor([4, 16, 1, 1]))

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return z[:, :1].repeat_interleave(16, dim=-1)


@pytest.fixture(scope="module")
def bad_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_models")
    (folder / "random.ts").write_bytes(np.random.default_rng(1).bytes(2048))
    (folder / "empty.ts").write_bytes(b"")
    return {
        "missing": (str(folder / "missing.ts"), "does not exist"),
        "random": (str(folder / "random.ts"), "is not a TorchScript file"),
        "empty": (str(folder / "empty.ts"), "is empty"),
        "no encode": (save(NoEncode(), folder / "no_encode.ts"), "has no method 'encode'"),
    }


@pytest.mark.parametrize("case", ["missing", "random", "empty", "no encode"])
def test_bad_model_at_creation(tmp_path, toy_path, tone, bad_models, case):
    path, words = bad_models[case]
    objects, wires = chain(path, toy_path)
    run = render(tmp_path, tone, RATE, objects, wires)
    # The object exists and Pd renders to the end; without a model it has its default outlets,
    # so the wires to the toy decoder's further latents fail, as they should.
    assert run.returncode == 0 and "couldn't create" not in run.stderr, run.stderr
    assert run.output.shape == (tone.size,), run.stderr
    assert f"encoder~: model file '{path}'" in run.stderr and words in run.stderr
    assert "outputs silence until a model loads" in run.stderr


@pytest.mark.parametrize(
    "message, words",
    [
        ("load {bad}", "is not a TorchScript file"),
        ("device cuda", "CUDA is not available"),
        ("foo 1 2", "no method for 'foo'"),
        ("buffer 0", "buffer must be a whole number in [1, 262144], got 0; nothing changed"),
        ("buffer -64", "buffer must be a whole number in [1, 262144], got -64"),
        ("buffer 1e+10", "buffer must be a whole number in [1, 262144], got 1e+10"),
        ("buffer 1073741824", "got 1.07374e+09"),
        ("buffer 100.5", "got 100.5"),
        ("headroom 1e+10", "headroom must be a whole number in [0, 262144], got 1e+10"),
        ("headroom -1", "headroom must be a whole number in [0, 262144], got -1"),
        ("headroom fast", "headroom takes a number of samples or 'auto'"),
        ("threads 1e+10", "threads must be a whole number in [1, 256]"),
        ("load", "load needs a model file path"),
    ],
)
def test_bad_message_while_running_keeps_the_sound(tmp_path, toy_path, tone, expected, bad_models, message, words):
    if "cuda" in message and torch.cuda.is_available():
        pytest.skip("checks the error on a machine without CUDA")
    objects, wires = chain(toy_path, toy_path)
    run = render(tmp_path, tone, RATE, objects, wires, extra=(message.format(bad=bad_models["random"][0]),))
    created_and_rendered(run, tone.size, errors_expected=True)
    assert words in run.stderr
    # The previous model keeps playing: not one sample differs.
    assert np.abs(run.output - expected).max() <= 1e-5


def test_bypass_passes_the_sound(tmp_path, toy_path, tone):
    objects, wires = chain(toy_path, toy_path)
    run = render(tmp_path, tone, RATE, objects, wires, extra=("bypass 1",))
    created_and_rendered(run, tone.size)
    assert np.array_equal(run.output, tone)


def test_load_while_running_is_reported(tmp_path, toy_path, tone):
    """A good `load` while DSP runs is reported and the chain keeps sounding."""
    objects = [f"encoder~ {toy_path} {BUFFER} 0", f"decoder~ {toy_path} {BUFFER} 0"]
    wires = [(0, k, 1, k) for k in range(LATENTS)] + [(1, 0, -1, 0)]
    run = render(tmp_path, tone, RATE, objects, wires, extra=(f"load {toy_path}",))
    created_and_rendered(run, tone.size)
    assert f"loaded {toy_path}" in run.stderr
    assert np.abs(run.output).max() > 0.01
