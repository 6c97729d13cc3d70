"""Sound devices (sounddevice / PortAudio, JACK preferred), a looped file input and an
output recorder. The file loop and the recorder are preallocated: the audio callback only
slices and copies."""

from pathlib import Path
from typing import Optional, Union

import numpy as np

__all__ = [
    "LoopSource",
    "PlayError",
    "Recorder",
    "describe_devices",
    "jack_hostapi",
    "pick_device",
    "refresh_devices",
    "sounddevice",
]

PathLike = Union[str, Path]


class PlayError(RuntimeError):
    """A device, file or option `play` cannot use."""


def sounddevice():
    """The sounddevice module; PlayError when PortAudio (Debian: libportaudio2) is missing."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as e:
        raise PlayError(
            f"sounddevice cannot load PortAudio ({e}): install libportaudio2 (Debian) and `pip install sounddevice`"
        ) from None
    return sd


def refresh_devices() -> None:
    """Re-scan PortAudio's devices (a JACK server started after sounddevice was imported
    shows up). Only while no stream of this process is open."""
    sd = sounddevice()
    while sd._initialized:
        sd._terminate()
    sd._initialize()


def jack_hostapi() -> Optional[int]:
    """Index of PortAudio's JACK host API when a JACK server answers, else None."""
    sd = sounddevice()
    for i, api in enumerate(sd.query_hostapis()):
        if "JACK" in api["name"] and api["devices"]:
            return i
    return None


def describe_devices() -> str:
    """What `play --list` prints: PortAudio's devices (host API, channels, default rate)."""
    sd = sounddevice()
    apis = sd.query_hostapis()
    lines = []
    for i, d in enumerate(sd.query_devices()):
        lines.append(
            f"{i:3d}  {d['name']}  [{apis[d['hostapi']]['name']}]  in {d['max_input_channels']}, "
            f"out {d['max_output_channels']}, {d['default_samplerate']:g} Hz"
        )
    return "\n".join(lines) or "no audio device (no sound card, and no JACK server running)"


def pick_device(spec: Optional[str], kind: str) -> int:
    """The device index for `spec` (an index, or part of a name; None: the default, JACK's
    when a JACK server runs). kind: "input" or "output". Raises PlayError."""
    sd = sounddevice()
    devices = sd.query_devices()
    channels = f"max_{kind}_channels"
    usable = [i for i, d in enumerate(devices) if d[channels] > 0]
    if spec is None:
        jack = jack_hostapi()
        index = sd.query_hostapis(jack)[f"default_{kind}_device"] if jack is not None else -1
        if index < 0:
            default = sd.default.device[0 if kind == "input" else 1]
            index = default if default is not None and default >= 0 else (usable[0] if usable else -1)
        if index < 0:
            raise PlayError(
                f"no {kind} device: no sound card and no JACK server (start one, e.g. "
                "`jackd -d dummy -r 48000 -p 256`); `timbre-rt play --list` shows what there is"
            )
        return int(index)
    if spec.isdigit():
        index = int(spec)
        if index not in usable:
            raise PlayError(
                f"{kind} device {index} does not exist or has no {kind} channels; devices:\n{describe_devices()}"
            )
        return index
    matches = [i for i in usable if spec.lower() in devices[i]["name"].lower()]
    jack = jack_hostapi()
    matches.sort(key=lambda i: devices[i]["hostapi"] != jack)  # JACK's first
    if not matches:
        raise PlayError(f"no {kind} device matches {spec!r}; devices:\n{describe_devices()}")
    return matches[0]


class LoopSource:
    """A mono file looped forever: read(frames) returns a contiguous float32 view.

    audio: [T] float32 at the stream's rate; max_frames: the largest read. The loop is
    stored with its start appended, so every read is one slice, without a copy."""

    def __init__(self, audio: np.ndarray, max_frames: int):
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if audio.size == 0:
            raise PlayError("the input file holds no samples")
        self.length = audio.size
        repeats = int(np.ceil((self.length + max_frames) / self.length))
        self._data = np.ascontiguousarray(np.tile(audio, repeats)[: self.length + max_frames])
        self.max_frames = max_frames
        self.position = 0

    def read(self, frames: int) -> np.ndarray:
        """[frames] (frames <= max_frames) of the loop, advancing it."""
        start = self.position
        self.position = (start + frames) % self.length
        return self._data[start : start + frames]

    @classmethod
    def from_file(cls, path: PathLike, rate: int, max_frames: int) -> "LoopSource":
        """Read `path` (any format libsndfile reads), mix to mono, resample to `rate`.
        Raises AudioFileError naming the file."""
        from ..audio import load_audio

        return cls(load_audio(path, rate), max_frames)


class Recorder:
    """Keeps the first `capacity` output frames: write() in the callback copies into a
    preallocated array and never allocates."""

    def __init__(self, capacity: int):
        self._data = np.zeros(max(int(capacity), 0), dtype=np.float32)
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        """block: [n] or [n, channels] (the first channel is kept)."""
        n = min(block.shape[0], self._data.size - self.frames)
        if n > 0:
            self._data[self.frames : self.frames + n] = block[:n, 0] if block.ndim == 2 else block[:n]
            self.frames += n

    def audio(self) -> np.ndarray:
        """[frames] recorded so far (a copy)."""
        return self._data[: self.frames].copy()
