"""descriptor-synth.pd: [timbre~ discrete.ts synthesize] driven by Pd's own analysis of an
input ([descriptors~]: sigmund~, an rfft~ centroid). Headless, a low and a high input give
sound, and the high one a higher pitch; the committed patches are what the generators write
from the shipped model's descriptor table. The batch's input file plays at its own sample rate
([pd play-ds-in], players.once_player): 220 Hz sines at 24, 44.1, 48 and 96 kHz come out of
the player at 220 Hz in a 24 kHz Pd, the output lasts what the input played and sounds at 220 Hz."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from test_pd_interpolation_plane_patch import overlaps
from test_pd_offline_edit_patch import FILE_RATES, assert_plays_at_its_rate, played_length, sine_file
from timbre_rt.audio import read_wav, write_wav
from timbre_rt.pd_patches import Canvas, descriptor_synth_patch, descriptors_of, descriptors_patch
from timbre_rt.pd_render import run_pd_file
from pd_checks import assert_pd_ok

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
    run = run_pd_file(EXAMPLES / "descriptor-synth.pd", RATE, [f"descriptor-synth-batch {source} {out}"], timeout=300)
    assert_pd_ok(run)
    assert out.exists(), run.stderr
    return np.asarray(read_wav(out)[0]).reshape(-1)


def _plays(audio: np.ndarray, hz: float) -> bool:
    """Whether the settled output is periodic at hz: its spectrum's energy sits on the
    harmonics of hz, not between them (a pitch tracker can take a code with a weak
    fundamental an octave down; the comb cannot be fooled)."""
    tail = audio[RATE // 2 :]  # after the analysis and the model's delay have settled
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
        assert np.sqrt(np.mean(audio[RATE // 2 :] ** 2)) > 0.005  # it sounds
    # The shipped model plays the f0 target as its pitch: the player's pitch comes out.
    assert _plays(low, 220.0) and not _plays(low, 440.0)
    assert _plays(high, 880.0) and not _plays(high, 880.0 * 2 ** (1 / 12))


# --- the batch's input file plays at its own sample rate ([pd play-ds-in]) ----------------


def _model():
    return torch.jit.load(str(REPO / "models" / "discrete.ts"))


def _player(c: Canvas):
    (player,) = [b for b in c.boxes if b.kind == "restore" and b.text == "pd play-ds-in"]
    return player


def test_the_player_is_wired_and_nothing_overlaps():
    c = Canvas.parse(descriptor_synth_patch(descriptors_of(_model())))
    player = _player(c)
    assert not c.find("tabplay~") and player.inner.find(r"^tabread4~ ds-in$")
    (r_open,) = c.find(r"^r ds-open$")
    (r_play,) = c.find(r"^r ds-play$")
    (s_length,) = c.find(r"^s ds-len$")
    (analysis,) = c.find(r"^descriptors~")
    assert {
        (r_open.index, 0, player.index, 0),
        (r_play.index, 0, player.index, 1),
        (player.index, 0, analysis.index, 0),
        (player.index, 1, s_length.index, 0),
    } <= set(c.connections())
    # the boxes around the player (above the sliders, right of [pd init]) and in [pd batch]
    # and [pd play-ds-in] (the sliders' toggles and number boxes are not estimated here)
    top = Canvas(1000, 840)
    for b in c.boxes:
        if b.x is not None and b.x >= 540 and b.y < 340:
            top._box(b.kind, b.text, b.x, b.y)
    assert overlaps(top) == []
    (batch,) = [b for b in c.boxes if b.kind == "restore" and b.text == "pd batch"]
    assert overlaps(batch.inner, "pd batch") == [] and overlaps(player.inner, "pd play-ds-in") == []


def _tapped(tap: Path, frames: int, wait_ms: float) -> str:
    """The patch (the model by its absolute path) with what [pd play-ds-in] plays also
    written into an array from the batch's play on (ds-rec), saved as `tap` after wait_ms."""
    c = Canvas.parse(descriptor_synth_patch(descriptors_of(_model()), model=str(REPO / "models" / "discrete.ts")))
    c.obj(20, 2000, f"table ds-tap {frames}")
    record = c.obj(20, 2030, "tabwrite~ ds-tap")
    start = c.obj(200, 2000, "r ds-rec")
    wait = c.obj(200, 2030, f"delay {wait_ms}")
    write = c.msg(200, 2060, f"write -bytes 4 {tap} ds-tap")
    save = c.obj(200, 2090, "soundfiler")
    c.connect(
        [
            (_player(c), 0, record, 0),
            (start, 0, record, 0),
            (start, 0, wait, 0),
            (wait, 0, write, 0),
            (write, 0, save, 0),
        ]
    )
    return c.render()


@pytest.mark.parametrize("file_rate", FILE_RATES)
def test_the_input_plays_at_its_own_rate(tmp_path, file_rate):
    # A 220 Hz sine at 24, 44.1, 48 or 96 kHz in a 24 kHz Pd ([tabplay~] played it at 220,
    # 404.25, 440 and 880 Hz): the player sends 220 Hz for M = ceil(N 24000 / rate) samples,
    # the output is M samples long and sounds at 220 Hz, not at the pitch tabplay~ gave.
    if shutil.which("pd") is None:
        pytest.skip("Pure Data (pd) is not installed: run scripts/setup.sh")
    samples = int(1.5 * file_rate) + 7
    m = played_length(samples, file_rate, RATE)
    source, out, tap, patch = (tmp_path / name for name in ("in.wav", "out.wav", "tap.wav", "tapped.pd"))
    x = sine_file(source, file_rate, samples)
    patch.write_text(_tapped(tap, m + 100, (m + 100) * 1000 / RATE + 10))  # before the batch writes (M ms + 50)
    run = run_pd_file(patch, RATE, [f"descriptor-synth-batch {source} {out}"], timeout=300, search=[EXAMPLES])
    assert_pd_ok(run)
    played = np.asarray(read_wav(tap)[0]).reshape(-1)
    assert_plays_at_its_rate(x, file_rate, played, RATE)
    audio = np.asarray(read_wav(out)[0]).reshape(-1)
    assert audio.size == m and np.isfinite(audio).all()
    assert _plays(audio, 220.0)
    if file_rate != RATE:
        assert not _plays(audio, 220.0 * file_rate / RATE)
