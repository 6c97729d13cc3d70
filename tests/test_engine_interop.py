"""A file shaped like a RAVE streaming export loads and streams; missing metadata gets defaults."""

import numpy as np
import pytest

from timbre_rt import Engine
from fixture_models import RaveLike, save
from streaming import delayed, hold, reference, stream_in_blocks


@pytest.fixture(scope="module")
def rave_path(tmp_path_factory):
    return save(RaveLike(), tmp_path_factory.mktemp("rave") / "rave_like.ts")


def test_metadata_defaults(rave_path):
    engine = Engine(rave_path, method="encode", buffer=2048)
    info = engine.info()
    assert info["sampling_rate"] == 44100 and info["sampling_rate_declared"]  # from get_sample_rate()
    assert info["contract_version"] == 0 and info["model_kind"] == "unknown"
    assert sorted(info["methods"]) == ["decode", "encode", "forward"]  # extra methods ignored
    assert info["methods"]["encode"] == {"params": [1, 1, 4, 64], "latency": 0}
    assert info["block_size"] == 64
    assert engine.latency == 2048  # no declared delay: only the buffer


@pytest.mark.parametrize("method", ["encode", "decode", "forward"])
def test_streams_like_python(rave_path, method, rng):
    engine = Engine(rave_path, method=method, buffer=128, sync=True)
    if engine.in_ratio == 1:
        signal = rng.standard_normal((1, 4096)).astype(np.float32)
    else:
        signal = hold(rng.standard_normal((4, 4096 // 64)).astype(np.float32), 64)
    expected = delayed(reference(rave_path, method, signal, engine.in_ratio, engine.out_ratio), engine.latency)
    got = stream_in_blocks(engine, signal, 100)
    assert np.abs(got - expected).max() <= 1e-5
