"""descriptor-synth.pd: [timbre~ discrete.ts synthesize] driven by Pd's own analysis of an
input ([descriptors~]: sigmund~, an rfft~ centroid). Headless, a low and a high input give
sound, and the high one a higher pitch; the committed patches are what the generators write
from the shipped model's descriptor table."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from timbre_rt.audio import read_wav, write_wav
from timbre_rt.pd_patches import descriptor_synth_patch, descriptors_of, descriptors_patch
from timbre_rt.pd_render import PD_EXTERNALS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "pd_externals" / "examples"
RATE = 24000


def test_committed_patches_are_the_generated_ones():
    model = torch.jit.load(str(REPO / "models" / "discrete.ts"))
    assert (EXAMPLES / "descriptor-synth.pd").read_text() == descriptor_synth_patch(descriptors_of(model))
    assert (EXAMPLES / "descriptors~.pd").read_text() == descriptors_patch()


def _play(tmp_path: Path, frequency: float) -> np.ndarray:
    t = np.arange(int(1.5 * RATE)) / RATE
    source, out = tmp_path / f"in{frequency:g}.wav", tmp_path / f"out{frequency:g}.wav"
    write_wav(source, (0.3 * (2 * ((t * frequency) % 1) - 1)).astype(np.float32), RATE)  # a sawtooth
    run = subprocess.run(["pd", "-nogui", "-nosound", "-batch", "-stderr", "-r", str(RATE), "-path", str(PD_EXTERNALS),
                          "-open", str(EXAMPLES / "descriptor-synth.pd"),
                          "-send", f"descriptor-synth-batch {source} {out}"],
                         capture_output=True, text=True, timeout=300, cwd=EXAMPLES)
    assert "couldn't create" not in run.stderr and out.exists(), run.stderr
    return np.asarray(read_wav(out)[0]).reshape(-1)


def _plays(audio: np.ndarray, hz: float) -> bool:
    """Whether the settled output is periodic at hz: its spectrum's energy sits on the
    harmonics of hz, not between them (a pitch tracker can take a code with a weak
    fundamental an octave down; the comb cannot be fooled)."""
    tail = audio[RATE // 2:]  # after the analysis and the model's delay have settled
    power = np.abs(np.fft.rfft(tail * np.hanning(tail.size))) ** 2
    ratio = np.fft.rfftfreq(tail.size, 1 / RATE) / hz
    on = (np.abs(ratio - np.round(ratio)) < 0.03) & (ratio > 0.5)
    between = np.abs(ratio - np.floor(ratio) - 0.5) < 0.03
    return power[on].sum() > 100 * power[between].sum()


def test_the_input_steers_the_codes(tmp_path):
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    low, high = _play(tmp_path, 220), _play(tmp_path, 880)
    for audio in (low, high):
        assert audio.size == int(1.5 * RATE) and np.isfinite(audio).all()
        assert np.sqrt(np.mean(audio[RATE // 2:] ** 2)) > 0.005  # it sounds
    # The shipped model plays the f0 target as its pitch: the player's pitch comes out.
    assert _plays(low, 220.0) and not _plays(low, 440.0)
    assert _plays(high, 880.0) and not _plays(high, 880.0 * 2 ** (1 / 12))
