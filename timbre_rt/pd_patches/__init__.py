"""Pd patches written by code: Canvas (boxes as handles, wires between them, numbered by the
canvas; parse() reads a .pd file back), the example abstractions with one box per latent channel
(knobs, freeze), the offline-edit, interpolation-plane and midi-knobs examples for any number of
latent channels, and the descriptor-synthesis example with its model's constants."""

from .canvas import Box, Canvas, Wire
from .descriptor_analysis import descriptors_patch
from .descriptor_synth import Descriptor, descriptor_synth_patch, descriptors_of
from .interpolation_plane import interpolation_plane_patch
from .latent_freeze import freeze_patch
from .latent_fanout import latents_patch
from .midi_knobs import midi_knobs_patch
from .offline_edit import offline_edit_patch
from .players import loop_player, once_player

__all__ = [
    "Box",
    "Canvas",
    "Descriptor",
    "descriptor_synth_patch",
    "descriptors_of",
    "descriptors_patch",
    "freeze_patch",
    "interpolation_plane_patch",
    "latents_patch",
    "loop_player",
    "midi_knobs_patch",
    "offline_edit_patch",
    "once_player",
    "Wire",
]
