"""[timbre~ <model> <method>]: any exported method in Pd, inlets and outlets as its
`_params` declare; forward gives the encoder~ -> decoder~ chain's samples at one buffer's
latency."""

import numpy as np
import pytest

from timbre_rt.pd_render import render, reported_latencies
from streaming import chain_reference, delayed, reference
from pd_checks import assert_pd_ok

RATE = 24000


@pytest.fixture(scope="module")
def tone():
    t = np.arange(RATE) / RATE
    return (0.4 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.random.default_rng(1).standard_normal(RATE)).astype(
        np.float32
    )


def clean(run, frames):
    assert_pd_ok(run)
    assert run.output.shape == (frames,)


def test_forward_equals_python_and_the_chain(tmp_path, toy_path, tone):
    run = render(tmp_path, tone, RATE, [f"timbre~ {toy_path} forward 256 0"], [(0, 0, -1, 0)], extra=("info",))
    clean(run, tone.size)
    (latency,) = reported_latencies(run.stderr)
    assert latency == 256
    expected = delayed(reference(toy_path, "forward", tone[None], 1, 1), latency)[0]
    assert np.abs(expected).max() > 0.01 and np.abs(run.output - expected).max() <= 1e-5
    # The encoder~ -> decoder~ chain: the same sound one buffer later, once the decoder has
    # forgotten the silent latents it starts with.
    chain = chain_reference(toy_path, tone[None], 256, 256)[0]
    np.testing.assert_allclose(chain[RATE // 4 :], delayed(run.output[None], 256)[0][RATE // 4 :], atol=1e-5)


def test_encode_has_one_outlet_per_latent_and_matches_encoder(tmp_path, toy_path, tone):
    # [+~ 0] feeds both objects; the third latent of one minus the other's must be silence.
    objects = ["+~ 0", f"timbre~ {toy_path} encode 256 0", f"encoder~ {toy_path} 256 0", "*~ -1", "+~"]
    wires = [(0, 0, 1, 0), (0, 0, 2, 0), (1, 2, 4, 0), (2, 2, 3, 0), (3, 0, 4, 1), (4, 0, -1, 0)]
    run = render(tmp_path, tone, RATE, objects, wires)
    assert_pd_ok(run)
    # The render's "sync 1" reaches every object; only the plain Pd ones may refuse it.
    assert all("no method for 'sync'" in line for line in run.stderr.splitlines() if "error" in line), run.stderr
    assert run.output.shape == tone.shape and np.abs(run.output).max() == 0
    # ... and that latent is not silence itself (outlets as encode's _params declare).
    alone = render(tmp_path, tone, RATE, [f"timbre~ {toy_path} encode 256 0"], [(0, 2, -1, 0)])
    clean(alone, tone.size)
    assert np.abs(alone.output).max() > 1e-3


def test_unknown_method_is_one_clear_error_and_silence(tmp_path, toy_path, tone):
    run = render(tmp_path, tone, RATE, [f"timbre~ {toy_path} nosuch 256 0"], [(0, 0, -1, 0)])
    assert_pd_ok(run, errors_expected=True)
    assert "has no method 'nosuch' (it has: encode, decode, forward)" in run.stderr
    assert np.abs(run.output).max() == 0


def test_a_failing_model_call_is_reported_with_the_file_in_pd(tmp_path, tone):
    from fixture_models import NaNAbove, save

    # Errors show in the Pd window on their own (checked twice a second while DSP runs).
    path = save(NaNAbove(0.3), tmp_path / "nan.ts")  # declares no rate: 44.1 kHz, as RAVE's default
    signal = np.tile(tone, 2)
    run = render(tmp_path, signal, 44100, [f"timbre~ {path} forward 256 0"], [(0, 0, -1, 0)])
    assert_pd_ok(run, errors_expected=True)
    assert "model call(s) failed (silence instead), the last: " in run.stderr
    assert f"model file '{path}', method 'forward' produced NaN or Inf" in run.stderr
    assert np.isfinite(run.output).all()
