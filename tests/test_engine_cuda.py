"""The CUDA path: same samples as Python on the GPU (runs only where CUDA is present)."""

import numpy as np
import pytest
import torch

from timbre_rt import Engine
from streaming import delayed, reference, stream_in_blocks

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available on this machine")


@pytest.mark.parametrize("method", ["forward", "encode"])
def test_cuda_streams_like_python(toy_path, method, rng):
    engine = Engine(toy_path, method=method, buffer=256, device="cuda", sync=True)
    signal = (0.3 * rng.standard_normal((1, 8192))).astype(np.float32)
    expected = delayed(reference(toy_path, method, signal, 1, engine.out_ratio), engine.latency)
    got = stream_in_blocks(engine, signal, 64)
    # GPU kernels may round differently from the CPU reference.
    assert np.abs(got - expected).max() <= 1e-4


def test_device_switch_while_loaded(toy_path):
    engine = Engine(toy_path, buffer=256, sync=True)
    engine.device = "cuda"
    assert engine.device == "cuda"
    engine.process(np.zeros(1024, dtype=np.float32))
    engine.device = "cpu"
    assert engine.stats()["errors"] == 0
