"""Training: losses go down, stages run / resume / skip, a run folder exports."""

import json

import pytest
import torch

from timbre_rt.cli import main
from timbre_rt.data import prepare_folder
from timbre_rt.models.continuous import StageConfig
from timbre_rt.train.vae_task import VAETask
from timbre_rt.train.vocoder_task import VocoderTask

from continuous_fixtures import RATE, TINY_YAML, tiny_config, write_tones


def _batch(n=2, samples=2048, seed=0):
    gen = torch.Generator().manual_seed(seed)
    t = torch.arange(samples) / RATE
    f0 = 200 + 300 * torch.rand(n, 1, 1, generator=gen)
    return 0.3 * torch.sin(2 * torch.pi * f0 * t) + 0.1 * torch.sin(6 * torch.pi * f0 * t)


def test_vae_loss_goes_down():
    torch.manual_seed(0)
    task = VAETask(tiny_config(), StageConfig(steps=40, learning_rate=3e-3))
    opt = task.configure_optimizers()
    batch = _batch()
    losses = []
    for step in range(40):
        torch.manual_seed(step)  # same random gains for the first and last losses
        total, logs, _ = task._losses(batch, step)
        opt.zero_grad()
        total.backward()
        opt.step()
        losses.append(logs["recon"].item())
    assert sum(losses[-5:]) / 5 < 0.7 * sum(losses[:5]) / 5


def test_vocoder_spectral_loss_goes_down():
    torch.manual_seed(0)
    task = VocoderTask(tiny_config(), StageConfig(steps=30, learning_rate=2e-3))
    opt = task.configure_optimizers()
    batch = _batch()
    losses = []
    for _ in range(30):
        fake, real = task.aligned(batch)
        loss = task.stft_distance(fake, real) + task.mel_distance(fake, real)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_adversarial_task_has_two_optimizers():
    task = VocoderTask(tiny_config(), StageConfig(steps=1), adversarial=True)
    g, d = task.configure_optimizers()
    generator_params = {id(p) for p in task.generator.parameters()}
    assert all(id(p) in generator_params for group in g.param_groups for p in group["params"])
    assert not any(id(p) in generator_params for group in d.param_groups for p in group["params"])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    write_tones(root / "sounds", count=6)
    prepare_folder(root / "sounds", root / "cache", sampling_rate=RATE, chunk=4096, held_out=0.34, progress=False)
    config = root / "tiny.yaml"
    config.write_text(TINY_YAML)
    return root


def _train(dataset, out, config=None):
    return main(
        [
            "train",
            "continuous",
            "--config",
            str(config or dataset / "tiny.yaml"),
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
    )


def test_train_resume_and_export(dataset, tmp_path, capsys):
    out = tmp_path / "run"
    assert _train(dataset, out) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [summary[s]["steps"] for s in ("vae", "vocoder", "adversarial", "finetune")] == [6, 4, 2, 2]
    assert "val/mel_distance" in summary["vocoder"]["metrics"]
    assert any((out / "tensorboard" / "vae").iterdir())

    # Again: every stage is done, nothing retrains.
    capsys.readouterr()
    assert _train(dataset, out) == 0
    assert capsys.readouterr().out.count("skipped (already done)") == 4

    # An interrupted stage (no done.json) resumes from its checkpoint, already at its end.
    (out / "finetune" / "done.json").unlink()
    assert _train(dataset, out) == 0
    assert json.loads((out / "finetune" / "done.json").read_text())["steps"] == 2

    model = tmp_path / "tiny.ts"
    assert main(["export", str(out), "--out", str(model)]) == 0
    m = torch.jit.load(str(model))
    assert m.model_kind == "continuous" and list(m.latent_names)[-1] == "loudness"


def test_train_errors(dataset, tmp_path, capsys):
    out = tmp_path / "run"
    other = tmp_path / "other.yaml"
    other.write_text(
        TINY_YAML.replace("latent_dims: 3", "latent_dims: 2")
        .replace("steps: 6", "steps: 0")
        .replace("steps: 4", "steps: 0")
        .replace("steps: 2", "steps: 0")
    )
    assert _train(dataset, out, other) == 0
    assert _train(dataset, out) == 1
    assert "started with another config" in capsys.readouterr().err

    assert (
        main(
            [
                "train",
                "continuous",
                "--config",
                str(dataset / "tiny.yaml"),
                "--data",
                str(tmp_path / "nowhere"),
                "--out",
                str(tmp_path / "r2"),
            ]
        )
        == 1
    )
    assert "nowhere" in capsys.readouterr().err

    assert main(["export", str(out), "--out", str(tmp_path / "x.ts")]) == 1
    assert "no finished vocoder stage" in capsys.readouterr().err
    assert not (tmp_path / "x.ts").exists()
