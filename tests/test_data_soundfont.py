"""Soundfont notes: the note set, rendering without bleed, the cache of a tiny render."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from timbre_rt.data import DatasetError, read_manifest
from timbre_rt.data import soundfont as sfmod
from timbre_rt.data.cache import prepare_soundfont
from timbre_rt.data.soundfont import NoteRenderer, RenderConfig, note_list, render_notes

HAVE_SF2 = Path(sfmod.DEFAULT_SOUNDFONT).is_file()
needs_sf2 = pytest.mark.skipif(
    not HAVE_SF2, reason=f"{sfmod.DEFAULT_SOUNDFONT} absent (Debian package fluid-soundfont-gm)"
)

TINY = RenderConfig(programs=(0,), pitches=(60, 64), velocities=(100,), hold=0.2, release=0.1, sampling_rate=16000)


def test_default_set_is_varied_and_small():
    cfg = RenderConfig()
    notes = note_list(cfg)
    assert len(cfg.programs) == 12 and cfg.note_samples == 24000
    assert {n.program for n in notes} == set(cfg.programs)
    assert all(cfg.ranges[n.program][0] <= n.pitch <= cfg.ranges[n.program][1] for n in notes)
    assert not any(n.program == 73 and n.pitch < 60 for n in notes)  # no flute at MIDI 36
    # The float16 cache must fit a 64 MiB transfer to a training machine, with room to spare.
    assert len(notes) * cfg.note_samples * 2 < 48 * 2**20
    assert len({n.name for n in notes}) == len(notes)


def test_note_names():
    assert sfmod.Note(40, 60, 90).name == "p040_n060_v090.wav"
    assert [n.name for n in note_list(TINY)] == ["p000_n060_v100.wav", "p000_n064_v100.wav"]


def test_bad_config_and_missing_soundfont(tmp_path, monkeypatch):
    with pytest.raises(DatasetError, match="velocity"):
        RenderConfig(velocities=(0,))
    with pytest.raises(DatasetError, match="nope.sf2"):
        sfmod.resolve_soundfont(tmp_path / "nope.sf2")
    monkeypatch.setattr(sfmod, "DEFAULT_SOUNDFONT", str(tmp_path / "gone.sf2"))
    with pytest.raises(DatasetError, match="fluid-soundfont-gm"):
        sfmod.resolve_soundfont("default")


@needs_sf2
def test_tiny_render_without_bleed():
    notes, audio = render_notes("default", TINY, progress=False)
    assert [n.pitch for n in notes] == [60, 64]
    assert audio.shape == (2, TINY.note_samples) and audio.dtype == np.float32
    rms = np.sqrt(np.mean(audio**2, axis=1))
    assert np.all(rms > 1e-3) and np.abs(audio).max() < 1.0
    assert not np.allclose(audio[0], audio[1])
    # A note renders the same after a loud, long one as from a new synth: nothing bleeds.
    r = NoteRenderer("default", TINY)
    r.render(sfmod.Note(16, 48, 127))  # drawbar organ: sustains to the end
    np.testing.assert_array_equal(r.render(notes[0]), audio[0])


@needs_sf2
def test_unknown_program_is_a_clear_error():
    with pytest.raises(DatasetError, match="no preset for bank 120 program.s. 0, 4"):
        NoteRenderer("default", RenderConfig(bank=120, sampling_rate=8000))


@needs_sf2
def test_prepare_tiny_soundfont(tmp_path):
    cfg = RenderConfig(
        programs=(0, 40), pitches=(60, 64, 68), velocities=(100,), hold=0.2, release=0.1, sampling_rate=16000
    )
    result = prepare_soundfont("default", tmp_path / "out", config=cfg, chunk=2048, held_out=0.2, progress=False)
    m = read_manifest(tmp_path / "out")
    assert result.created and m.source["kind"] == "soundfont"
    assert m.source["render"]["programs"] == [0, 40] and m.sampling_rate == 16000
    names = m.names("train") + m.names("held_out")
    assert sorted(names) == sorted(n.name for n in note_list(cfg))
    assert len(m.names("held_out")) == 1
    wav = tmp_path / "out" / m.splits["held_out"][0]["file"]
    assert wav.name == m.names("held_out")[0]
    x, rate = soundfile.read(wav, dtype="float32")
    assert rate == 16000 and len(x) == cfg.note_samples
    # A re-run neither renders nor loads the soundfont again.
    assert not prepare_soundfont(
        "default", tmp_path / "out", config=cfg, chunk=2048, held_out=0.2, progress=False
    ).created
    with pytest.raises(DatasetError, match="render settings changed"):
        prepare_soundfont(
            "default",
            tmp_path / "out",
            config=RenderConfig(programs=(0,), pitches=(60,), velocities=(100,), sampling_rate=16000),
            chunk=2048,
            held_out=0.2,
            progress=False,
        )


def test_corrupt_soundfont_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(DatasetError, match="cannot load soundfont") as e:
        prepare_soundfont(bad, tmp_path / "out", config=TINY, progress=False)
    assert str(bad) in str(e.value)
    assert not (tmp_path / "out" / "manifest.json").exists()
