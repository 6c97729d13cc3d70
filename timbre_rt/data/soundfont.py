"""NSynth-like notes rendered from a General MIDI soundfont with tinysoundfont.

Each note is one sound: `hold` seconds held, then `release` seconds after the
note-off, mono, rendered from a reset synth so that no note bleeds into the
next and a note renders the same wherever it falls in the set.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

import numpy as np
from tqdm import tqdm

from .errors import DatasetError

__all__ = [
    "DEFAULT_SOUNDFONT",
    "GM_PROGRAMS",
    "Note",
    "RenderConfig",
    "NoteRenderer",
    "iter_notes",
    "note_list",
    "open_synth",
    "render_notes",
    "resolve_soundfont",
    "stereo_to_mono",
]

DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

# program -> (name, lowest, highest MIDI note): a plausible range per instrument,
# so that no flute plays at MIDI 36 or bass at MIDI 84.
GM_PROGRAMS: Dict[int, Tuple[str, int, int]] = {
    0: ("acoustic grand piano", 21, 108),
    4: ("electric piano 1", 28, 103),
    16: ("drawbar organ", 36, 96),
    24: ("acoustic guitar (nylon)", 40, 76),
    33: ("electric bass (finger)", 28, 60),
    40: ("violin", 55, 96),
    42: ("cello", 36, 72),
    48: ("string ensemble 1", 28, 96),
    56: ("trumpet", 52, 82),
    65: ("alto sax", 49, 81),
    71: ("clarinet", 50, 91),
    73: ("flute", 60, 96),
}

PathLike = Union[str, Path]


@dataclass
class RenderConfig:
    """What to render: every program x pitch (within the program's range) x velocity."""

    programs: Tuple[int, ...] = tuple(GM_PROGRAMS)
    pitches: Tuple[int, ...] = tuple(range(36, 85, 2))  # MIDI 36..84, whole tones
    velocities: Tuple[int, ...] = (50, 90, 127)
    hold: float = 0.75  # seconds between note-on and note-off
    release: float = 0.25  # seconds rendered after the note-off
    sampling_rate: int = 24000
    # program -> (low, high) MIDI notes; programs not listed play every pitch.
    ranges: Dict[int, Tuple[int, int]] = field(
        default_factory=lambda: {p: (lo, hi) for p, (_, lo, hi) in GM_PROGRAMS.items()}
    )
    bank: int = 0

    def __post_init__(self):
        self.programs = tuple(int(p) for p in self.programs)
        self.pitches = tuple(int(p) for p in self.pitches)
        self.velocities = tuple(int(v) for v in self.velocities)
        self.ranges = {int(p): (int(lo), int(hi)) for p, (lo, hi) in self.ranges.items()}
        for p in self.programs:
            if not 0 <= p <= 127:
                raise DatasetError(f"program {p} is outside 0..127")
        for k in self.pitches:
            if not 0 <= k <= 127:
                raise DatasetError(f"pitch {k} is outside 0..127")
        for v in self.velocities:
            if not 1 <= v <= 127:
                raise DatasetError(f"velocity {v} is outside 1..127")
        if self.hold <= 0 or self.release < 0 or self.sampling_rate <= 0:
            raise DatasetError("hold and sampling_rate must be > 0 and release >= 0")

    @property
    def note_samples(self) -> int:
        return self.hold_samples + self.release_samples

    @property
    def hold_samples(self) -> int:
        return round(self.hold * self.sampling_rate)

    @property
    def release_samples(self) -> int:
        return round(self.release * self.sampling_rate)

    def to_json(self) -> dict:
        """JSON-safe form (str keys, lists) for the manifest and for comparing settings."""
        d = asdict(self)
        d["programs"] = list(self.programs)
        d["pitches"] = list(self.pitches)
        d["velocities"] = list(self.velocities)
        d["ranges"] = {str(p): list(r) for p, r in sorted(self.ranges.items())}
        return d


@dataclass(frozen=True)
class Note:
    program: int
    pitch: int
    velocity: int

    @property
    def name(self) -> str:
        """e.g. p040_n060_v090.wav: sorts and reads well in splits and manifests."""
        return f"p{self.program:03d}_n{self.pitch:03d}_v{self.velocity:03d}.wav"


def note_list(config: RenderConfig) -> List[Note]:
    """Every note of `config`, in program, pitch, velocity order."""
    notes = []
    for p in config.programs:
        lo, hi = config.ranges.get(p, (0, 127))
        notes += [Note(p, k, v) for k in config.pitches if lo <= k <= hi for v in config.velocities]
    return notes


def resolve_soundfont(path: PathLike) -> Path:
    """The .sf2 file for `path`; "default" is Debian's FluidR3_GM.sf2."""
    if str(path) == "default":
        file = Path(DEFAULT_SOUNDFONT)
        if not file.is_file():
            raise DatasetError(
                f"{file}: default soundfont not found; install the Debian package "
                "fluid-soundfont-gm (apt-get install fluid-soundfont-gm) or pass a .sf2 path"
            )
        return file
    file = Path(path)
    if not file.is_file():
        raise DatasetError(f"{file}: no such soundfont file")
    return file


def open_synth(soundfont: PathLike, sampling_rate: int):
    """Load a soundfont into a new tinysoundfont synth: (path, synth, soundfont id)."""
    try:
        import tinysoundfont  # only the rendering side needs it
    except ImportError as e:
        raise DatasetError(f"rendering a soundfont needs the tinysoundfont package ({e})") from e
    path = resolve_soundfont(soundfont)
    synth = tinysoundfont.Synth(samplerate=sampling_rate)
    try:
        sfid = synth.sfload(str(path))
    except Exception as e:
        raise DatasetError(f"{path}: cannot load soundfont: {e}") from e
    return path, synth, sfid


def stereo_to_mono(buffer) -> np.ndarray:
    """tinysoundfont's interleaved float32 L R buffer -> mono [T] float32."""
    return np.frombuffer(buffer, dtype=np.float32).reshape(-1, 2).mean(axis=1, dtype=np.float32)


class NoteRenderer:
    """Loads a soundfont once and renders notes of a RenderConfig on demand.

    render(note) -> [T] float32 mono, T = config.note_samples.
    """

    def __init__(self, soundfont: PathLike, config: RenderConfig):
        self.path, self.synth, self.sfid = open_synth(soundfont, config.sampling_rate)
        self.config = config
        # tinysoundfont silently falls back to bank 0 for a missing preset: check first.
        missing = [p for p in config.programs if self.synth.sfpreset_name(self.sfid, config.bank, p) is None]
        if missing:
            raise DatasetError(
                f"{self.path}: no preset for bank {config.bank} program(s) {', '.join(map(str, missing))}"
            )
        # reset() alone leaves a trace of the previous voices in the next render;
        # rendering a short silence after it makes each note bit-identical to a
        # note from a brand new synth.
        self._flush = max(64, config.sampling_rate // 20)

    def render(self, note: Note) -> np.ndarray:
        cfg, synth = self.config, self.synth
        synth.soundfonts[self.sfid].reset()
        synth.generate(self._flush)
        synth.program_select(0, self.sfid, cfg.bank, note.program)
        synth.noteon(0, note.pitch, note.velocity)
        held = np.frombuffer(synth.generate(cfg.hold_samples), dtype=np.float32)
        synth.noteoff(0, note.pitch)
        released = np.frombuffer(synth.generate(cfg.release_samples), dtype=np.float32)
        stereo = np.concatenate([held, released]).reshape(-1, 2)  # interleaved L R
        return stereo.mean(axis=1, dtype=np.float32)


def iter_notes(soundfont: PathLike, config: RenderConfig, progress: bool = True) -> Iterator[Tuple[Note, np.ndarray]]:
    """Yield (note, audio [T]) for every note of `config`."""
    renderer = NoteRenderer(soundfont, config)
    notes = note_list(config)
    for note in tqdm(notes, desc="rendering", unit="note", disable=None if progress else True):
        yield note, renderer.render(note)


def render_notes(
    soundfont: PathLike = "default", config: Optional[RenderConfig] = None, progress: bool = True
) -> Tuple[List[Note], np.ndarray]:
    """Render every note of `config` (default RenderConfig()) in memory.

    Returns (notes, audio) with audio: [len(notes), config.note_samples] float32.
    """
    config = config or RenderConfig()
    notes, audio = [], []
    for note, x in iter_notes(soundfont, config, progress):
        notes.append(note)
        audio.append(x)
    if not notes:
        raise DatasetError("the render config selects no note (check programs, pitches, ranges)")
    return notes, np.stack(audio)
