"""Live latency in a real JACK run (jackd -d dummy, 48 kHz, period 256): a JACK client plays a
click into `pd -jack` and records what comes out of a plain [adc~] -> [dac~] path (Pd's own
I/O delay) and of the [encoder~] -> [decoder~] chain in the same Pd run. The chain's share,
measured - Pd's I/O delay, must be the latency the objects report."""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import torch

from timbre_rt.bench.jack_server import jack_server
from timbre_rt.bench.pd_jack_sweep import JACK_PRIORITY
from timbre_rt.bench.pd_live import LiveSettings, run_live
from timbre_rt.export import export_model
from timbre_rt.models import IdentityCodec
from timbre_rt.pd_render import PD_EXTERNALS

RATE = 48000
TOY = Path(__file__).resolve().parents[1] / "models" / "toy.ts"

pytestmark = [
    pytest.mark.skipif(shutil.which("pd") is None, reason="Pure Data is not installed (scripts/setup.sh)"),
    pytest.mark.skipif(shutil.which("jackd") is None, reason="jackd is not installed (Debian: jackd2)"),
    pytest.mark.skipif(
        importlib.util.find_spec("jack") is None, reason="JACK-Client is not installed (scripts/setup.sh)"
    ),
    pytest.mark.skipif(not (PD_EXTERNALS / "encoder~.pd_linux").exists(), reason="the Pd externals are not built"),
]


@pytest.fixture(scope="module")
def live_jack():
    """A private jackd; with SCHED_FIFO when allowed (a Python JACK client on a loaded
    machine xruns without it, and an xrun shifts Pd's I/O by a period or more), its clients'
    threads above the objects' realtime workers (JACK_PRIORITY)."""
    with jack_server(f"timbre_rt_live_{os.getpid()}", RATE, 256, realtime=None, priority=JACK_PRIORITY) as name:
        yield name


def identity_model(folder: Path, rate: int) -> str:
    """A model whose chain only delays (by its declared 3 + 5 frames plus the buffers)."""
    torch.set_num_threads(1)
    path = folder / f"identity_{rate}.ts"
    export_model(IdentityCodec(ratio=16, encode_delay=3, decode_delay=5, sampling_rate=rate), path, seconds=0.25)
    return str(path)


def run(model: str, folder: Path, attempts: int = 3, **settings):
    """A live run whose delays can be trusted, at an explicit buffer and headroom (the
    objects' automatic headroom can grow after the click, and the report is read at the
    end): a JACK xrun moves Pd's I/O and an underrun can swallow the click, so a run with
    either is tried again; a machine too loaded for a clean run skips, with the counts."""
    dirty = []
    for _ in range(attempts):
        live = run_live(LiveSettings(model, buffer=2048, headroom=1024, seconds=2.0, **settings), folder)
        if live.jack_xruns == 0 and live.underruns == 0 and live.measured is not None and live.pd_io_spread == 0:
            break
        dirty.append(
            f"{live.jack_xruns} xruns, {live.underruns} underruns, click {'lost' if live.measured is None else 'found'}"
        )
    else:
        pytest.skip(
            f"no clean live run of {Path(model).name} in {attempts} tries ({'; '.join(dirty)}): machine too loaded"
        )
    assert live.pd_io is not None, f"the click never came through plain Pd: {live}"
    return live


@pytest.fixture(scope="module")
def toy_run(live_jack, tmp_path_factory):
    return run(str(TOY), tmp_path_factory.mktemp("toy_live"))


def test_identity_at_pd_rate_arrives_exactly_where_reported(live_jack, tmp_path):
    live = run(identity_model(tmp_path, RATE), tmp_path)
    assert live.measured_chain == live.reported, live
    assert live.peak_chain == live.reported, live


@pytest.mark.parametrize("model_rate", [24000, 44100])
def test_resampled_identity_peaks_where_reported(live_jack, tmp_path, model_rate):
    live = run(identity_model(tmp_path, model_rate), tmp_path)
    # A linear-phase resampler peaks at its delay (and rings before it: the onset comes earlier).
    assert abs(live.peak_chain - live.reported) <= 1, live
    assert live.measured_chain <= live.peak_chain, live


def test_toy_model_live_delay_is_bounded_by_the_report(toy_run):
    # The first output frame that hears the click starts at that frame's boundary, up to a
    # frame (16 samples at 24 kHz = 32 at Pd's rate) before the click, and the resampler's
    # filter rings ahead of its delay: the onset may come early, never late.
    assert toy_run.reported - 512 <= toy_run.measured_chain <= toy_run.reported, toy_run


@pytest.mark.xfail(
    strict=False,
    reason="measured 2026-12-01, toy.ts (24 kHz in Pd at 48 kHz) at buffer 2048, "
    "headroom 1024: before issue 12's resampling rework the click's onset came 66-81 samples before the "
    "reported latency (linear-phase soxr rings ahead of its delay, the resampled identity model's "
    "onset 257 early); with the rework in progress 33 early (identity 122 early, its peak exact). A "
    "frame-based model's first answering frame also starts up to a frame before the click.",
)
def test_toy_model_live_onset_is_exactly_the_reported_latency(toy_run):
    assert abs(toy_run.measured_chain - toy_run.reported) <= 1, toy_run
