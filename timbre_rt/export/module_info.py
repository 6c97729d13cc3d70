"""The C++ core's reading of the model contract (csrc/model_file.cpp), for a module already
in memory: an eager StreamingModel being exported, where the compiled core may not be
built (a GPU training machine), or a scripted module that was never written to a file.

`module_info(module, path)` returns the dict `timbre_rt.read_model_info(path)` returns for
the same file, with the same defaults and the same one-line messages naming the file and
the field; tests/test_contract.py checks both on the same files, hostile ones included.
Anything that has a file asks the core instead (ModelContract.from_file).
"""

import math
from typing import Any, Dict, List

import torch

from ..errors import InputError

__all__ = ["CONTRACT_VERSION", "ContractError", "module_info"]

# Highest contract version this build reads (csrc/model_info.h kContractVersion).
CONTRACT_VERSION = 1

# csrc/bounds.h, where each bound's reason is given; tests/test_contract.py reads the header.
MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 768000
MAX_CHANNELS = 1024
MAX_RATIO = 65536
MAX_BLOCK_SIZE = 1 << 18
MAX_METHOD_LATENCY = 600 * MAX_SAMPLE_RATE

PARAM_FIELDS = ("in_channels", "in_ratio", "out_channels", "out_ratio")
# The core's defaults for what a (foreign) file does not declare.
DEFAULT_SAMPLING_RATE = 44100
DEFAULT_MODEL_KIND = "unknown"

_MISSING = object()


class ContractError(InputError):
    """A module breaks the model file contract (the core would raise ModelError)."""


def _has_method(module: Any, name: str) -> bool:
    if isinstance(module, torch.jit.ScriptModule):
        return module._c._has_method(name)
    return callable(getattr(type(module), name, None))


def _attr(module: Any, name: str) -> Any:
    """An attribute, buffer or submodule (not a method, as the core's Module::hasattr)."""
    if isinstance(module, torch.jit.ScriptModule):
        return module._c.getattr(name) if module._c.hasattr(name) else _MISSING
    return _MISSING if _has_method(module, name) else getattr(module, name, _MISSING)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # TorchScript bool is no int


def _script_methods(module: Any) -> List[str]:
    if isinstance(module, torch.jit.ScriptModule):
        return list(module._c._method_names())
    # Eager: the methods named by a `<name>_params` attribute, in the order they were set.
    names = dict.fromkeys([*module._parameters, *module._buffers, *vars(module)])
    return [n[: -len("_params")] for n in names if n.endswith("_params") and _has_method(module, n[: -len("_params")])]


def _declared_methods(module: Any, path: str) -> List[str]:
    if _has_method(module, "get_methods"):
        names = module.get_methods()
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ContractError(f"model file '{path}': get_methods() must return a list of strings")
        return list(names)
    # No get_methods(): every scripted method with a `<name>_params` buffer counts.
    return [n for n in _script_methods(module) if _attr(module, f"{n}_params") is not _MISSING]


def _read_method(module: Any, name: str, path: str) -> Dict[str, Any]:
    where = f"model file '{path}', method '{name}'"
    if not _has_method(module, name):
        raise ContractError(f"{where}: listed by get_methods() but not in the file")
    params_name = f"{name}_params"
    value = _attr(module, params_name)
    if value is _MISSING:
        raise ContractError(f"{where}: buffer '{params_name}' is missing")
    if not isinstance(value, torch.Tensor):
        raise ContractError(f"{where}: '{params_name}' is not a tensor")
    params = [int(p) for p in value.detach().cpu().to(torch.long).flatten().tolist()]
    if len(params) != 4:
        raise ContractError(
            f"{where}: '{params_name}' must hold 4 integers [in_channels, in_ratio, out_channels, "
            f"out_ratio], it holds {len(params)}"
        )
    for i, (field, p) in enumerate(zip(PARAM_FIELDS, params)):
        high = MAX_CHANNELS if i % 2 == 0 else MAX_RATIO
        if p <= 0 or p > high:
            raise ContractError(f"{where}: '{params_name}' declares {field} = {p}, expected 1..{high}")
    latency_name = f"{name}_latency"
    latency = _attr(module, latency_name)
    if not _is_int(latency):
        latency = 0  # foreign files (RAVE) declare no delay
    elif not 0 <= latency <= MAX_METHOD_LATENCY:
        raise ContractError(f"{where}: '{latency_name}' = {latency}, expected 0..{MAX_METHOD_LATENCY} samples")
    return {"params": params, "latency": latency}


