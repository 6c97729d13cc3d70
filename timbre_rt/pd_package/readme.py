"""The README.md that goes inside the Pd package."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # layout imports this module
    from .layout import PdPackage

__all__ = ["readme_text"]

TEXT = """\
# timbre_rt for Pure Data

Realtime timbre models in Pd: `[encoder~]`, `[decoder~]` and `[timbre~]`, with the shipped
models and example patches. Linux {arch}, Pd with 32-bit floats (the usual Pd, not Pd64).

## Install

Pd's *Help > Find externals* (deken) installs the `.dek` archive; by hand, put this folder
anywhere and either add it to Pd's path (*File > Preferences > Path*, or `pd -path <folder>`)
or put `[declare -path <folder>]` in a patch. The folder is self-contained: libtorch and
libsamplerate are in `lib/`, found through `$ORIGIN` run paths, so no Python, no virtual
environment and no `LD_LIBRARY_PATH` are needed, wherever the folder is moved.

## Objects

- `[encoder~ <model.ts> <buffer> <headroom>]`: audio in, one signal outlet per latent channel.
- `[decoder~ <model.ts> <buffer> <headroom>]`: one signal inlet per latent channel, audio out.
- `[timbre~ <model.ts> <method> <buffer> <headroom>]`: any method a model file exports
  (`forward`, `encode`, `decode`, the discrete model's `synthesize`, RAVE methods), with
  inlets and outlets as the method declares, like nn~'s `[nn~ model method]`.

Paths are relative to the patch. Right-click an object > Help for its messages (`load`,
`buffer`, `headroom`, `device`, `sync`, `info`...).

## Models (models/)

{models}

## Examples (examples/)

{examples}

## Shared libraries (lib/)

{libraries}

glibc and the C++ runtime (libstdc++, libgcc) are the system's. libtorch is BSD-licensed
(PyTorch), libsamplerate BSD-2-Clause.
"""


def readme_text(package: "PdPackage") -> str:
    from .archive import deken_arch

    return TEXT.format(
        arch=deken_arch(),
        models="\n".join(f"- `models/{p.name}`" for p in package.models),
        examples="\n".join(f"- `examples/{p.name}`" for p in package.patches if p.parent.name == "examples"),
        libraries="\n".join(f"- `lib/{lib.name}`" for lib in package.libraries),
    )
