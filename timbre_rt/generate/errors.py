"""Errors of offline generation: each names the file or spec entry at fault."""

from ..errors import InputError

__all__ = [
    "GenerateError",
    "SeriesError",
    "ModelMismatchError",
    "DeformError",
    "DiscreteLatentError",
    "check_mixable",
]


class GenerateError(InputError):
    """Base class: a bad input file, spec or argument of offline generation."""


class SeriesError(GenerateError):
    """A latent series file that is missing, corrupt or not a series."""


class ModelMismatchError(GenerateError):
    """A latent series decoded (or mixed) with a model other than its own."""


class DeformError(GenerateError):
    """A deform spec that cannot be applied (unknown op, bad dim, bad value)."""


class DiscreteLatentError(GenerateError, NotImplementedError):
    """Interpolation asked of a discrete (code index) latent series."""


DISCRETE_EXPLANATION = (
    "its latent is a code index per frame (plus a gain), and averaging indices "
    "gives an unrelated code, not a sound in between. Interpolation there means "
    "mixing in the codebook's embedding space (then picking the nearest code) or "
    "along the per-code descriptors; neither is implemented yet"
)


def check_mixable(model_kind: str, what: str) -> None:
    """Raise DiscreteLatentError if latents of `model_kind` cannot be mixed linearly.

    Continuous models (and any other contract model) mix linearly, channel by
    channel; only `model_kind == "discrete"` is refused."""
    if model_kind == "discrete":
        raise DiscreteLatentError(f"{what}: cannot mix a discrete model's latents: {DISCRETE_EXPLANATION}")
