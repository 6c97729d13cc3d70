"""Pd at 44.1 and 48 kHz with a 24 kHz model: the objects resample, and say how late."""

import numpy as np
import pytest
import soxr

from timbre_rt.pd_render import render, reported_latencies
from streaming import chain_reference
from pd_checks import assert_pd_ok

MODEL_RATE = 24000


def identity_chain(path):
    objects = [f"encoder~ {path} 256", f"decoder~ {path} 256"]
    return objects, [(0, k, 1, k) for k in range(16)] + [(1, 0, -1, 0)]


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("block", [64, 512])
def test_impulse_arrives_at_the_reported_latency(tmp_path, identity_path, rate, block):
    signal = np.zeros(rate, dtype=np.float32)
    signal[5000] = 1.0
    objects, wires = identity_chain(identity_path)
    run = render(tmp_path, signal, rate, objects, wires, block=block, extra=("info",))
    assert_pd_ok(run)
    assert "resampled" in run.stderr
    latency = sum(reported_latencies(run.stderr))
    peak = int(np.argmax(np.abs(run.output)))
    assert abs(peak - (5000 + latency)) <= 1, f"impulse at {peak - 5000}, reported {latency}"
    # Band-limited at 12 kHz, the impulse spreads, but its main lobe stands out.
    assert (
        run.output[peak] > 0.4
        and np.abs(np.delete(run.output, range(peak - 40, peak + 41))).max() < 0.1 * run.output[peak]
    )


def spectrum_db(x: np.ndarray, rate: int, low: float = 60.0, high: float = 10000.0) -> np.ndarray:
    """Magnitude spectrum in dB, averaged in 1/6-octave bands between low and high Hz."""
    power = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1.0 / rate)
    edges = low * 2.0 ** (np.arange(int(np.log2(high / low) * 6) + 1) / 6)
    bands = [power[(freqs >= a) & (freqs < b)].mean() for a, b in zip(edges[:-1], edges[1:])]
    return 10 * np.log10(np.asarray(bands) + 1e-12)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_sine_through_the_chain_matches_python_after_resampling(tmp_path, toy_path, rate):
    t = np.arange(2 * rate) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 1320 * t)).astype(np.float32)
    objects = [f"encoder~ {toy_path} 256", f"decoder~ {toy_path} 256"]
    wires = [(0, k, 1, k) for k in range(4)] + [(1, 0, -1, 0)]
    run = render(tmp_path, tone, rate, objects, wires, extra=("info",))
    assert run.returncode == 0 and "error" not in run.stderr, run.stderr
    latency = sum(reported_latencies(run.stderr))

    at_model_rate = soxr.resample(tone, rate, MODEL_RATE, quality="HQ").astype(np.float32)
    frames = at_model_rate.size // 16 * 16
    reference = chain_reference(toy_path, at_model_rate[None, :frames], 256, 256)[0]
    reference = soxr.resample(reference, MODEL_RATE, rate, quality="HQ")

    # Compare one steady second, each signal from its own start of sound.
    start = latency + rate // 4
    got = run.output[start : start + rate]
    ref_start = int(round(512 * rate / MODEL_RATE)) + rate // 4
    want = reference[ref_start : ref_start + rate]
    difference = np.abs(spectrum_db(got, rate) - spectrum_db(want, rate))
    loud = spectrum_db(want, rate) > spectrum_db(want, rate).max() - 40  # bands within 40 dB of the peak
    # Stated tolerance: within 0.5 dB in every band that matters, 0.2 dB on average.
    assert difference[loud].max() < 0.5 and difference[loud].mean() < 0.2, difference[loud]
