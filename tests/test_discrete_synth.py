"""Descriptor-based synthesis: Viterbi, target files, the offline synth and its CLI."""

import json
import re

import numpy as np
import pytest
import soundfile
import torch

from timbre_rt.cli import main
from timbre_rt.models.discrete import DESCRIPTOR_NAMES, CodeTable
from timbre_rt.synth import TargetError, Targets, embedding_transitions, read_targets, render_targets, viterbi

from discrete_fixtures import RATE, export_tiny, fake_table, tiny_codec


def test_viterbi_finds_the_known_best_path():
    unary = torch.tensor(
        [
            [0.0, 5.0, 5.0],
            [3.0, 2.9, 5.0],  # state 1 is cheaper here, but not by enough to switch twice
            [0.0, 5.0, 5.0],
            [5.0, 5.0, 0.0],
            [5.0, 5.0, 0.0],
        ]
    )
    assert viterbi(unary, 1.0).tolist() == [0, 0, 0, 2, 2]
    assert viterbi(unary, 0.0).tolist() == [0, 1, 0, 2, 2]  # no smoothing: per-frame minimum
    transition = torch.tensor([[0.0, 0.1, 9.0], [0.1, 0.0, 0.1], [9.0, 0.1, 0.0]])
    # 0 -> 2 directly is dear: via state 1 costs 0 + 1 + 0 + 0.1 + 0.1 = 1.2, staying at 0 costs 2
    path = viterbi(torch.tensor([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 0.0]]), transition)
    assert path.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="transition must be"):
        viterbi(unary, torch.zeros(2, 2))


def test_embedding_transitions():
    e = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    t = embedding_transitions(e, 2.0)
    assert torch.all(t.diagonal() == 0)
    assert t[0, 1] < t[0, 2] and t[0, 1] > 2.0
    torch.testing.assert_close(t, t.T)


def _write(path, text):
    path.write_text(text)
    return path


def test_target_files(tmp_path):
    names = list(DESCRIPTOR_NAMES)
    t = read_targets(_write(tmp_path / "a.csv", "time,centroid,f0\n0,100,\n1,300,440\n"), names)
    np.testing.assert_allclose(t.times, [0, 1])
    assert np.isnan(t.curves["f0"][0])
    at = t.at(np.array([0.5, 2.0]))
    np.testing.assert_allclose(at["centroid"], [200, 300])
    np.testing.assert_allclose(at["f0"], [440, 440])  # held from the only given point
    j = read_targets(_write(tmp_path / "a.json", json.dumps({"time": [0, 2], "flatness": [0.1, None]})), names)
    assert j.duration == 2.0 and np.isnan(j.curves["flatness"][1])


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("t.csv", "centroid\n100\n", "missing the 'time' column"),
        ("t.csv", "time,brightness\n0,1\n", "unknown descriptor.*brightness"),
        ("t.csv", "time\n0\n1\n", "no descriptor column"),
        ("t.csv", "time,centroid\n0,100\n2,200\n1,300\n", "increase strictly"),
        ("t.csv", "time,centroid\n0,100\n0,200\n", "increase strictly"),
        ("t.csv", "", "empty file"),
        ("t.csv", "time,centroid\n", "no rows"),
        ("t.csv", "time,centroid\n0,abc\n", "not a number: 'abc'"),
        ("t.csv", "time,centroid\n0,100,5\n", "every row needs 2 cells"),
        ("t.json", '{"time": [0, 1], "centroid": [1]}', "different lengths"),
        ("t.json", "[1, 2]", "expected"),
        ("t.json", "{not json", "not valid JSON"),
        ("t.txt", "time,centroid\n0,1\n", "expected a .csv or .json"),
    ],
)
def test_bad_target_files(tmp_path, name, text, message):
    with pytest.raises(TargetError, match=message):
        read_targets(_write(tmp_path / name, text), list(DESCRIPTOR_NAMES))


def test_synthesize_follows_a_centroid_ramp_with_few_changes():
    codec = tiny_codec()
    codec.finalize()
    table = CodeTable.from_model(codec)
    centroids = fake_table(8)[:, 0]
    # Hold code 2's centroid for 0.3 s then code 6's: the Viterbi path must do exactly that.
    targets = Targets(
        np.array([0.0, 0.3, 0.31, 0.6]),
        {
            "centroid": np.array([centroids[2], centroids[2], centroids[6], centroids[6]]),
            "loudness": np.array([-30.0, -30.0, -30.0, -30.0]),
        },
    )
    result = render_targets(codec, targets, smoothness=0.5, measure=False)
    assert len(result.audio) == int(0.6 * RATE)
    changes = np.flatnonzero(np.diff(result.codes))
    assert len(changes) == 1 and set(result.codes.tolist()) == {2, 6}
    # The loudness curve sets the gain relative to each code's own loudness.
    own = table.values[result.codes, table.index("loudness")]
    np.testing.assert_allclose(20 * np.log10(result.gains), -30.0 - own, rtol=1e-6)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return export_tiny(tmp_path_factory.mktemp("synth") / "tiny.ts")


def test_synth_cli_writes_audio_and_errors(model_path, tmp_path, capsys):
    target = _write(tmp_path / "c.csv", "time,centroid,f0\n0,400,200\n0.5,3000,400\n")
    out = tmp_path / "s.wav"
    assert main(["synth", str(model_path), "--target", str(target), "--out", str(out), "--weight", "f0=0.5"]) == 0
    printed = capsys.readouterr().out
    assert "centroid" in printed and "mae" in printed
    report = json.loads(out.with_suffix(".json").read_text())
    assert set(report["errors"]) == {"centroid", "f0"}
    assert report["errors"]["centroid"]["frames"] > 0
    assert out.stat().st_size > 4 * 0.4 * RATE


