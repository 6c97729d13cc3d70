"""The deken archive: a zip named `<lib>[v<version>](<OS>-<arch>-<floatsize>).dek` holding the
library folder at its top level, as deken and Pd's "Find externals" install it."""

import platform
import zipfile
from pathlib import Path

from ..io import atomic_path

__all__ = ["FLOAT_SIZE", "deken_arch", "dek_name", "write_dek"]

# The externals are built against the system's m_pd.h with its default float size: deken's
# last field is Pd's float size (32; 64 is double-precision Pd64), not the CPU's word size.
FLOAT_SIZE = 32
_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "armv7l": "armv7", "i686": "i386"}


def deken_arch(system: str = "", machine: str = "") -> str:
    """e.g. Linux-amd64-32 on this machine."""
    system = system or platform.system()
    machine = machine or platform.machine()
    return f"{system}-{_MACHINES.get(machine.lower(), machine.lower())}-{FLOAT_SIZE}"


def dek_name(library: str, version: str, arch: str) -> str:
    return f"{library}[v{version}]({arch}).dek"


def write_dek(folder: Path, out_dir: Path, version: str, arch: str = "") -> Path:
    """Zips `folder` (kept as the top-level folder, permissions and symlinks kept as files)
    into out_dir/<dek_name>; written whole or not at all."""
    folder = Path(folder)
    target = Path(out_dir) / dek_name(folder.name, version, arch or deken_arch())
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(folder.name) / path.relative_to(folder))
    return target
