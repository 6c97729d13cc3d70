"""The one exception of audio file input and output."""

from ..errors import InputError

__all__ = ["AudioFileError"]


class AudioFileError(InputError):
    """An audio file or folder that cannot be found, read or written.

    The message is one line that names the file (or folder) first."""
