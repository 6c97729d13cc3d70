"""Rebuild the eager (non-scripted) PyTorch model behind a model file, when its class is
importable, so that the benchmark can time plain eager Python next to TorchScript.

A file records its class (`__torch__.timbre_rt.models.toy.ToyCodec`) and its weights but
not its constructor's arguments: a builder per known class infers them (from the weights'
shapes, or from the model's YAML config next to the file), then the file's state dict is
loaded strictly and the rebuilt model must give the scripted model's output. Anything
else is reported as TorchScript only.
"""

import importlib
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import nn

from ..export.contract import ModelContract

__all__ = ["eager_model"]

# The rebuilt model is checked on this many blocks: signal enough to tell a wrong rebuild,
# short enough to cost nothing next to the benchmark.
CHECK_BLOCKS = 4
# float32 TorchScript and eager runs of the same weights agree far closer than this; a
# wrongly rebuilt model (other strides, another config) differs by orders of magnitude more.
MATCH_TOLERANCE = 1e-4


def _toy_codec(cls, scripted, contract: ModelContract) -> nn.Module:
    state = scripted.state_dict()
    kernels = [
        state[f"down.{i}.weight"].shape[-1]
        for i in range(len([k for k in state if k.startswith("down.") and k.endswith(".weight")]))
    ]
    return cls(
        sampling_rate=contract.sampling_rate,
        latent_channels=int(state["to_latent.weight"].shape[0]),
        strides=[k // 2 for k in kernels],
        hidden=int(state["down.0.weight"].shape[0]),
    )


def _identity_codec(cls, scripted, contract: ModelContract) -> nn.Module:
    state = scripted.state_dict()
    return cls(
        ratio=int(state["frame.weight"].shape[0]),
        encode_delay=int(state["encode_delay.weight"].shape[-1]) - 1,
        decode_delay=int(state["decode_delay.weight"].shape[-1]) - 1,
        sampling_rate=contract.sampling_rate,
    )


def _continuous_codec(cls, scripted, contract: ModelContract) -> nn.Module:
    from ..models.continuous import build_vocoder, load_config
    from ..models.continuous.vae import MelVAE

    path = Path(contract.path)
    candidates = [path.with_suffix(".yaml"), Path("models") / f"{path.stem}.yaml"]
    config = next((c for c in candidates if c.exists()), None)
    if config is None:
        raise FileNotFoundError(f"no config next to the file ({', '.join(map(str, candidates))})")
    cfg = load_config(config)
    return cls(cfg, MelVAE(cfg.mel.n_mels, cfg.vae), build_vocoder(cfg))


BUILDERS: Dict[str, Callable] = {
    "ToyCodec": _toy_codec,
    "IdentityCodec": _identity_codec,
    "ContinuousCodec": _continuous_codec,
    "HarmonicCodec": _continuous_codec,
}


def _class_of(scripted) -> Tuple[str, str]:
    qualified = scripted._c.qualified_name  # e.g. __torch__.timbre_rt.models.toy.ToyCodec
    module, _, name = qualified.removeprefix("__torch__.").rpartition(".")
    return module, name


@torch.no_grad()
def eager_model(path: str, scripted: torch.jit.ScriptModule, method: str) -> Tuple[Optional[nn.Module], str]:
    """(the eager model, "") or (None, why not). The model is finalized (streaming on),
    reset, in eval mode, and checked against `scripted`'s `method` on a test input."""
    try:
        module_name, class_name = _class_of(scripted)
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as e:
        return None, f"class not importable ({e})"
    builder = BUILDERS.get(class_name, lambda cls, scripted, contract: cls())
    try:
        contract = ModelContract.from_file(path)
        model = builder(cls, scripted, contract)
        model.eval()
        if hasattr(model, "finalize"):
            model.finalize()
        # The file also holds what streaming derives at finalize (caches, stacked taps,
        # polyphase kernels): take the eager model's own keys; the output check below
        # catches a rebuilt model that differs.
        own = model.state_dict()
        state = {k: v for k, v in scripted.state_dict().items() if k in own}
        model.load_state_dict(state, strict=True)
        spec = contract.methods[method]
        frames = CHECK_BLOCKS * contract.block_size // spec.in_ratio
        x = torch.randn(1, spec.in_channels, frames, generator=torch.Generator().manual_seed(0))
        scripted.reset()
        model.reset()
        expected = getattr(scripted, method)(x)
        got = getattr(model, method)(x)
        scripted.reset()
        model.reset()
        if got.shape != expected.shape or not torch.allclose(got, expected, atol=MATCH_TOLERANCE, rtol=MATCH_TOLERANCE):
            return None, f"rebuilt {class_name} does not match the file"
    except Exception as e:  # any failure means: TorchScript only
        return None, f"cannot rebuild {class_name}: {type(e).__name__}: {e}"
    return model, ""
