"""Audio files, one home for every command: find them, read them as mono float32 at a
model's rate (soundfile + soxr, as encodec's convert_audio), write 32-bit float WAVs.

    from timbre_rt.audio import find_audio_files, load_audio, write_wav
    for path in find_audio_files("data/"):          # every ending libsndfile reads
        x = load_audio(path, 24000)                  # [T] float32, channels averaged
    write_wav("out.wav", x, 24000)

Errors are AudioFileError (an InputError: exit 1), one line naming the file.
"""

from .errors import AudioFileError
from .find import AUDIO_EXTENSIONS, find_audio_files
from .read import frames_at_rate, load_audio, open_audio, read_blocks, read_wav
from .write import WavWriter, write_wav

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioFileError",
    "WavWriter",
    "find_audio_files",
    "frames_at_rate",
    "load_audio",
    "open_audio",
    "read_blocks",
    "read_wav",
    "write_wav",
]
