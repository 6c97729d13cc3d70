"""timbre_rt.evaluate on a tiny fake continuous model: distances, Griffin-Lim, probe, KL, report, CLI."""

import argparse
import json
import math

import numpy as np
import pytest
import soundfile as sf
import torch

from timbre_rt.evaluate import (
    EvaluationError,
    LatentStatsAccumulator,
    MelParams,
    evaluate,
    griffin_lim_resynthesis,
    latent_stats,
    loudness_probe,
)
from timbre_rt.audio import AudioFileError
from timbre_rt.evaluate import cli as eval_cli
from timbre_rt.export import StreamingModel, export_model
from timbre_rt.models.toy import _pure_delay
from timbre_rt.nn import CachedConv1d, CachedConvTranspose1d
from timbre_rt.nn.loss import MultiResolutionSTFTDistance, MultiScaleMelDistance

RATE = 16000
RATIO = 16


class FakeContinuous(StreamingModel):
    """Identity codec with a loudness channel, pure delays, a fixed posterior.

    encode: [B, 1, T] -> [B, RATIO + 1, T / RATIO]: the RATIO samples of each
        block (delayed by encode_delay), then the block's loudness in dB.
        With loudness_in_z, z is instead RATIO copies of the loudness.
    decode: [B, RATIO + 1, T / RATIO] -> [B, 1, T]: unframes z (ignores
        loudness), delayed by decode_delay: decode(encode(x)) = x delayed.
    posterior: mean z, log-variance `logvar`.
    """

    def __init__(self, encode_delay=3, decode_delay=5, loudness_in_z=False, logvar=0.0):
        super().__init__(RATE, "continuous", [f"z{i}" for i in range(RATIO)] + ["loudness"])
        self.delay_in = _pure_delay(encode_delay)
        self.frame = CachedConv1d(1, RATIO, RATIO, stride=RATIO, bias=False)
        self.unframe = CachedConvTranspose1d(RATIO, 1, RATIO, RATIO, bias=False)
        self.delay_out = _pure_delay(decode_delay)
        with torch.no_grad():
            eye = torch.eye(RATIO).unsqueeze(1)
            self.frame.weight.copy_(eye)
            self.unframe.weight.copy_(eye)
        self.z_dims = RATIO
        self.loudness_in_z = loudness_in_z
        self.logvar = float(logvar)
        # Plain attributes: TorchScript keeps them (ints and floats).
        self.mel_n_fft = 256
        self.mel_hop = 64
        self.mel_n_mels = 40
        self.mel_fmin = 0.0
        self.mel_fmax = 0
        d = RATIO
        self.declare_method("encode", 1, 1, d + 1, RATIO, latency=encode_delay)
        self.declare_method("decode", d + 1, RATIO, 1, 1, latency=decode_delay)
        self.declare_method("posterior", 1, 1, 2 * d, RATIO, latency=encode_delay)

    def _z_and_loudness(self, x: torch.Tensor):
        frames = self.frame(self.delay_in(x))  # [B, RATIO, N]
        loud = 10.0 * torch.log10(frames.square().mean(dim=1, keepdim=True) + 1e-10)
        z = loud.expand(-1, self.z_dims, -1) if self.loudness_in_z else frames
        return z, loud

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        z, loud = self._z_and_loudness(x)
        return torch.cat([z, loud], dim=1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.delay_out(self.unframe(z[:, : self.z_dims]))

    @torch.jit.export
    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        z, _ = self._z_and_loudness(x)
        return torch.cat([z, torch.full_like(z, self.logvar)], dim=1)


def _tone(seconds, freq, rate=RATE, amp=0.5, seed=0):
    t = np.arange(int(seconds * rate)) / rate
    env = np.linspace(0.05, 1.0, t.size) ** 2  # a loudness ramp, for the probe
    noise = np.random.default_rng(seed).normal(0, 0.01, t.size)
    return (amp * env * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)


@pytest.fixture(scope="module")
def fake_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval_models") / "continuous.ts"
    export_model(FakeContinuous(), path, seconds=0.25)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval_data")
    for i, f in enumerate([220.0, 330.0, 440.0, 550.0]):
        sf.write(folder / f"tone{i}.wav", _tone(0.5, f, seed=i), RATE, subtype="FLOAT")
    # In a subfolder, at another rate, stereo: found, resampled and mixed down.
    stereo = np.stack([_tone(0.4, 660.0, 22050), _tone(0.4, 660.0, 22050)], axis=1)
    (folder / "sub").mkdir()
    sf.write(folder / "sub" / "stereo.flac", stereo, 22050)
    return folder


def test_fake_model_keeps_plain_attributes(fake_path):
    m = torch.jit.load(str(fake_path))
    assert (m.mel_n_fft, m.mel_hop, m.mel_n_mels, m.mel_fmin, m.mel_fmax) == (256, 64, 40, 0.0, 0)
    assert (m.encode_latency, m.decode_latency) == (3, 5)
    assert m.latent_names[-1] == "loudness" and m.model_kind == "continuous"


# --- distances ----------------------------------------------------------------------


def test_distances_zero_to_itself_and_grow_with_noise():
    x = torch.from_numpy(_tone(0.5, 440.0)).reshape(1, 1, -1)
    mel, stft = MultiScaleMelDistance(RATE), MultiResolutionSTFTDistance()
    assert mel(x, x).item() == 0.0 and stft(x, x).item() == 0.0
    gen = torch.Generator().manual_seed(0)
    noise = torch.randn(x.shape, generator=gen)
    previous = (0.0, 0.0)
    for level in (0.001, 0.01, 0.1):
        y = x + level * noise
        d = (mel(y, x).item(), stft(y, x).item())
        assert d[0] > previous[0] and d[1] > previous[1], (level, d, previous)
        previous = d


def test_distances_are_differentiable_and_check_shapes():
    x = torch.randn(2, 1, 4000, requires_grad=True)
    y = torch.randn(2, 1, 4000)
    loss = MultiScaleMelDistance(RATE)(x, y) + MultiResolutionSTFTDistance()(x, y)
    loss.backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    per_item = MultiScaleMelDistance(RATE, reduction="none")(x.detach(), y)
    assert per_item.shape == (2,)
    with pytest.raises(ValueError, match="same shape"):
        MultiScaleMelDistance(RATE)(x, y[..., :-1])


def test_griffin_lim_of_a_sine_is_close_in_mel():
    t = torch.arange(RATE // 2) / RATE
    x = (0.5 * torch.sin(2 * math.pi * 440.0 * t)).reshape(1, 1, -1)
    p = MelParams(RATE, n_fft=1024, hop=256, n_mels=80)
    y = griffin_lim_resynthesis(x, p, n_iter=32, seed=0)
    assert y.shape == x.shape
    mel = MultiScaleMelDistance(RATE)
    noise = 0.5 * torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
    d = mel(y, x).item()
    assert d < 0.5, d
    assert d < 0.25 * mel(noise, x).item()
    # Same seed, same audio.
    assert torch.equal(y, griffin_lim_resynthesis(x, p, n_iter=32, seed=0))


# --- probe and latent statistics ----------------------------------------------------


def _loudness_curves(files=6, frames=300, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.cumsum(torch.randn(frames, generator=gen), 0) - 30.0 for _ in range(files)]


def test_probe_r2_near_one_when_z_holds_loudness():
    loud = _loudness_curves()
    z = [torch.stack([curve, 0.5 * curve + 3.0]) for curve in loud]  # [2, N]: loudness copies
    r = loudness_probe(z, loud)
    assert r.split == "by file" and r.train_files == 3 and r.test_files == 3
    assert r.r2_linear > 0.99, r
    assert r.r2_mlp > 0.95, r


def test_probe_r2_near_zero_when_z_is_independent_noise():
    loud = _loudness_curves()
    gen = torch.Generator().manual_seed(1)
    z = [torch.randn(8, curve.numel(), generator=gen) for curve in loud]
    r = loudness_probe(z, loud)
    assert r.r2_linear < 0.2 and r.r2_mlp < 0.2, r


def test_probe_excludes_silence_and_handles_one_file():
    loud = torch.cat([torch.full((100,), -100.0), torch.linspace(-40, -10, 200)])
    r = loudness_probe([loud[None]], [loud])
    assert r.split == "by time" and r.silent_frames == 100
    assert r.train_frames + r.test_frames == 200


def test_kl_is_zero_for_the_prior_and_counts_active_dims():
    s = latent_stats(torch.zeros(4, 50), torch.zeros(4, 50))
    assert s.kl_per_dim == [0.0] * 4 and s.active_dims == 0 and s.active_units == 0
    mu = torch.zeros(3, 1000)
    mu[1] = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    acc = LatentStatsAccumulator()
    acc.update(mu[:, :400], torch.zeros(3, 400))  # streamed over two "files"
    acc.update(mu[:, 400:], torch.zeros(3, 600))
    s = acc.result()
    assert s.frames == 1000 and s.active_dims == 1 and s.active_units == 1
    assert s.kl_per_dim[1] == pytest.approx(0.5 * float(mu[1].square().mean()), rel=1e-6)


# --- the whole evaluation -----------------------------------------------------------


def test_evaluate_writes_reports(fake_path, data_dir, tmp_path):
    report = evaluate(fake_path, data_dir, tmp_path / "out", progress=False, griffin_lim_iters=8)
    assert report.files == ["sub/stereo.flac", "tone0.wav", "tone1.wav", "tone2.wav", "tone3.wav"]
    assert report.seconds == pytest.approx(4 * 0.5 + 0.4, abs=1e-3)
    assert report.latency == 8
    # The fake model is a delayed identity: aligned, the reconstruction is exact.
    assert report.mel_distance < 1e-3 and report.stft_distance < 1e-3
    assert report.griffin_lim_mel_distance > 10 * report.mel_distance
    assert report.latent.names == [f"z{i}" for i in range(RATIO)]
    assert len(report.latent.kl_per_dim) == RATIO
    for key in ("json", "markdown", "png"):
        assert (tmp_path / "out").joinpath(report.outputs[key].split("/")[-1]).is_file()
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["files"] == report.files and len(data["latent"]["kl_per_dim"]) == RATIO
    assert set(data["probe"]) >= {"r2_linear", "r2_mlp"}
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Griffin-Lim" in md and "latents.png" in md and "beats the Griffin-Lim floor" in md


def test_evaluate_compare_and_limits(fake_path, data_dir, tmp_path):
    leaky = tmp_path / "leaky.ts"
    export_model(FakeContinuous(loudness_in_z=True, logvar=-1.0), leaky, seconds=0.25)
    report = evaluate(
        leaky,
        data_dir,
        tmp_path / "out",
        compare=fake_path,
        max_files=3,
        seconds_limit=1.2,
        progress=False,
        griffin_lim_iters=2,
    )
    assert report.files == ["sub/stereo.flac", "tone0.wav", "tone1.wav"]
    assert report.seconds == pytest.approx(1.2, abs=1e-3)  # the last file is cut
    assert report.probe.r2_linear > 0.99  # z holds the loudness: not invariant
    assert report.latent.active_dims == RATIO  # logvar -1: KL > 0 everywhere
    c = report.comparison
    assert c is not None and c.files == report.files and c.seconds == pytest.approx(report.seconds, abs=1e-3)
    md = (tmp_path / "out" / "report.md").read_text()
    assert "## Comparison" in md and "leaky.ts" in md and "continuous.ts" in md
    assert (tmp_path / "out" / "latents_compare.png").is_file()


def test_corrupt_file_is_skipped_by_name(fake_path, data_dir, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.wav").write_bytes((data_dir / "tone0.wav").read_bytes())
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    logged = []
    report = evaluate(fake_path, folder, tmp_path / "out", progress=False, griffin_lim_iters=1, log=logged.append)
    assert report.files == ["a.wav"] and list(report.skipped) == ["broken.wav"]
    assert any("broken.wav" in line for line in logged)
    assert "broken.wav" in (tmp_path / "out" / "report.md").read_text()
    only_broken = tmp_path / "only_broken"
    only_broken.mkdir()
    (only_broken / "broken.wav").write_bytes(b"junk")
    with pytest.raises(EvaluationError, match="could be read.*broken.wav"):
        evaluate(fake_path, only_broken, tmp_path / "out2", progress=False)


def test_clear_errors(fake_path, toy_path, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no audio here")
    with pytest.raises(AudioFileError, match="no audio file"):
        evaluate(fake_path, empty, tmp_path / "out")
    with pytest.raises(AudioFileError, match="nope: no such folder"):
        evaluate(fake_path, tmp_path / "nope", tmp_path / "out")
    with pytest.raises(EvaluationError, match="model file not found"):
        evaluate(tmp_path / "missing.ts", empty, tmp_path / "out")
    (tmp_path / "junk.ts").write_bytes(b"not a zip")
    with pytest.raises(EvaluationError, match="cannot load"):
        evaluate(tmp_path / "junk.ts", empty, tmp_path / "out")
    with pytest.raises(EvaluationError, match="not a continuous.*toy_codec.*posterior.*mel_n_fft"):
        evaluate(toy_path, empty, tmp_path / "out")
    with pytest.raises(EvaluationError, match="not a continuous"):
        evaluate(fake_path, empty, tmp_path / "out", compare=toy_path)
    unnamed = FakeContinuous()
    unnamed.latent_names[-1] = "z16"
    export_model(unnamed, tmp_path / "unnamed.ts", seconds=0.1)
    with pytest.raises(EvaluationError, match="latent_names must be the z names then 'loudness'"):
        evaluate(tmp_path / "unnamed.ts", empty, tmp_path / "out")
    with pytest.raises(EvaluationError, match="max_files"):
        evaluate(fake_path, empty, tmp_path / "out", max_files=0)
    assert not (tmp_path / "out").exists()


# --- command line -------------------------------------------------------------------


def _parse(argv):
    parser = argparse.ArgumentParser(prog="timbre-rt")
    sub = parser.add_subparsers(dest="subcommand")
    eval_cli.add_parser(sub)
    return parser.parse_args(argv)


def test_cli_runs_and_reports(fake_path, data_dir, tmp_path, capsys):
    out = tmp_path / "cli_out"
    args = _parse(
        [
            "eval",
            str(fake_path),
            "--data",
            str(data_dir),
            "--out",
            str(out),
            "--max-files",
            "2",
            "--griffin-lim-iters",
            "2",
            "--no-progress",
        ]
    )
    assert args.handler(args) == 0
    text = capsys.readouterr().out
    assert "mel distance" in text and str(out / "report.md") in text
    assert json.loads((out / "report.json").read_text())["griffin_lim_iters"] == 2


def test_cli_error_is_one_line(toy_path, data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = _parse(["eval", toy_path, "--data", str(data_dir)])
    assert args.out is None
    assert args.handler(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("timbre-rt eval: error: ")
    assert "not a continuous" in err[0]
    assert not (tmp_path / "eval").exists()
