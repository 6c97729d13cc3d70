"""Pitch and periodicity channels as a host sends them -> what a synthesiser can play."""

from typing import Tuple

import torch
from torch import nn

from .yin import midi_to_hz

NOTE_RANGE = (0.0, 140.0)  # MIDI notes a decoder accepts (8 Hz .. 13 kHz); beyond: clamped
REFERENCE_NOTE = 57.0  # A3, 220 Hz: played where there is no pitch (NaN, no target)


class PitchInput(nn.Module):
    """A pitch channel from a host (a Pd inlet, a knob, a target curve) made playable: a NaN
    or an infinity must not reach a synthesiser's state, or every later call is NaN too.

    notes:       (note [B, 1, L] MIDI, periodicity [B, 1, L]) -> (f0 Hz, periodicity in [0, 1]);
                 NaN note: REFERENCE_NOTE; NaN periodicity: `periodicity_nan` (default 0)
    hz:          f0 [B, 1, L] Hz -> clamped to the note range; NaN: REFERENCE_NOTE's Hz
    periodicity: clamped to [0, 1]; NaN: `nan`
    """

    def __init__(self):
        super().__init__()
        self.note_min, self.note_max = NOTE_RANGE
        self.reference_note = REFERENCE_NOTE
        self.hz_min = float(midi_to_hz(torch.tensor(NOTE_RANGE[0])))
        self.hz_max = float(midi_to_hz(torch.tensor(NOTE_RANGE[1])))
        self.reference_hz = float(midi_to_hz(torch.tensor(REFERENCE_NOTE)))

    def notes(
        self, note: torch.Tensor, periodicity: torch.Tensor, periodicity_nan: float = 0.0
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        note = torch.clamp(torch.nan_to_num(note, nan=self.reference_note), self.note_min, self.note_max)
        return midi_to_hz(note), self.periodicity(periodicity, periodicity_nan)

    def hz(self, f0: torch.Tensor) -> torch.Tensor:
        return torch.clamp(torch.nan_to_num(f0, nan=self.reference_hz), self.hz_min, self.hz_max)

    def periodicity(self, periodicity: torch.Tensor, nan: float = 0.0) -> torch.Tensor:
        return torch.clamp(torch.nan_to_num(periodicity, nan=nan), 0.0, 1.0)
