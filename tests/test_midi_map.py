"""The knob map file (YAML) and how MIDI messages move a pipeline's knobs (no MIDI device
needed: messages are fed to MidiKnobs.handle directly)."""

import pytest

from timbre_rt.play import KnobMap, MapError, MidiKnobs, decode_message, dump_map, load_map, parse_map

EXAMPLE = """\
port: nanoKONTROL
channel: all
controls:
  - {cc: 16, dim: 0, target: offset, range: [-3.0, 3.0]}
  - {cc: 17, dim: z1}
  - {cc: 0, dim: 0, target: scale, range: [0.0, 2.0]}
  - {cc: 18, dim: 2, channel: 2}
notes:
  - {note: 36, dim: 0, action: freeze}
  - {note: 37, dim: all, action: bypass, mode: momentary}
"""
NAMES = ["z0", "z1", "z2", "z3"]


class FakePipeline:
    """Records the setters MidiKnobs calls."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if name.startswith("set_"):
            return lambda dim, value: self.calls.append((name[4:], dim, value))
        raise AttributeError(name)


def test_example_map_parses_with_defaults(tmp_path):
    path = tmp_path / "knobs.yaml"
    path.write_text(EXAMPLE)
    knobs = load_map(path)
    assert knobs.port == "nanoKONTROL" and knobs.channel is None
    assert [(c.cc, c.dim, c.target, c.range, c.channel) for c in knobs.controls] == [
        (16, 0, "offset", (-3.0, 3.0), None),
        (17, "z1", "offset", (-3.0, 3.0), None),
        (0, 0, "scale", (0.0, 2.0), None),
        (18, 2, "offset", (-3.0, 3.0), 2),
    ]
    assert [(n.note, n.dim, n.action, n.mode) for n in knobs.notes] == [
        (36, 0, "freeze", "toggle"),
        (37, "all", "bypass", "momentary"),
    ]


def test_dump_then_load_gives_the_same_map(tmp_path):
    knobs = parse_map(__import__("yaml").safe_load(EXAMPLE))
    path = tmp_path / "again.yaml"
    path.write_text(dump_map(knobs, comment="written by a test\nsecond line"))
    text = path.read_text()
    assert text.startswith("# written by a test\n# second line\n")
    assert load_map(path) == knobs


@pytest.mark.parametrize(
    "text, message",
    [
        ("controls: [{cc: 200, dim: 0}]", r"controls\[0\]: 'cc' must be an integer 0..127, got 200"),
        ("controls: [{cc: 1}]", r"controls\[0\]: 'dim' is missing"),
        ("controls: [{cc: 1, dim: 0, target: loudness}]", r"'target' must be one of offset, scale, got 'loudness'"),
        ("controls: [{cc: 1, dim: 0, range: [1]}]", r"'range' must be two numbers"),
        ("controls: [{cc: 1, dim: 0, knob: 3}]", r"unknown key\(s\) knob"),
        ("controls: [{cc: 1, dim: 0}, {cc: 1, dim: 1}]", r"controls\[1\]: cc 1 is already mapped by controls\[0\]"),
        ("notes: [{note: 36, dim: 0, action: mute}]", r"notes\[0\]: 'action' must be one of freeze, bypass"),
        ("notes: [{note: 36, dim: 0, mode: latch}]", r"'mode' must be one of toggle, momentary"),
        ("channel: 17\ncontrols: [{cc: 1, dim: 0}]", r"'channel' must be 1..16 or all, got 17"),
        ("controls: {cc: 1}", r"'controls' must be a list"),
        ("port: 3\ncontrols: [{cc: 1, dim: 0}]", r"'port' must be a string"),
        ("knobs: []", r"unknown key\(s\) knobs"),
        ("port: x", r"maps nothing"),
        ("controls: [{cc: 1, dim: 0}\n", r"not valid YAML"),
        ("controls: [{cc: 1e0, dim: 0}]", r"'cc' must be an integer 0..127, got 1.0"),  # a number
    ],
)
def test_bad_maps_name_the_file_the_entry_and_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(MapError, match=message) as error:
        load_map(path)
    assert str(path) in str(error.value)


def test_missing_map_file(tmp_path):
    with pytest.raises(MapError, match="knob map: .*nothing.yaml: no such knob map"):
        load_map(tmp_path / "nothing.yaml")


@pytest.mark.parametrize(
    "entry, message",
    [
        ("controls: [{cc: 1, dim: 4}]", r"controls\[0\]: dim 4 is out of range: the model has 4 latent dimensions"),
        (
            "controls: [{cc: 1, dim: loudness}]",
            r"dim 'loudness' is not a latent of the model \(it has: z0, z1, z2, z3\)",
        ),
        ("controls: [{cc: 1, dim: all}]", r"dim 'all' is only allowed for notes"),
    ],
)
def test_dims_the_model_lacks_are_refused(entry, message):
    knobs = parse_map(__import__("yaml").safe_load(entry))
    with pytest.raises(MapError, match=message):
        MidiKnobs(knobs, FakePipeline(), NAMES, 4)


def test_decode_message():
    assert decode_message([0xB0, 16, 64]) == ("cc", 1, 16, 64)
    assert decode_message([0xB3, 7, 0]) == ("cc", 4, 7, 0)
    assert decode_message([0x90, 36, 100]) == ("note_on", 1, 36, 100)
    assert decode_message([0x90, 36, 0]) == ("note_off", 1, 36, 0)
    assert decode_message([0x8F, 36, 10]) == ("note_off", 16, 36, 10)
    assert decode_message([0xE0, 0, 64]) is None and decode_message([0xF8]) is None


def test_messages_move_the_mapped_knobs():
    knobs = parse_map(__import__("yaml").safe_load(EXAMPLE))
    pipeline = FakePipeline()
    midi = MidiKnobs(knobs, pipeline, NAMES, 4)
    assert midi.mapped_dims() == [0, 1, 2, 3]
    assert midi.handle([0xB0, 16, 127]) and midi.handle([0xB5, 16, 0])  # any channel
    assert midi.handle([0xB0, 17, 127 // 2])
    assert midi.handle([0xB0, 0, 127])
    assert not midi.handle([0xB0, 18, 127])  # mapped on channel 2 only
    assert midi.handle([0xB1, 18, 127])
    assert not midi.handle([0xB0, 99, 1])  # not mapped
    assert pipeline.calls == [
        ("offset", 0, 3.0),
        ("offset", 0, -3.0),
        ("offset", 1, -3.0 + 6.0 * 63 / 127),
        ("scale", 0, 2.0),
        ("offset", 2, 3.0),
    ]
    pipeline.calls.clear()
    midi.handle([0x90, 36, 90])  # toggle on
    midi.handle([0x80, 36, 0])  # note off: a toggle ignores it
    midi.handle([0x90, 36, 90])  # toggle off
    midi.handle([0x90, 37, 90])  # momentary: on for every dim ...
    midi.handle([0x90, 37, 0])  # ... off again (note on with velocity 0)
    assert pipeline.calls == [("freeze", 0, True), ("freeze", 0, False)] + [("bypass", d, True) for d in range(4)] + [
        ("bypass", d, False) for d in range(4)
    ]
    assert midi.events == 10


def test_a_map_channel_filters_every_entry_without_its_own():
    knobs = KnobMap(channel=3, controls=parse_map({"controls": [{"cc": 5, "dim": 1}]}).controls)
    pipeline = FakePipeline()
    midi = MidiKnobs(knobs, pipeline, NAMES, 4)
    assert not midi.handle([0xB0, 5, 10])
    assert midi.handle([0xB2, 5, 127])
    assert pipeline.calls == [("offset", 1, 3.0)]
