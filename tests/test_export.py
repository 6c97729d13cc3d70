"""The model file contract, export_model and the toy models."""

import os
from typing import List

import pytest
import torch
from torch import nn

from timbre_rt.export import (
    CONTRACT_VERSION,
    ExportError,
    StreamingModel,
    export_model,
    read_contract,
)
from timbre_rt.models import IdentityCodec, ToyCodec
from timbre_rt.nn import CachedConv1d


def _save_load(model: nn.Module, path) -> torch.jit.ScriptModule:
    torch.jit.save(torch.jit.script(model), str(path))
    return torch.jit.load(str(path))


def test_contract_survives_script_save_load(tmp_path):
    model = IdentityCodec(ratio=8, encode_delay=2, decode_delay=7, sampling_rate=16000)
    model.finalize()
    loaded = _save_load(model, tmp_path / "m.ts")
    assert loaded.get_methods() == ["encode", "decode", "forward"]

    c = read_contract(tmp_path / "m.ts")
    assert c == read_contract(loaded) == read_contract(model)
    assert c.contract_version == CONTRACT_VERSION == 1
    assert c.model_kind == "identity_codec"
    assert c.sampling_rate == 16000 and c.block_size == 8
    assert c.latent_names == [f"z{i}" for i in range(8)]
    assert c.methods["encode"].params() == [1, 1, 8, 8]
    assert c.methods["decode"].params() == [8, 8, 1, 1]
    assert [m.latency for m in c.methods.values()] == [2, 7, 9]
    assert loaded.encode_params.dtype == torch.int64


def test_reset_zeroes_submodule_caches_after_load(tmp_path):
    model = ToyCodec()
    model.finalize()
    loaded = _save_load(model, tmp_path / "m.ts")
    loaded(torch.randn(2, 1, 64))  # batch 2: caches get new storage
    caches = [b for n, b in loaded.named_buffers() if n.endswith("cache")]
    assert len(caches) == 6
    assert all(b.abs().sum() > 0 for b in caches if b.size(-1) > 0)
    loaded.reset()
    assert all(b.abs().sum() == 0 for b in caches)
    assert getattr(loaded.down, "0").cache.abs().sum() == 0


def test_block_size_is_lcm_of_ratios_or_larger():
    m = ToyCodec(strides=(2, 3))
    m.finalize()
    assert m.block_size == 6
    m.finalize(block_size=24)
    assert m.block_size == 24
    with pytest.raises(ValueError):
        m.finalize(block_size=20)


@pytest.mark.parametrize("make", [ToyCodec, IdentityCodec])
def test_export_writes_file_with_small_errors(tmp_path, make):
    path = tmp_path / "sub" / "model.ts"
    report = export_model(make(), path, seconds=0.1)
    assert report.path == str(path) and path.is_file()
    assert report.methods == ["encode", "decode", "forward"]
    assert report.chunk_sizes == [16, 32, 48, 256]
    for method in report.methods:
        assert set(report.errors[method]) == set(report.chunk_sizes)
    assert report.max_error <= 1e-5
    assert sorted(os.listdir(path.parent)) == ["model.ts"]  # no temp left over
    loaded = torch.jit.load(str(path))
    caches = [b for n, b in loaded.named_buffers() if n.endswith("cache")]
    assert caches and all(b.abs().sum() == 0 for b in caches)  # saved zeroed


def test_identity_impulse_latency_after_export(tmp_path):
    path = tmp_path / "identity.ts"
    export_model(IdentityCodec(ratio=16, encode_delay=3, decode_delay=5), path, seconds=0.05)
    loaded = torch.jit.load(str(path))
    latency = read_contract(loaded).methods["forward"].latency
    assert latency == 8
    x = torch.zeros(1, 1, 64)
    x[0, 0, 0] = 1.0
    y = torch.cat([loaded(x[:, :, i : i + 16]) for i in range(0, 64, 16)], dim=-1)
    expected = torch.zeros_like(x)
    expected[0, 0, latency] = 1.0
    assert torch.equal(y, expected)
    # encode then decode chunk by chunk is the same path
    loaded.reset()
    z = loaded.encode(x)
    assert z.shape == (1, 16, 4) and z[0, 3, 0] == 1.0
    assert torch.equal(loaded.decode(z), expected)


class _SymmetricConvCodec(IdentityCodec):
    """Not streamable: a centred conv looks ahead across chunk boundaries."""

    def __init__(self):
        super().__init__()
        self.lookahead = nn.Conv1d(1, 1, 5, padding=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(self.lookahead(x)))


def test_non_streamable_model_raises_and_leaves_no_file(tmp_path):
    path = tmp_path / "bad.ts"
    with pytest.raises(ExportError, match="forward.*chunk size 16"):
        export_model(_SymmetricConvCodec(), path, seconds=0.05)
    assert os.listdir(tmp_path) == []


def test_chunk_sizes_must_be_multiples_of_block(tmp_path):
    with pytest.raises(ValueError):
        export_model(IdentityCodec(), tmp_path / "m.ts", chunk_sizes=[24])
    assert os.listdir(tmp_path) == []


class _AnnotatedModel(StreamingModel):
    """A subclass with its own annotations and empty lists still scripts."""

    gains: List[float]

    def __init__(self):
        super().__init__(8000, "annotated", [])
        self.gains = [0.5]
        self.conv = CachedConv1d(1, 1, 3)
        self.declare_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) * self.gains[0]


def test_subclass_annotations_and_empty_latents(tmp_path):
    report = export_model(_AnnotatedModel(), tmp_path / "a.ts", seconds=0.05)
    c = read_contract(report.path)
    assert c.latent_names == [] and c.block_size == 1 and c.model_kind == "annotated"


def test_declare_method_validates():
    m = IdentityCodec()
    with pytest.raises(ValueError):
        m.declare_method("encode", 1, 1, 16, 16)  # twice
    with pytest.raises(ValueError):
        m.declare_method("nope", 1, 1, 1, 1)  # no such method
    with pytest.raises(ValueError):
        m.declare_method("decode2", 1, 0, 1, 1)


def test_exported_file_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        export_model(IdentityCodec(ratio=4), tmp_path / "m.ts", seconds=0.05)
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "m.ts").st_mode & 0o777 == 0o644
