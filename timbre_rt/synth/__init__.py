"""Descriptor-based synthesis with a discrete model, offline: target curves (a file, or a
sound's own) -> the least-cost code path (Viterbi) + gains -> audio, and the codebook as a
listener sees it (descriptor table, traversal audio and plot).

    from timbre_rt.synth import read_targets, render_targets
    result = render_targets(model, read_targets("curves.csv", table.names))   # result.audio: [T]

The command line is `timbre-rt synth|codebook` (synth.cli). The model itself (its codec,
descriptors and live CodePicker) is timbre_rt.models.discrete.
"""

from .codebook import centroid_order, plot_traversal, traversal, write_table
from .offline import SynthResult, descriptor_errors, frame_costs, render_targets
from .plot import plot_synth, synth_figure
from .targets import TargetError, Targets, read_targets, targets_like
from .viterbi import embedding_transitions, viterbi

__all__ = [
    "SynthResult",
    "TargetError",
    "Targets",
    "centroid_order",
    "descriptor_errors",
    "embedding_transitions",
    "frame_costs",
    "plot_synth",
    "plot_traversal",
    "read_targets",
    "synth_figure",
    "render_targets",
    "targets_like",
    "traversal",
    "viterbi",
    "write_table",
]
