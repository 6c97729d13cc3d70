"""How often a model file is deserialised: its metadata module runs the first CPU instance,
and Engine.reset() of a model that exports reset() reloads nothing."""

import numpy as np
import pytest

from fixture_models import Constant, save
from timbre_rt import Engine, Pipeline, _core


def loads_during(action) -> int:
    before = _core._module_loads()
    action()
    return _core._module_loads() - before


def test_an_engine_loads_its_file_once(toy_path):
    engines = []
    # read_model_info deserialises once for the metadata (nothing runs it).
    assert loads_during(lambda: _core.read_model_info(toy_path)) == 1
    # The engine's instance runs the module its ModelFile read the metadata with (was 2).
    assert loads_during(lambda: engines.append(Engine(toy_path, method="forward", buffer=64))) == 1
    # A new buffer builds a new instance from the bytes: one load.
    assert loads_during(lambda: setattr(engines[0], "buffer", 128)) == 1
    # A new file: its metadata module is the new instance's.
    assert loads_during(lambda: engines[0].load(toy_path)) == 1


def test_a_pipeline_of_one_file_loads_it_twice(toy_path):
    pipelines = []
    # Opened once; the encoder runs the metadata module, the decoder its own copy (was 4).
    assert loads_during(lambda: pipelines.append(Pipeline(toy_path, buffer=64))) == 2
    assert loads_during(lambda: pipelines.append(Pipeline(toy_path, toy_path, buffer=64))) == 2


@pytest.mark.parametrize("inline", [False, True])  # the model reset by the worker, or by the caller's thread
def test_reset_of_a_model_with_reset_reloads_nothing_and_starts_over(toy_path, rng, inline):
    signal = (0.3 * rng.standard_normal((1, 4096))).astype(np.float32)
    engine = Engine(toy_path, method="forward", buffer=64, sync=True, inline=inline)
    engine.process(signal)
    assert loads_during(engine.reset) == 0
    # The warm instance, cleared by its reset(), gives what a fresh engine gives, bit for bit.
    again = engine.process(signal)
    fresh = Engine(toy_path, method="forward", buffer=64, sync=True, inline=inline).process(signal)
    np.testing.assert_array_equal(again, fresh)
    assert again.any() and engine.stats()["errors"] == 0


def test_reset_of_a_model_without_reset_reloads_it(tmp_path):
    path = save(Constant(0.5), tmp_path / "constant.ts")
    engine = Engine(path, buffer=64, sync=True)
    assert loads_during(engine.reset) == 1
    out = engine.process(np.zeros((1, 256), dtype=np.float32))
    assert (out[0, :64] == 0).all() and (out[0, 64:] == 0.5).all()
