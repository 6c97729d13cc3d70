"""Plausible MIDI note ranges of the 128 General MIDI programs (and the drum kit's notes).

A range keeps a flute off MIDI 36 and a tuba off MIDI 96: notes no player would
play sound bad in most soundfonts and teach a model sounds nobody feeds it.
"""

from typing import Dict, Tuple

__all__ = ["DRUM_NOTES", "MELODIC_PROGRAMS", "PERCUSSIVE_PROGRAMS", "gm_range"]

# GM families of 8 programs: (lowest, highest) MIDI note.
_FAMILY: Tuple[Tuple[int, int], ...] = (
    (21, 108),  # 0 pianos
    (48, 96),  # 8 chromatic percussion
    (36, 96),  # 16 organs
    (40, 84),  # 24 guitars
    (28, 60),  # 32 basses
    (36, 96),  # 40 strings (overridden per program below)
    (36, 96),  # 48 ensembles
    (40, 82),  # 56 brass
    (48, 88),  # 64 reeds
    (60, 96),  # 72 pipes
    (36, 96),  # 80 synth leads
    (36, 96),  # 88 synth pads
    (36, 96),  # 96 synth effects
    (48, 88),  # 104 ethnic
    (48, 84),  # 112 percussive
    (36, 84),  # 120 sound effects
)

_PROGRAM: Dict[int, Tuple[int, int]] = {
    40: (55, 96),
    41: (48, 84),
    42: (36, 72),
    43: (28, 60),
    44: (40, 84),
    45: (36, 84),
    46: (24, 103),
    47: (40, 60),
    56: (52, 82),
    57: (40, 72),
    58: (28, 58),
    59: (52, 82),
    60: (41, 77),
    64: (56, 88),
    65: (49, 81),
    66: (44, 76),
    67: (36, 69),
    68: (58, 91),
    69: (52, 81),
    70: (34, 72),
    71: (50, 91),
    72: (74, 108),
    104: (48, 84),
    105: (48, 84),
    106: (50, 79),
    107: (55, 91),
    108: (60, 96),
    109: (60, 84),
    110: (55, 96),
    111: (60, 84),
    14: (60, 77),  # tubular bells
}

# Programs 0-111 are pitched instruments; 112-119 are pitched percussion.
MELODIC_PROGRAMS: Tuple[int, ...] = tuple(range(112))
PERCUSSIVE_PROGRAMS: Tuple[int, ...] = tuple(range(112, 120))
# GM percussion key map: acoustic bass drum (35) .. open triangle (81).
DRUM_NOTES: Tuple[int, ...] = tuple(range(35, 82))


def gm_range(program: int) -> Tuple[int, int]:
    """(lowest, highest) MIDI note that program `program` (0..127) plays."""
    if not 0 <= program <= 127:
        raise ValueError(f"program {program} is outside 0..127")
    return _PROGRAM.get(program, _FAMILY[program // 8])