@pytest.mark.parametrize(
    "args,message,status",
    [
        (["--target", "{bad}"], "unknown descriptor", 1),
        (["--target", "{missing}"], "no such file", 1),
        (["--target", "{ok}", "--weight", "centroid"], "expected NAME=W", 2),
        (["--target", "{ok}", "--weight", "sparkle=1"], "unknown descriptor 'sparkle'", 2),
        (["--like", "{missing}"], "no such file", 1),
    ],
)
def test_synth_cli_errors_are_one_line(model_path, tmp_path, capsys, args, message, status):
    files = {
        "bad": _write(tmp_path / "bad.csv", "time,sparkle\n0,1\n1,2\n"),
        "ok": _write(tmp_path / "ok.csv", "time,centroid\n0,400\n1,800\n"),
        "missing": tmp_path / "missing.csv",
    }
    args = [a.format(**files) for a in args]
    assert main(["synth", str(model_path), *args, "--out", str(tmp_path / "o.wav")]) == status
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("timbre-rt synth: error:")
    assert re.search(message, err[0]), err[0]


def test_synth_rejects_a_continuous_like_model(tmp_path, capsys, toy_path):
    assert (
        main(
            [
                "synth",
                toy_path,
                "--target",
                str(_write(tmp_path / "a.csv", "time,centroid\n0,1\n1,2\n")),
                "--out",
                str(tmp_path / "o.wav"),
            ]
        )
        == 1
    )
    assert "not a discrete model" in capsys.readouterr().err


def test_synth_writes_its_plot_unless_told_not_to(model_path, tmp_path, capsys):
    target = _write(tmp_path / "c.csv", "time,centroid,loudness\n0,400,-30\n0.5,3000,-20\n")
    out = tmp_path / "s.wav"
    assert main(["synth", str(model_path), "--target", str(target), "--out", str(out)]) == 0
    assert out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {out.with_suffix('.png')}" in capsys.readouterr().out
    assert main(["synth", str(model_path), "--target", str(target), "--out", str(tmp_path / "n.wav"), "--no-plot"]) == 0
    assert (tmp_path / "n.wav").exists() and not (tmp_path / "n.png").exists()


def test_synth_resamples_to_the_asked_rate(model_path, tmp_path, capsys):
    target = _write(tmp_path / "c.csv", "time,centroid,loudness\n0,400,-30\n0.5,3000,-20\n")
    out = tmp_path / "s.wav"
    assert (
        main(["synth", str(model_path), "--target", str(target), "--out", str(out), "--rate", "44100", "--no-plot"])
        == 0
    )
    report = json.loads(out.with_suffix(".json").read_text())
    info = soundfile.info(out)
    assert info.samplerate == 44100 == report["sampling_rate"]
    assert info.frames == round(0.5 * RATE * 44100 / RATE) == report["samples"]


def test_synth_figure_draws_target_against_achieved():
    from timbre_rt.generate.spectrogram import array_spectrogram
    from timbre_rt.synth.plot import synth_figure

    codec = tiny_codec()
    targets = Targets(
        np.array([0.0, 0.5]), {"centroid": np.array([400.0, 3000.0]), "loudness": np.array([-30.0, -20.0])}
    )
    result = render_targets(codec, targets)
    fig = synth_figure(targets, result, array_spectrogram(result.audio, result.sampling_rate))
    centroid, loudness = fig.axes[0], fig.axes[2]  # each panel has a colour-bar slot after it
    assert [line.get_label() for line in centroid.lines] == ["target", "achieved"]
    assert centroid.get_ylabel() == "centroid (Hz)" and loudness.get_ylabel() == "loudness (dB)"
    np.testing.assert_array_equal(loudness.lines[1].get_ydata(), result.achieved.curves["loudness"])
    target = centroid.lines[0]
    assert target.get_ydata()[0] == 400.0 and target.get_ydata()[-1] == 3000.0
    assert f"{result.errors['centroid']['mae']:.3g}" in centroid.get_title(loc="left")
    labels = [ax.get_ylabel() for ax in fig.axes[::2]]
    assert labels[2:] == ["code", "gain (linear)", "frequency (Hz)"]


@pytest.mark.parametrize("value", ["0", "1000000", "x"])
def test_synth_and_codebook_refuse_a_bad_rate(model_path, tmp_path, capsys, value):
    target = _write(tmp_path / "c.csv", "time,centroid\n0,400\n0.5,800\n")
    for args in (
        ["synth", str(model_path), "--target", str(target), "--out", str(tmp_path / "s.wav")],
        ["codebook", str(model_path), "--out", str(tmp_path / "book")],
    ):
        assert main(args + ["--rate", value]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"timbre-rt {args[0]}: error: --rate: "), err
    assert not (tmp_path / "s.wav").exists() and not (tmp_path / "book").exists()


def test_codebook_traversal_at_another_rate(model_path, tmp_path, capsys):
    book = tmp_path / "book"
    assert main(["codebook", str(model_path), "--out", str(book), "--hold", "0.05"]) == 0
    native = soundfile.info(book / "traversal.wav")
    assert main(["codebook", str(model_path), "--out", str(tmp_path / "b2"), "--hold", "0.05", "--rate", "22050"]) == 0
    info = soundfile.info(tmp_path / "b2" / "traversal.wav")
    assert native.samplerate == RATE and info.samplerate == 22050
    assert info.frames == round(native.frames * 22050 / RATE)
