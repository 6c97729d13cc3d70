"""The one exception of the data pipeline (no third-party imports: the GPU side needs it too)."""

__all__ = ["DatasetError"]


class DatasetError(ValueError):
    """A dataset folder, audio file, soundfont or cache cannot be used as asked.

    The message names the file or folder concerned.
    """
