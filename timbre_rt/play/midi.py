"""MIDI input (python-rtmidi) and the knob map applied to a pipeline.

JACK MIDI is the default API (`rtmidi.API_UNIX_JACK`): it works wherever jackd runs, on
machines without a sound card too. MidiKnobs.handle runs in rtmidi's callback thread and
only calls the pipeline's lock-free setters.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from .knob_map import ControlMapping, KnobMap, NoteMapping, resolve_dim

__all__ = ["MIDI_APIS", "MidiError", "MidiKnobs", "decode_message", "list_ports", "open_input"]

MIDI_APIS = ("jack", "alsa")


class MidiError(RuntimeError):
    """No MIDI API, or no port matching the name asked for."""


def _rtmidi():
    try:
        import rtmidi
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise MidiError(f"python-rtmidi is not installed ({e}): pip install python-rtmidi") from None
    return rtmidi


def _api(name: str) -> int:
    rtmidi = _rtmidi()
    apis = {"jack": rtmidi.API_UNIX_JACK, "alsa": rtmidi.API_LINUX_ALSA}
    if name not in apis:
        raise MidiError(f"unknown MIDI API {name!r} (choose from {', '.join(MIDI_APIS)})")
    if apis[name] not in rtmidi.get_compiled_api():
        raise MidiError(f"this python-rtmidi was built without the {name} MIDI API")
    return apis[name]


def _midi_in(api: str, client_name: str):
    rtmidi = _rtmidi()
    try:
        return rtmidi.MidiIn(_api(api), name=client_name)
    except rtmidi.RtMidiError as e:
        hint = " (is jackd running? e.g. `jackd -d dummy -r 48000 -p 256`)" if api == "jack" else ""
        raise MidiError(f"cannot open the {api} MIDI API: {e}{hint}") from None


def list_ports(api: str = "jack") -> List[str]:
    """Names of the MIDI input ports the API sees."""
    midi_in = _midi_in(api, "timbre-rt-list")
    try:
        return list(midi_in.get_ports())
    finally:
        midi_in.delete()


def open_input(port: str, api: str = "jack", client_name: str = "timbre-rt"):
    """Open the first MIDI input port whose name contains `port` (case-insensitive; an exact
    name wins). Returns (rtmidi.MidiIn, the port's full name); raises MidiError."""
    midi_in = _midi_in(api, client_name)
    ports = list(midi_in.get_ports())
    exact = [i for i, name in enumerate(ports) if name == port]
    matches = exact or [i for i, name in enumerate(ports) if port.lower() in name.lower()]
    if not matches:
        midi_in.delete()
        available = ", ".join(repr(p) for p in ports) or "none"
        raise MidiError(f"no MIDI input port matches {port!r} ({api} API; available: {available})")
    midi_in.open_port(matches[0], name="in")
    midi_in.ignore_types(sysex=True, timing=True, active_sense=True)
    return midi_in, ports[matches[0]]


def decode_message(message: Sequence[int]) -> Optional[Tuple[str, int, int, int]]:
    """A MIDI message -> ("cc" | "note_on" | "note_off", channel 1-16, number, value), or
    None for anything else. A note on with velocity 0 is a note off."""
    if len(message) < 3:
        return None
    status, number, value = message[0], message[1], message[2]
    kind, channel = status & 0xF0, (status & 0x0F) + 1
    if kind == 0xB0:
        return "cc", channel, number, value
    if kind == 0x90:
        return ("note_on" if value > 0 else "note_off"), channel, number, value
    if kind == 0x80:
        return "note_off", channel, number, value
    return None


@dataclass
class _Control:
    mapping: ControlMapping
    dim: int


@dataclass
class _Note:
    mapping: NoteMapping
    dims: List[int]
    on: bool = False


class MidiKnobs:
    """Turns MIDI messages into a pipeline's knob settings, as `knobs` maps them.

    pipeline: anything with set_offset / set_scale / set_freeze / set_bypass(dim, value)
    (timbre_rt.Pipeline). `names`: the model's latent names, `channels` its latent count.
    Raises MapError when the map names a dimension the model lacks.
    """

    def __init__(self, knobs: KnobMap, pipeline, names: Sequence[str], channels: int):
        knobs.check_model(names, channels)
        self.knobs = knobs
        self.pipeline = pipeline
        self.events = 0  # messages that moved a knob
        self._controls: Dict[Tuple[Optional[int], int], _Control] = {}
        self._notes: Dict[Tuple[Optional[int], int], List[_Note]] = {}
        for c in knobs.controls:
            self._controls[(self._channel(c.channel), c.cc)] = _Control(c, resolve_dim(c.dim, names, channels)[0])
        for n in knobs.notes:
            self._notes.setdefault((self._channel(n.channel), n.note), []).append(
                _Note(n, resolve_dim(n.dim, names, channels))
            )

    def mapped_dims(self) -> List[int]:
        """The latent indices some control or note moves, sorted."""
        dims = {c.dim for c in self._controls.values()}
        dims |= {d for notes in self._notes.values() for n in notes for d in n.dims}
        return sorted(dims)

    def _channel(self, channel: Optional[int]) -> Optional[int]:
        return channel if channel is not None else self.knobs.channel

    def _find(self, table, channel: int, number: int):
        return table.get((channel, number)) or table.get((None, number))

    def handle(self, message: Sequence[int]) -> bool:
        """Apply one MIDI message; True when it moved a knob."""
        decoded = decode_message(message)
        if decoded is None:
            return False
        kind, channel, number, value = decoded
        if kind == "cc":
            control = self._find(self._controls, channel, number)
            if control is None:
                return False
            setter = self.pipeline.set_offset if control.mapping.target == "offset" else self.pipeline.set_scale
            setter(control.dim, control.mapping.value(value))
        else:
            notes = self._find(self._notes, channel, number)
            if not notes:
                return False
            for note in notes:
                if note.mapping.mode == "toggle":
                    if kind == "note_off":
                        continue
                    note.on = not note.on
                else:
                    note.on = kind == "note_on"
                setter = self.pipeline.set_freeze if note.mapping.action == "freeze" else self.pipeline.set_bypass
                for d in note.dims:
                    setter(d, note.on)
        self.events += 1
        return True

    def attach(self, midi_in) -> None:
        """Handle every message `midi_in` (rtmidi.MidiIn) receives, in rtmidi's thread."""
        midi_in.set_callback(lambda event, _data: self.handle(event[0]))
