"""MIDI learn: ask for one control (and optionally keys) per latent dimension, build a KnobMap."""

import time
from typing import Callable, Optional, Sequence, Set, Tuple

from .knob_map import DEFAULT_RANGES, ControlMapping, KnobMap, NoteMapping
from .midi import decode_message

__all__ = ["learn_map", "wait_for"]


def wait_for(
    midi_in, kinds: Sequence[str], taken: Set[Tuple[int, int]], timeout: float, poll: float = 0.005
) -> Optional[Tuple[int, int]]:
    """Wait up to `timeout` s for a message of one of `kinds` ("cc", "note_on") whose
    (channel, number) is not in `taken`. Returns (channel, number) or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = midi_in.get_message()
        if event is None:
            time.sleep(poll)
            continue
        decoded = decode_message(event[0])
        if decoded and decoded[0] in kinds and (decoded[1], decoded[2]) not in taken:
            return decoded[1], decoded[2]
    return None


def _drain(midi_in) -> None:
    while midi_in.get_message() is not None:
        pass


def learn_map(
    midi_in,
    names: Sequence[str],
    dims: Sequence[int],
    target: str = "offset",
    value_range: Optional[Tuple[float, float]] = None,
    actions: Sequence[str] = (),
    timeout: float = 30.0,
    port: Optional[str] = None,
    say: Callable[[str], None] = print,
) -> KnobMap:
    """For each latent index in `dims`: the first new control change moved sets `target`
    (offset or scale) over `value_range`; then for each of `actions` ("freeze", "bypass")
    the first new key pressed toggles it. A step with no answer within `timeout` s is
    skipped. Returns the map (port: `port`); entries are bound to the channel they came on."""
    value_range = tuple(value_range or DEFAULT_RANGES[target])
    knobs = KnobMap(port=port)
    taken_cc: Set[Tuple[int, int]] = set()
    taken_notes: Set[Tuple[int, int]] = set()
    _drain(midi_in)  # nothing sent before the first question counts
    for dim in dims:
        name = names[dim] if dim < len(names) else f"dim {dim}"
        say(f"{name} ({target}): move a knob or slider ... ")
        found = wait_for(midi_in, ["cc"], taken_cc, timeout)
        if found is None:
            say(f"  no new control within {timeout:g} s: {name} skipped")
        else:
            taken_cc.add(found)
            knobs.controls.append(
                ControlMapping(cc=found[1], dim=dim, target=target, range=value_range, channel=found[0])
            )
            say(f"  {name} {target} <- CC {found[1]} (channel {found[0]})")
        for action in actions:
            say(f"{name} ({action}): press a key or pad ... ")
            found = wait_for(midi_in, ["note_on"], taken_notes, timeout)
            if found is None:
                say(f"  no new key within {timeout:g} s: {name} {action} skipped")
                continue
            taken_notes.add(found)
            knobs.notes.append(NoteMapping(note=found[1], dim=dim, action=action, mode="toggle", channel=found[0]))
            say(f"  {name} {action} <- note {found[1]} (channel {found[0]})")
    return knobs
