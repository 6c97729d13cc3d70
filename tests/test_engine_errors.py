"""Bad model files and bad options raise clear errors; the engine stays usable."""

import os

import numpy as np
import pytest
import torch
from torch import nn

import timbre_rt
from timbre_rt import Engine, ModelError
from fixture_models import NaNAbove, WrongShape, save
from streaming import delayed, reference, stream_in_blocks


class NoEncode(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("forward_params", torch.tensor([1, 1, 1, 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class BadParams(nn.Module):
    def __init__(self, params):
        super().__init__()
        self.register_buffer("forward_params", torch.tensor(params))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class FutureContract(NoEncode):
    def __init__(self):
        super().__init__()
        self.contract_version = timbre_rt.CONTRACT_VERSION + 1


class NoMethods(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def bad_files(folder):
    """name -> (path, method, words the message must contain)"""
    random_bytes = folder / "random.ts"
    random_bytes.write_bytes(np.random.default_rng(0).bytes(4096))
    empty = folder / "empty.ts"
    empty.write_bytes(b"")
    return {
        "missing": (str(folder / "nope.ts"), "forward", "does not exist"),
        "directory": (str(folder), "forward", "is a directory"),
        "random bytes": (str(random_bytes), "forward", "is not a TorchScript file"),
        "empty": (str(empty), "forward", "is empty"),
        "method missing": (save(NoEncode(), folder / "no_encode.ts"), "encode", "has no method 'encode'"),
        "params too short": (save(BadParams([1, 1, 1]), folder / "short.ts"), "forward", "must hold 4 integers"),
        "params negative": (save(BadParams([1, -2, 1, 1]), folder / "neg.ts"), "forward", "in_ratio = -2"),
        "contract version": (save(FutureContract(), folder / "future.ts"), "forward", "contract version 2"),
        "no methods": (save(NoMethods(), folder / "none.ts"), "forward", "declares no streaming method"),
    }


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "random bytes",
        "empty",
        "method missing",
        "params too short",
        "params negative",
        "contract version",
        "no methods",
    ],
)
def test_bad_file_raises_a_message_naming_file_and_problem(bad, case):
    path, method, words = bad[case]
    with pytest.raises(ModelError) as error:
        Engine(path, method=method)
    assert path in str(error.value)
    assert words in str(error.value)


def test_failed_load_keeps_the_previous_model_running(bad, toy_path, rng):
    engine = Engine(toy_path, buffer=64, sync=True)
    signal = (0.3 * rng.standard_normal((1, 4096))).astype(np.float32)
    expected = delayed(reference(toy_path, "forward", signal, 1, 1), engine.latency)
    first = stream_in_blocks(engine, signal[:, :2048], 64)
    for path, method, _ in bad.values():
        with pytest.raises(ModelError):
            engine.load(path, method)
    assert engine.model_path == toy_path and engine.method == "forward"
    rest = stream_in_blocks(engine, signal[:, 2048:], 64)
    # Not one sample differs from an engine that never saw the bad files.
    assert np.abs(np.concatenate([first, rest], axis=-1) - expected).max() <= 1e-5
    # And a good file loads afterwards.
    engine.load(toy_path, "encode")
    assert engine.out_channels == 4


def test_bad_options(toy_path):
    with pytest.raises(ValueError, match=r"buffer must be in \[1, 262144\], got -?\d+"):
        Engine(toy_path, buffer=0)
    with pytest.raises(ValueError, match=r"buffer must be in \[1, 262144\], got -?\d+"):
        Engine(toy_path, buffer=-64)
    with pytest.raises(ValueError, match="threads must be"):
        Engine(toy_path, threads=0)
    engine = Engine(toy_path, buffer=64)
    with pytest.raises(ValueError):
        engine.buffer = 0
    with pytest.raises(ModelError, match="unknown device"):
        engine.device = "tpu"
    assert engine.buffer == 64 and engine.device == "cpu"
    with pytest.raises(ValueError, match="takes 1 input channel"):
        engine.process(np.zeros((2, 64), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\[n\] or \[channels, n\]"):
        engine.process(np.zeros((1, 1, 64), dtype=np.float32))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_cuda_without_cuda_is_a_clear_error(toy_path):
    with pytest.raises(ModelError, match="CUDA is not available"):
        Engine(toy_path, device="cuda")
    engine = Engine(toy_path, buffer=64)
    with pytest.raises(ModelError, match="CUDA is not available"):
        engine.device = "cuda:0"
    assert engine.device == "cpu"
    engine.process(np.zeros(64, dtype=np.float32))


@pytest.mark.parametrize(
    "model, words", [(NaNAbove(-1.0), "produced NaN or Inf"), (WrongShape(), "returned shape [1, 1, 32]")]
)
def test_model_failing_on_silence_is_refused_at_load(tmp_path, model, words):
    path = save(model, tmp_path / "m.ts")
    with pytest.raises(ModelError) as error:
        Engine(path, buffer=64)
    assert path in str(error.value) and words in str(error.value) and "at load" in str(error.value)


@pytest.mark.parametrize("mode", ["sync", "inline"])
def test_failing_model_call_becomes_silence_and_a_reported_error(tmp_path, mode):
    # Inline, the call fails on the caller's (audio) thread: its text still reaches last_error.
    engine = Engine(save(NaNAbove(0.5), tmp_path / "m.ts"), buffer=64, sync=True, inline=mode == "inline")
    signal = np.zeros((1, 1024), dtype=np.float32)
    signal[0, 300] = 1.0  # only the buffer holding it fails
    signal[0, 700] = 0.25
    out = stream_in_blocks(engine, signal, 64)
    assert np.flatnonzero(out).tolist() == [700 + engine.latency]
    stats = engine.stats()
    # The last buffer's result lies beyond the signal: sync mode need not wait for it.
    assert stats["errors"] == 1 and stats["calls"] >= 1024 // 64 - 1
    assert "produced NaN or Inf" in engine.last_error
    assert engine.last_error == engine.last_error  # read twice: the text stays


def test_truncated_file(tmp_path, toy_path):
    data = open(toy_path, "rb").read()
    path = tmp_path / "truncated.ts"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="is not a TorchScript file"):
        Engine(str(path))
    assert os.path.exists(path)
