"""How often a model file is deserialised: its metadata module runs the first CPU instance."""
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