def _sampling_rate(module: Any, path: str) -> Dict[str, Any]:
    """Our files declare `sampling_rate`, RAVE exports `sr`; others give it through a method."""
    found = [(a, _attr(module, a)) for a in ("sampling_rate", "sr") if _attr(module, a) is not _MISSING]
    found += [
        (f"{g}()", getattr(module, g)())
        for g in ("get_sample_rate", "get_sampling_rate")
        if not found and _has_method(module, g)
    ]
    if not found:
        return {"sampling_rate": DEFAULT_SAMPLING_RATE, "sampling_rate_declared": False}
    field, value = found[0]
    if not (_is_int(value) or isinstance(value, float)):
        raise ContractError(f"model file '{path}': '{field}' must be a number of samples per second")
    rate = float(value)
    if not (MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE) or rate != math.floor(rate):
        # {rate:f}: the text of the core's std::to_string(double), so both messages read alike.
        raise ContractError(
            f"model file '{path}' declares {field} = {rate:f}, expected a whole number of Hz in "
            f"{MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE}"
        )
    return {"sampling_rate": int(rate), "sampling_rate_declared": True}


def _block_size(module: Any, methods: Dict[str, Dict[str, Any]], path: str) -> int:
    block = 1

    def fold(value: int, what: str) -> None:
        nonlocal block
        block = math.lcm(block, value)
        if block > MAX_BLOCK_SIZE:
            raise ContractError(
                f"model file '{path}': {what} makes the block size (least common multiple of all "
                f"frame ratios) {block}, more than {MAX_BLOCK_SIZE} samples"
            )

    for name, method in methods.items():
        fold(method["params"][1], f"method '{name}'")
        fold(method["params"][3], f"method '{name}'")
    declared = _attr(module, "block_size")
    if _is_int(declared):
        if not 0 < declared <= MAX_BLOCK_SIZE:
            raise ContractError(f"model file '{path}' declares block_size = {declared}, expected 1..{MAX_BLOCK_SIZE}")
        fold(declared, "block_size")
    return block


def module_info(module: Any, path: str = "<in memory>") -> Dict[str, Any]:
    """What `timbre_rt.read_model_info` returns for `module` saved at `path` (which only
    names it in messages); raises ContractError where the core raises ModelError."""
    version = _attr(module, "contract_version")
    version = version if _is_int(version) else 0  # 0: a foreign file (e.g. a RAVE export)
    if version > CONTRACT_VERSION:
        raise ContractError(
            f"model file '{path}' follows model contract version {version}, this build of "
            f"timbre_rt reads up to version {CONTRACT_VERSION}: update timbre_rt"
        )
    methods = {name: _read_method(module, name, path) for name in _declared_methods(module, path)}
    if not methods:
        raise ContractError(
            f"model file '{path}' declares no streaming method (no get_methods() and no '<method>_params' buffer)"
        )
    info: Dict[str, Any] = {"path": path, **_sampling_rate(module, path)}
    info["block_size"] = _block_size(module, methods, path)
    kind = _attr(module, "model_kind")
    info["model_kind"] = kind if isinstance(kind, str) else DEFAULT_MODEL_KIND
    names = _attr(module, "latent_names")
    info["latent_names"] = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    info["contract_version"] = version
    info["methods"] = methods
    return info
