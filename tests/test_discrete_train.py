"""The discrete model end to end: loss falls, `timbre-rt train discrete`, export, codebook."""

import json

import pytest
import torch

from timbre_rt.cli import main
from timbre_rt.data import prepare_folder
from timbre_rt.models.discrete import load_config
from timbre_rt.train.discrete_task import DiscreteTask

from continuous_fixtures import write_tones
from discrete_fixtures import RATE, TINY_YAML, tiny_config, tones


def test_spectral_loss_goes_down_and_codes_stay_in_use():
    torch.manual_seed(0)
    cfg = tiny_config()
    task = DiscreteTask(cfg, cfg.vqvae_stage)
    opt = torch.optim.Adam(task.model.parameters(), lr=3e-3)
    # Multiples of rate / window = 62.5 Hz: a held code loops every window, so they are reachable.
    batch = torch.cat([tones(0.128, f0) for f0 in (250, 500, 750, 1000)])
    losses, usage = [], []
    for _ in range(60):
        total, logs, _ = task.losses(batch)
        opt.zero_grad()
        total.backward()
        opt.step()
        losses.append(float(logs["stft"].detach() + logs["mel"].detach()))
        usage.append(float(logs["usage"]))
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[2:7]) / 5
    assert min(usage[5:]) >= 2 / cfg.vq.codes  # k-means seeded, restarts keep codes alive


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("discrete_train")
    write_tones(root / "sounds", count=6)
    prepare_folder(root / "sounds", root / "cache", sampling_rate=RATE, chunk=4096, held_out=0.34, progress=False)
    (root / "tiny.yaml").write_text(TINY_YAML)
    return root


def test_train_export_codebook_synth(dataset, tmp_path, capsys):
    out = tmp_path / "run"
    args = [
        "train",
        "discrete",
        "--config",
        str(dataset / "tiny.yaml"),
        "--data",
        str(dataset / "cache"),
        "--out",
        str(out),
        "--no-progress",
        "--accelerator",
        "cpu",
        "--workers",
        "0",
    ]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["vqvae"]["steps"] == 6
    metrics = summary["vqvae"]["metrics"]
    assert "val/mel_distance" in metrics and "val/perplexity" in metrics
    assert load_config(out / "config.yaml").vq.codes == 8
    # --no-progress: one text line per validation (every 3 steps, and the final one).
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[vqvae] ")]
    assert [line.split(" | ")[0].split(" 0:")[0] for line in lines] == [
        "[vqvae] step 3/6",
        "[vqvae] step 6/6",
        "[vqvae] step 6/6 (final)",
    ]
    assert all("| val " in line and "val/mel_distance " in line for line in lines)
    assert all("| train " in line and "vq/loss " in line for line in lines[:2])  # the final one: validate only
    assert main(args) == 0  # resume: nothing left to do
    assert "skipped (already done)" in capsys.readouterr().out

    model = tmp_path / "tiny.ts"
    assert main(["export", str(out), "--out", str(model)]) == 0
    m = torch.jit.load(str(model))
    assert m.model_kind == "discrete" and torch.isfinite(m.descriptors).all()
    assert m.descriptors[:, 0].min() > 0  # centroids measured

    # The file rebuilt with today's code from its own weights plays the same samples.
    again = tmp_path / "again.ts"
    config = str(dataset / "tiny.yaml")
    assert main(["export", str(model), "--config", config, "--out", str(again)]) == 0
    x = 0.3 * torch.sin(torch.arange(8192) * 0.05).reshape(1, 1, -1)
    with torch.no_grad():
        torch.testing.assert_close(torch.jit.load(str(again)).forward(x), m.forward(x))
    assert main(["export", str(model), "--config", config, "--order-data", str(dataset), "--out", str(again)]) == 2
    assert "applies to continuous models" in capsys.readouterr().err

    book = tmp_path / "book"
    assert (
        main(
            [
                "codebook",
                str(model),
                "--out",
                str(book),
                "--hold",
                "0.05",
                "--data",
                str(dataset / "sounds"),
                "--no-progress",
            ]
        )
        == 0
    )
    for name in ("descriptors.csv", "descriptors.json", "traversal.wav", "traversal.png", "eval.json"):
        assert (book / name).is_file(), name
    rows = (book / "descriptors.csv").read_text().splitlines()
    assert rows[0].startswith("code,centroid") and len(rows) == 9
    report = json.loads((book / "eval.json").read_text())
    assert 0 < report["usage"] <= 1 and report["perplexity"] >= 1
    assert report["level_invariance"]["-20 dB"] >= 0.95
    assert report["synthesis_error"]
    assert report["voiced_frames"] > 0 and 0 <= report["pitch_kept"] <= 1
    assert -60 < report["level_db"] < 20

    wav = tmp_path / "like.wav"
    sound = sorted((dataset / "sounds").iterdir())[0]
    assert main(["synth", str(model), "--like", str(sound), "--out", str(wav)]) == 0
    assert set(json.loads(wav.with_suffix(".json").read_text())["errors"]) >= {"centroid", "f0"}


def test_export_errors(dataset, tmp_path, capsys):
    out = tmp_path / "run"
    zero = tmp_path / "zero.yaml"
    zero.write_text(TINY_YAML.replace("steps: 6", "steps: 0"))
    assert (
        main(
            [
                "train",
                "discrete",
                "--config",
                str(zero),
                "--data",
                str(dataset / "cache"),
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    assert main(["export", str(out), "--out", str(tmp_path / "x.ts")]) == 1  # a failure
    assert "has not finished" in capsys.readouterr().err
    assert main(["export", str(out), "--vocoder-stage", "vocoder", "--out", str(tmp_path / "x.ts")]) == 2
    assert "to continuous runs" in capsys.readouterr().err
    assert (
        main(
            [
                "train",
                "discrete",
                "--config",
                "models/continuous.yaml",
                "--data",
                str(dataset / "cache"),
                "--out",
                str(tmp_path / "r2"),
            ]
        )
        == 1
    )  # a bad file
    assert "not a discrete one" in capsys.readouterr().err
    assert not (tmp_path / "x.ts").exists()
