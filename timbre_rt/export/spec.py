"""The model file contract read by the C++ host, and a Python reader for it.

A scripted model file exposes, for each method M it exports:
    M_params:  int64 buffer [4] = [in_channels, in_ratio, out_channels, out_ratio]
               (ratio = audio samples per frame of that tensor; audio has 1)
    M_latency: int, the method's inherent delay in audio samples
and at the top level: get_methods() -> List[str], reset(), sampling_rate,
block_size, latent_names, model_kind, contract_version.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Union

import torch

CONTRACT_VERSION = 1


@dataclass
class MethodSpec:
    """Shapes and latency of one exported method: [B, in_channels, T / in_ratio]
    -> [B, out_channels, T / out_ratio] for T audio samples."""

    name: str
    in_channels: int
    in_ratio: int
    out_channels: int
    out_ratio: int
    latency: int = 0

    def params(self) -> List[int]:
        return [self.in_channels, self.in_ratio, self.out_channels, self.out_ratio]


@dataclass
class ModelContract:
    """Everything the host needs to know about a model file."""

    contract_version: int
    model_kind: str
    sampling_rate: int
    block_size: int
    latent_names: List[str]
    methods: Dict[str, MethodSpec] = field(default_factory=dict)


def read_contract(
    model: Union[str, Path, torch.nn.Module, torch.jit.ScriptModule],
) -> ModelContract:
    """Read the contract from a model file path, a scripted module or an
    (eager) StreamingModel."""
    if isinstance(model, (str, Path)):
        model = torch.jit.load(str(model), map_location="cpu")
    methods: Dict[str, MethodSpec] = {}
    for name in model.get_methods():
        params = [int(v) for v in getattr(model, f"{name}_params").tolist()]
        if len(params) != 4:
            raise ValueError(f"{name}_params must hold 4 integers, got {params}")
        methods[name] = MethodSpec(
            name, *params, latency=int(getattr(model, f"{name}_latency"))
        )
    return ModelContract(
        contract_version=int(model.contract_version),
        model_kind=str(model.model_kind),
        sampling_rate=int(model.sampling_rate),
        block_size=int(model.block_size),
        latent_names=[str(n) for n in model.latent_names],
        methods=methods,
    )
