"""`timbre-rt pd-package --out DIR`: the Pd library folder DIR/timbre_rt and its .dek archive."""

import argparse
from importlib import metadata
from pathlib import Path

from ..pd_render import PD_EXTERNALS
from .archive import deken_arch, write_dek
from .layout import build_package

__all__ = ["add_parser"]

REPO = Path(__file__).resolve().parents[2]

DESCRIPTION = """\
Write a relocatable Pure Data library folder DIR/timbre_rt: the externals [encoder~],
[decoder~] and [timbre~] with their help patches, the example patches, the shipped
models (models/continuous.ts, discrete.ts, toy.ts) and the shared libraries the externals
load (libtorch, libc10, torch's libgomp, libsamplerate: whatever `ldd` resolves beyond
glibc and the C++ runtime) in lib/, with $ORIGIN run paths (patchelf): the folder works
wherever it is moved, in a Pd started without the venv or LD_LIBRARY_PATH. Then the
deken archive DIR/timbre_rt[v<version>](<OS>-<arch>-32).dek (a zip holding the folder;
32 is Pd's float size), which Pd's Help > Find externals installs.

A package folder already at DIR/timbre_rt is replaced; anything else there is refused.
"""
EPILOG = """\
examples:
  timbre-rt pd-package --out dist/pd           # dist/pd/timbre_rt/ and dist/pd/timbre_rt[v0.1.0](Linux-amd64-32).dek
  pd -path dist/pd/timbre_rt dist/pd/timbre_rt/examples/timbre-chain.pd
"""


def _version() -> str:
    try:
        return metadata.version("timbre_rt")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def run(args: argparse.Namespace) -> int:
    package = build_package(
        args.out,
        externals=args.externals,
        help_dir=REPO / "pd_externals",
        examples=REPO / "pd_externals" / "examples",
        models=REPO / "models",
        hardlink=args.hardlink,
    )
    print(
        f"{package.folder}: {len(package.externals)} externals, {len(package.patches)} patches, "
        f"{len(package.models)} model files, {len(package.libraries)} shared libraries "
        f"({', '.join(lib.name for lib in package.libraries)})"
    )
    if args.archive:
        dek = write_dek(package.folder, args.out, _version(), deken_arch())
        print(f"{dek}: {dek.stat().st_size / 1e6:.0f} MB")
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "pd-package",
        help="write a relocatable Pd library folder and its deken archive",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write timbre_rt/ and the .dek into (created if missing)",
    )
    p.add_argument(
        "--externals",
        type=Path,
        default=PD_EXTERNALS,
        metavar="DIR",
        help=f"where the built externals are (default: {PD_EXTERNALS})",
    )
    p.add_argument(
        "--no-archive",
        dest="archive",
        action="store_false",
        help="write the folder only, not the .dek (zipping libtorch takes a while)",
    )
    p.add_argument(
        "--hardlink",
        action="store_true",
        help="hard-link libtorch and the models instead of copying them where the "
        "filesystem allows (fast; files that get a new run path are always copied)",
    )
    p.set_defaults(handler=run)
    return p
