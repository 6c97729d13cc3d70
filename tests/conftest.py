"""Shared fixtures: exported test models (built once per session) and a single torch thread."""

from pathlib import Path

import numpy as np
import pytest
import torch

from timbre_rt.export import export_model
from timbre_rt.models import IdentityCodec, ToyCodec


@pytest.fixture(autouse=True)
def _one_thread():
    # Tiny chunked calls on a 2-core machine: a contended intra-op pool only adds latency.
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    torch.set_num_threads(1)
    export_model(ToyCodec(latent_channels=4, strides=(4, 4), hidden=16), folder / "toy.ts", seconds=0.25)
    export_model(IdentityCodec(ratio=16, encode_delay=3, decode_delay=5), folder / "identity.ts", seconds=0.25)
    return folder


@pytest.fixture(scope="session")
def toy_path(model_dir) -> str:
    return str(model_dir / "toy.ts")


@pytest.fixture(scope="session")
def identity_path(model_dir) -> str:
    return str(model_dir / "identity.ts")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
