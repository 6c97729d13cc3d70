"""The realtime host: `timbre-rt play` (sounddevice + the C++ Pipeline) with MIDI-controlled
latent knobs (python-rtmidi), and `timbre-rt midi-learn` that writes the knob map."""

from .audio import LoopSource, PlayError, Recorder, describe_devices, pick_device
from .host import PlayConfig, PlaySummary, Player
from .knob_map import ControlMapping, KnobMap, MapError, NoteMapping, dump_map, load_map, parse_map, save_map
from .learn import learn_map
from .midi import MidiError, MidiKnobs, decode_message, list_ports, open_input

__all__ = [
    "ControlMapping",
    "KnobMap",
    "LoopSource",
    "MapError",
    "MidiError",
    "MidiKnobs",
    "NoteMapping",
    "PlayConfig",
    "PlayError",
    "PlaySummary",
    "Player",
    "Recorder",
    "decode_message",
    "describe_devices",
    "dump_map",
    "learn_map",
    "list_ports",
    "load_map",
    "open_input",
    "parse_map",
    "pick_device",
    "save_map",
]
