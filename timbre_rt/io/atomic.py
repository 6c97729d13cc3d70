"""Outputs that never damage a file: written beside the target, renamed into place on success.

with atomic_path("out.wav") as tmp:   # tmp: ".out.wav.<random>.partial.wav"
    write_the_file(tmp)               # an exception here leaves out.wav as it was
"""

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from ..errors import InputError, UsageError

__all__ = ["atomic_path", "check_free_space", "check_output", "check_outputs", "write_text"]

PathLike = Union[str, Path]


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path in the same folder (same filesystem, so the final
    os.replace is atomic) with the same suffix (writers that pick the format by
    the suffix still work); rename it to `path` only if the block succeeds."""
    path = Path(path)
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.partial{path.suffix}"
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{path}: the writer left no file")
        # mkstemp-like writers may make the file private; an output is meant to be shared.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _same(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def check_output(path: PathLike, option: str = "output") -> None:
    """UsageError if `path` is an existing folder (a file is to be written there)."""
    if Path(path).is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")


def check_outputs(outputs: Iterable[Optional[PathLike]], inputs: Iterable[Optional[PathLike]]) -> None:
    """Refuse (UsageError) any output that is one of the inputs after resolving links,
    or two outputs that are one file: checked before any work, so nothing is lost."""
    outs = [Path(p) for p in outputs if p is not None]
    ins = [Path(p) for p in inputs if p is not None]
    for i, out in enumerate(outs):
        check_output(out)
        for src in ins:
            if _same(out, src):
                raise UsageError(f"output {out} is the input {src}: it would be overwritten; write to another file")
        for other in outs[:i]:
            if _same(out, other):
                raise UsageError(f"output {out} is given twice (also as {other})")


def check_free_space(path: PathLike, nbytes: int) -> None:
    """InputError before writing when `nbytes` would not fit beside `path` (the folder
    is created if missing): a long render fails at once, not after filling the disk."""
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if nbytes > free:
        raise InputError(f"{path}: needs {nbytes / 1e9:.3g} GB, only {free / 1e9:.3g} GB free in {folder}")


def write_text(path: PathLike, text: str) -> Path:
    """path.write_text(text), through atomic_path: never a half-written file at `path`."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return path
