"""Pd patches written by code (the example abstractions with one box per latent channel)."""
from .latent_fanout import latents_patch

__all__ = ["latents_patch"]
