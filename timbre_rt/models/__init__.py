"""Models that follow the timbre_rt export contract."""

from .toy import IdentityCodec, ToyCodec

__all__ = ["IdentityCodec", "ToyCodec"]
