"""Safe file outputs shared by every command (atomic writes, output != input)."""

from .atomic import atomic_path, check_free_space, check_output, check_outputs, write_text

__all__ = ["atomic_path", "check_free_space", "check_output", "check_outputs", "write_text"]
