"""Pd patches written by code: the example abstractions with one box per latent channel, and
the descriptor-synthesis example with its model's constants."""
from .canvas import Canvas
from .descriptor_analysis import descriptors_patch
from .descriptor_synth import Descriptor, descriptor_synth_patch, descriptors_of
from .latent_fanout import latents_patch

__all__ = ["Canvas", "Descriptor", "descriptor_synth_patch", "descriptors_of", "descriptors_patch", "latents_patch"]
