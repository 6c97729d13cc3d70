"""One contract reader: the Python reading of a module in memory (export/module_info.py)
gives what the C++ core reads from the same file, values and refusals alike, and
ModelContract wraps the core's reading."""

import re
from pathlib import Path
from typing import List

import pytest
import torch

import timbre_rt
from timbre_rt import ModelError
from timbre_rt.export import ContractError, ModelContract
from timbre_rt.export.module_info import module_info
from timbre_rt.export import module_info as bounds
from fixture_models import Constant, Faulty, RaveLike, save
from hostile_models import HOSTILE, Declared

REPO = Path(__file__).resolve().parents[1]
RAVE_EXPORTS = sorted((REPO / ".cache" / "rave").glob("rave_v2_random_*.ts"))


class Listed(Declared):
    """Declared, with a get_methods() that lists whatever a test wants."""

    listed: List[str]

    def __init__(self, listed: List[str], **kwargs):
        super().__init__(**kwargs)
        self.listed = listed

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return self.listed


def _with(module, **attributes):
    for name, value in attributes.items():
        if name in module._buffers:  # replace a buffer by a plain attribute
            del module._buffers[name]
        setattr(module, name, value)
    return module


READABLE = {
    "rave-like (get_sample_rate, no metadata)": RaveLike(),
    "constant (get_methods, sampling_rate)": Constant(0.5),
    "faulty (block_size, reset)": Faulty(),
    "sr attribute": Declared(rate=48000, rate_name="sr"),
    "rate as a float": Declared(rate=22050.0),
    "no rate: the default": Declared(extra=(1, 16, 3, 16)),
    "declared block_size above the ratios": Declared(extra=(1, 16, 3, 16), block_size=64),
    "latency and metadata": _with(
        Declared(latency=7, rate=24000), model_kind="toy", latent_names=["a", "b"], contract_version=1
    ),
    "a float latency is ignored": _with(Declared(), forward_latency=3.5),
}

REFUSED = {
    **{name: module for name, (module, _) in HOSTILE.items()},
    "a newer contract": _with(Declared(), contract_version=bounds.CONTRACT_VERSION + 1),
    "listed but absent": Listed(["forward", "missing"]),
    "params of 3": _with(Declared(), forward_params=torch.tensor([1, 1, 1])),
    "params not a tensor": _with(Declared(), forward_params=[1, 1, 1, 1]),
    "params buffer missing": Listed(["other"]),
    "no method at all": Listed([]),
    "a fractional rate": Declared(rate=44100.5),
    "a rate as text": Declared(rate="fast"),
    "block_size 0": Declared(block_size=0),
    "negative latency": Declared(latency=-1),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("contract")


def _saved(folder, name, module) -> str:
    return save(module, folder / (re.sub(r"\W+", "_", name) + ".ts"))


def test_bounds_and_version_are_the_cores():
    header = (REPO / "csrc" / "bounds.h").read_text()
    for name, value in [
        ("kMinSampleRate", bounds.MIN_SAMPLE_RATE),
        ("kMaxSampleRate", bounds.MAX_SAMPLE_RATE),
        ("kMaxChannels", bounds.MAX_CHANNELS),
        ("kMaxRatio", bounds.MAX_RATIO),
    ]:
        assert re.search(rf"\b{name} = {value};", header), name
    assert "kMaxBlockSize = 1 << 18;" in header and bounds.MAX_BLOCK_SIZE == 1 << 18
    assert "kMaxMethodLatency = std::int64_t{600} * kMaxSampleRate;" in header
    assert bounds.MAX_METHOD_LATENCY == 600 * bounds.MAX_SAMPLE_RATE
    assert bounds.CONTRACT_VERSION == timbre_rt.CONTRACT_VERSION


@pytest.mark.parametrize("case", list(READABLE))
def test_python_reading_of_a_module_is_the_cores_of_its_file(folder, case):
    path = _saved(folder, case, READABLE[case])
    for module in (torch.jit.load(path), READABLE[case]):  # scripted and eager
        assert module_info(module, path) == timbre_rt.read_model_info(path)
    assert ModelContract.from_module(torch.jit.load(path), path) == ModelContract.from_file(path)


@pytest.mark.parametrize("case", list(REFUSED))
def test_python_reading_refuses_what_the_core_refuses_in_the_same_words(folder, case):
    path = _saved(folder, case, REFUSED[case])
    with pytest.raises(ModelError) as core:
        timbre_rt.read_model_info(path)
    for module in (torch.jit.load(path), REFUSED[case]):  # scripted and eager
        with pytest.raises(ContractError) as python:
            module_info(module, path)
        assert str(python.value) == str(core.value)
    assert len(str(core.value).splitlines()) == 1 and f"'{path}'" in str(core.value)


@pytest.mark.parametrize("path", RAVE_EXPORTS, ids=lambda p: p.name)
def test_a_built_rave_export_reads_alike(path):
    assert module_info(torch.jit.load(str(path)), str(path)) == timbre_rt.read_model_info(str(path))


@pytest.mark.parametrize("fixture", ["toy_path", "identity_path"])
def test_exported_files_and_their_eager_models_read_alike(request, fixture):
    path = request.getfixturevalue(fixture)
    contract = ModelContract.from_file(path)
    assert contract == ModelContract.from_module(torch.jit.load(path), path)
    assert contract.path == path and contract.sampling_rate_declared and contract.contract_version == 1
    assert contract.methods["encode"].out_ratio == contract.block_size


def test_from_file_is_the_cores_message_for_a_bad_file(tmp_path):
    missing = tmp_path / "nope.ts"
    with pytest.raises(ModelError, match=f"model file '{missing}' does not exist"):
        ModelContract.from_file(missing)
