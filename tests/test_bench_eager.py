"""The latency benchmark's eager rebuild (timbre_rt.bench.eager): the model classes it knows
are rebuilt from a file (rate and shapes from the file's contract, as the core reads it) and
give the file's output; anything else is reported as TorchScript only, with the reason."""

import pytest
import torch

from timbre_rt.bench.eager import eager_model
from timbre_rt.model_file import load_scripted


@pytest.mark.parametrize("fixture, cls", [("toy_path", "ToyCodec"), ("identity_path", "IdentityCodec")])
@pytest.mark.parametrize("method", ["encode", "decode", "forward"])
def test_known_classes_are_rebuilt_eagerly(request, fixture, cls, method):
    path = request.getfixturevalue(fixture)
    model, why = eager_model(path, load_scripted(path), method)
    assert why == "" and type(model).__name__ == cls
    assert not isinstance(model, torch.jit.ScriptModule)


class _Unimportable:
    """Stands for a scripted module whose recorded class lives in a module that does not exist."""

    class _c:  # noqa: N801 (the attribute a ScriptModule has)
        qualified_name = "__torch__.no_such_module.ToyCodec"


def test_a_class_that_cannot_be_imported_is_torchscript_only(toy_path):
    model, why = eager_model(toy_path, _Unimportable(), "forward")
    assert model is None and why.startswith("class not importable")
