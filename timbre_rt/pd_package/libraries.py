"""The shared libraries the Pd externals load, found with `ldd`, and their run paths (patchelf).

Every Linux that runs Pd has glibc, libstdc++ and libgcc: those stay the system's. Anything
else the dynamic linker resolves for an external (libtorch, libc10, torch's libgomp,
libsamplerate) is bundled beside the externals, and every run path points at `$ORIGIN`,
so the folder works wherever it is moved, with no LD_LIBRARY_PATH."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List

from ..errors import InputError

__all__ = ["SYSTEM_LIBRARIES", "SharedLibrary", "bundled_libraries", "needed", "run_path", "set_run_path"]

# glibc, the C++ runtime and the dynamic linker: part of every system Pd runs on.
SYSTEM_LIBRARIES = frozenset(
    {
        "linux-vdso.so.1",
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
        "libc.so.6",
        "libm.so.6",
        "libdl.so.2",
        "libpthread.so.0",
        "librt.so.1",
        "libstdc++.so.6",
        "libgcc_s.so.1",
    }
)

_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(.*?)\s+\(0x[0-9a-f]+\)\s*$")


@dataclass(frozen=True)
class SharedLibrary:
    name: str  # the soname an external asks for, e.g. libtorch_cpu.so
    path: Path  # where the dynamic linker found it here


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InputError(f"{name} not found: install it (Debian: apt-get install {name}; scripts/setup.sh does)")
    return path


def bundled_libraries(binaries: Iterable[Path]) -> List[SharedLibrary]:
    """The non-system libraries that `ldd` resolves for `binaries` (transitively), by name."""
    found: Dict[str, SharedLibrary] = {}
    for binary in binaries:
        run = subprocess.run([_tool("ldd"), str(binary)], capture_output=True, text=True)
        if run.returncode != 0:
            raise InputError(f"{binary}: ldd failed: {(run.stderr or run.stdout).strip()}")
        for line in run.stdout.splitlines():
            match = _LDD_LINE.match(line)
            if match is None:
                continue
            name, where = match.groups()
            if where == "not found":
                raise InputError(f"{binary}: needs {name}, which the dynamic linker cannot find here")
            if name not in SYSTEM_LIBRARIES:
                found.setdefault(name, SharedLibrary(name, Path(where)))
    return sorted(found.values(), key=lambda lib: lib.name)


def needed(binary: Path) -> List[str]:
    """The DT_NEEDED entries of an ELF file."""
    run = subprocess.run([_tool("patchelf"), "--print-needed", str(binary)], capture_output=True, text=True, check=True)
    return run.stdout.split()


def run_path(binary: Path) -> str:
    """The DT_RUNPATH (or DT_RPATH) of an ELF file, '' when it has none."""
    run = subprocess.run([_tool("patchelf"), "--print-rpath", str(binary)], capture_output=True, text=True, check=True)
    return run.stdout.strip()


def set_run_path(binary: Path, value: str) -> None:
    """Rewrites the file in place: never call it on a hard link to someone else's file."""
    run = subprocess.run([_tool("patchelf"), "--set-rpath", value, str(binary)], capture_output=True, text=True)
    if run.returncode != 0:
        raise InputError(f"{binary}: patchelf --set-rpath failed: {run.stderr.strip()}")
