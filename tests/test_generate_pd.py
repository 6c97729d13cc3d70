"""The example patches offline-edit.pd and interpolation-plane.pd, rendered in headless Pd.

Each patch is copied to a temporary folder with its model path replaced by a tiny test
model shaped like models/continuous.ts (19 latent channels, 512 samples per frame at
24 kHz), then driven by its batch receiver (`pd -batch -send ...`). Pd runs at 48 kHz, so
the objects resample; the outputs are compared with the Python API's decode(encode(x)).
"""

from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr
import torch

from timbre_rt.export import export_model
from timbre_rt.generate import decode_series, encode_audio, load_model
from timbre_rt.models import ToyCodec
from timbre_rt.pd_render import run_pd_file
from pd_checks import assert_pd_ok

EXAMPLES = Path(__file__).resolve().parents[1] / "pd_externals" / "examples"
SHIPPED_MODEL = "../../models/continuous.ts"
PD_RATE, MODEL_RATE = 48000, 24000


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """19 channels (z0..z15, pitch, periodicity, loudness), frame 512 at 24 kHz; no biases, so silent latents decode to silence."""
    codec = ToyCodec(sampling_rate=MODEL_RATE, latent_channels=19, strides=(8, 8, 8), hidden=8)
    with torch.no_grad():
        for name, p in codec.named_parameters():
            if name.endswith("bias"):
                p.zero_()
    path = tmp_path_factory.mktemp("pd_model") / "toy19.ts"
    export_model(codec, path, chunk_sizes=[512, 2048], seconds=0.2)
    return str(path)


def render(patch: str, model_path: str, folder: Path, message: str) -> str:
    """Copy `patch` with the test model, run it headless with one -send message -> stderr."""
    text = (EXAMPLES / patch).read_text()
    assert SHIPPED_MODEL in text
    copy = folder / patch
    copy.write_text(text.replace(SHIPPED_MODEL, model_path))
    run = run_pd_file(copy, PD_RATE, [message], timeout=120)
    assert_pd_ok(run)
    return run.stderr


def write(path: Path, x: np.ndarray) -> Path:
    soundfile.write(path, x.astype(np.float32), PD_RATE, subtype="FLOAT")
    return path


def python_chain(model_path: str, x: np.ndarray) -> np.ndarray:
    """decode(encode(x)) with the Python API at the model's rate, back at Pd's rate."""
    model = load_model(model_path)
    y = decode_series(model, encode_audio(model, soxr.resample(x, PD_RATE, MODEL_RATE)))
    return soxr.resample(y, MODEL_RATE, PD_RATE)


def below(x: np.ndarray, hz: float = 9000.0) -> np.ndarray:
    """x without what lies above `hz`: the objects' low-latency resampler is flat to 10 kHz
    at a 24 kHz model, the reference's soxr to 11 kHz, and the toy model sounds up there."""
    spectrum = np.fft.rfft(x)
    spectrum[np.fft.rfftfreq(x.size, 1.0 / PD_RATE) > hz] = 0
    return np.fft.irfft(spectrum, x.size)


def best_match(out: np.ndarray, ref: np.ndarray, start: int, length: int, lags: range) -> tuple:
    """Best (correlation, lag) of out[start + lag:] with ref[start:] over `length` samples."""
    r = ref[start : start + length].astype(np.float64)
    r -= r.mean()
    seg = out[start + lags.start : start + lags.stop - 1 + length].astype(np.float64)
    num = np.correlate(seg, r, mode="valid")  # one value per lag (r has zero mean)
    c1, c2 = np.cumsum(np.r_[0.0, seg]), np.cumsum(np.r_[0.0, seg**2])
    s1, s2 = c1[length:] - c1[:-length], c2[length:] - c2[:-length]
    corr = num / np.sqrt(np.maximum(s2 - s1 * s1 / length, 1e-30) * (r**2).sum())
    k = int(np.argmax(corr))
    return float(corr[k]), lags.start + k


def tone(seconds: float, f0: float) -> np.ndarray:
    t = np.arange(int(PD_RATE * seconds)) / PD_RATE
    return 0.4 * np.sin(2 * np.pi * f0 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))


def test_offline_edit_round_trip(model_path, tmp_path):
    x = tone(1.0, 220.0)
    src, out = write(tmp_path / "in.wav", x), tmp_path / "out.wav"
    stderr = render("offline-edit.pd", model_path, tmp_path, f"offline-edit-batch {src} {out}")
    assert "offline-edit: encoded 47 frames" in stderr  # ceil(48000 / 1024)
    assert "offline-edit: wrote 48000 samples" in stderr
    y, rate = soundfile.read(out, dtype="float32")
    assert rate == PD_RATE and y.shape == x.shape
    ref = python_chain(model_path, x)
    assert np.std(ref) > 0 and abs(np.std(y) / np.std(ref) - 1) < 0.05
    # Arrays sampled once per frame, then held frames decoded: the same sound, aligned
    # with the source to within one frame (1024 samples at 48 kHz).
    corr, lag = best_match(y, ref, 4000, 36000, range(-1024, 1025))
    assert corr > 0.99, (corr, lag)


def test_interpolation_plane_equal_anchors_is_the_plain_chain(model_path, tmp_path):
    # Weights always sum to 1: with four equal anchors, any path gives decode(encode(x)).
    x = tone(2.0, 220.0)
    src, out = write(tmp_path / "a.wav", x), tmp_path / "out.wav"
    render(
        "interpolation-plane.pd", model_path, tmp_path, f"interpolation-plane-batch {src} {src} {src} {src} {out} 1.2"
    )
    y = soundfile.read(out, dtype="float32")[0]
    assert y.shape == (int(1.2 * PD_RATE),)
    ref = python_chain(model_path, x)
    corr, lag = best_match(below(y), below(ref), 5000, 30000, range(6000, 20000))  # encoder + decoder latency
    assert corr > 0.999, (corr, lag)
    assert abs(np.std(y[lag + 5000 :]) / np.std(ref[5000 : y.size - lag]) - 1) < 0.02


def test_interpolation_plane_moves_away_from_a(model_path, tmp_path):
    # A is a tone, B, C, D silence: A's weight (1-x)(1-y) is 0 from half the duration on.
    src = write(tmp_path / "a.wav", tone(2.0, 330.0))
    silent = write(tmp_path / "silence.wav", np.zeros(PD_RATE))
    out = tmp_path / "out.wav"
    render(
        "interpolation-plane.pd",
        model_path,
        tmp_path,
        f"interpolation-plane-batch {src} {silent} {silent} {silent} {out} 1.5",
    )
    y = soundfile.read(out, dtype="float32")[0]
    latency = 9566  # measured: encoder + decoder at these settings (the lag found in the test above)
    early = np.std(y[latency + 2400 : latency + 12000])  # A's weight near 1
    late = np.std(y[-7000:])  # A's weight 0 for 0.4 s already
    assert early > 1e-6 and late < 0.01 * early, (early, late)
