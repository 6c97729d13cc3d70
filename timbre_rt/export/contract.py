"""The model file contract as one dataclass, read by the C++ core.

A scripted model file exposes, for each method M it exports:
    M_params:  int64 buffer [4] = [in_channels, in_ratio, out_channels, out_ratio]
               (ratio = audio samples per frame of that tensor; audio has 1)
    M_latency: int, the method's inherent delay in audio samples
and at the top level: get_methods() -> List[str], reset(), sampling_rate,
block_size, latent_names, model_kind, contract_version.

One reader: a file is read by the core (`timbre_rt.read_model_info`, as the engine and
the Pd objects read it); a module in memory by `module_info`, its tested mirror.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Union

from .module_info import CONTRACT_VERSION, module_info

__all__ = ["CONTRACT_VERSION", "MethodSpec", "ModelContract", "read_contract"]


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

    contract_version: int  # 0: a foreign file (e.g. a RAVE export)
    model_kind: str  # "unknown" where the file does not say
    sampling_rate: int
    block_size: int  # lcm of every ratio and the declared block_size
    latent_names: List[str]
    methods: Dict[str, MethodSpec] = field(default_factory=dict)
    sampling_rate_declared: bool = True  # False: the core's default, the file did not say
    path: str = field(default="", compare=False)  # names the file in messages

    @classmethod
    def from_info(cls, info: Dict[str, Any]) -> "ModelContract":
        """From the dict of `timbre_rt.read_model_info` (or `Engine.info()`)."""
        methods = {name: MethodSpec(name, *m["params"], latency=m["latency"]) for name, m in info["methods"].items()}
        return cls(
            contract_version=info["contract_version"],
            model_kind=info["model_kind"],
            sampling_rate=info["sampling_rate"],
            block_size=info["block_size"],
            latent_names=list(info["latent_names"]),
            methods=methods,
            sampling_rate_declared=info["sampling_rate_declared"],
            path=info["path"],
        )

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> "ModelContract":
        """Read by the C++ core exactly as the engine does (ModelError naming the file)."""
        from .._core import read_model_info  # imported here: export also runs without the core

        return cls.from_info(read_model_info(str(path)))

    @classmethod
    def from_module(cls, module: Any, path: str = "<in memory>") -> "ModelContract":
        """From a scripted module or a finalized StreamingModel, by the core's rules
        (ContractError naming `path` and the field)."""
        return cls.from_info(module_info(module, str(path)))


def read_contract(model: Any) -> ModelContract:
    """The contract of a model file path, a scripted module or an (eager) StreamingModel."""
    if isinstance(model, (str, Path)):
        return ModelContract.from_file(model)
    return ModelContract.from_module(model)
