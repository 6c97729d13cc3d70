"""Builds the Pd library folder `<out>/timbre_rt/`:

    timbre_rt/
      encoder~.pd_linux  decoder~.pd_linux  timbre~.pd_linux   run path $ORIGIN/lib
      *-help.pd                                                   models at models/
      lib/        libtorch*.so, libc10.so, libgomp, libsamplerate  run path $ORIGIN
      models/     continuous.ts, discrete.ts, toy.ts, README.md
      examples/   the example patches (and their abstractions)     models at ../models/
      README.md

The folder is built beside its target and renamed into place when complete."""

import os
import shutil
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence

from ..errors import InputError, UsageError
from .libraries import SharedLibrary, bundled_libraries, run_path, set_run_path
from .readme import readme_text

__all__ = ["LIBRARY", "MODELS", "PdPackage", "build_package", "rewrite_model_paths"]

LIBRARY = "timbre_rt"
EXTERNALS = ("encoder~", "decoder~", "timbre~")
MODELS = ("continuous.ts", "discrete.ts", "toy.ts", "README.md")
REPO_MODELS = "../../models/"  # how patches in the repository (pd_externals/*, build/pd) reach models/


@dataclass
class PdPackage:
    folder: Path
    externals: List[Path] = field(default_factory=list)
    libraries: List[SharedLibrary] = field(default_factory=list)
    models: List[Path] = field(default_factory=list)
    patches: List[Path] = field(default_factory=list)


def _place(source: Path, target: Path, hardlink: bool) -> None:
    """Copy, or hard-link when asked and possible (same filesystem): only for files never
    rewritten afterwards, so that a link never changes the original."""
    if hardlink:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)


def rewrite_model_paths(text: str, models_from_patch: str) -> str:
    """A repository patch's model paths, as the same patch sees them inside the package."""
    return text.replace(REPO_MODELS, models_from_patch)


def _check_sources(externals: Path, help_dir: Path, examples: Path, models: Path) -> None:
    for name in EXTERNALS:
        if not (externals / f"{name}.pd_linux").is_file():
            raise InputError(
                f"{externals / (name + '.pd_linux')}: missing; build the externals first (scripts/setup.sh)"
            )
        if not (help_dir / f"{name}-help.pd").is_file():
            raise InputError(f"{help_dir / (name + '-help.pd')}: missing")
    for name in MODELS:
        if not (models / name).is_file():
            raise InputError(f"{models / name}: missing; the package ships it")
    if not examples.is_dir():
        raise InputError(f"{examples}: no examples folder")


def _copy_patch(source: Path, target: Path, models_from_patch: str) -> Path:
    target.write_text(rewrite_model_paths(source.read_text(), models_from_patch))
    return target


def _fill(folder: Path, externals: Path, help_dir: Path, examples: Path, models: Path, hardlink: bool) -> PdPackage:
    package = PdPackage(folder=folder)
    (folder / "lib").mkdir()
    (folder / "models").mkdir()
    (folder / "examples").mkdir()
    binaries = [externals / f"{name}.pd_linux" for name in EXTERNALS]
    package.libraries = bundled_libraries(binaries)
    for lib in package.libraries:
        target = folder / "lib" / lib.name
        if run_path(lib.path) in ("$ORIGIN", "$ORIGIN/"):
            _place(lib.path, target, hardlink)  # torch's own libraries already look beside themselves
        else:
            shutil.copy2(lib.path, target)  # a copy: its run path is rewritten
            set_run_path(target, "$ORIGIN")
    for binary in binaries:
        target = folder / binary.name
        shutil.copy2(binary, target)
        set_run_path(target, "$ORIGIN/lib")
        package.externals.append(target)
    for name in MODELS:
        _place(models / name, folder / "models" / name, hardlink)
        package.models.append(folder / "models" / name)
    for name in EXTERNALS:
        package.patches.append(_copy_patch(help_dir / f"{name}-help.pd", folder / f"{name}-help.pd", "models/"))
    for patch in sorted(examples.glob("*.pd")):
        package.patches.append(_copy_patch(patch, folder / "examples" / patch.name, "../models/"))
    (folder / "README.md").write_text(readme_text(package))
    return package


def build_package(
    out: Path, externals: Path, help_dir: Path, examples: Path, models: Path, hardlink: bool = False
) -> PdPackage:
    """Writes out/timbre_rt (replacing a package folder there, never anything else)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder")
    target = out / LIBRARY
    if target.exists() and not (target / "encoder~.pd_linux").exists():
        raise UsageError(
            f"--out {out}: {target} exists and is not a timbre_rt Pd package; remove it or choose another folder"
        )
    _check_sources(Path(externals), Path(help_dir), Path(examples), Path(models))
    try:
        out.mkdir(parents=True, exist_ok=True)
        partial = out / f".{LIBRARY}.{secrets.token_hex(4)}.partial"
        partial.mkdir()
    except OSError as e:
        raise UsageError(f"--out {out}: cannot write there ({e.strerror})") from None
    try:
        package = _fill(partial, Path(externals), Path(help_dir), Path(examples), Path(models), hardlink)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return _moved(package, partial, target)


def _moved(package: PdPackage, old: Path, new: Path) -> PdPackage:
    def move(paths: Sequence[Path]) -> List[Path]:
        return [new / p.relative_to(old) for p in paths]

    return PdPackage(
        folder=new,
        externals=move(package.externals),
        libraries=package.libraries,
        models=move(package.models),
        patches=move(package.patches),
    )
