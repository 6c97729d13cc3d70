"""`timbre-rt pd-package`: a relocatable Pd library folder (externals, help, examples, models,
the shared libraries they load) and its deken archive."""

from .archive import FLOAT_SIZE, deken_arch, dek_name, write_dek
from .layout import LIBRARY, MODELS, PdPackage, build_package, rewrite_model_paths
from .libraries import SYSTEM_LIBRARIES, SharedLibrary, bundled_libraries, needed, run_path

__all__ = [
    "FLOAT_SIZE",
    "LIBRARY",
    "MODELS",
    "PdPackage",
    "SYSTEM_LIBRARIES",
    "SharedLibrary",
    "build_package",
    "bundled_libraries",
    "deken_arch",
    "dek_name",
    "needed",
    "rewrite_model_paths",
    "run_path",
    "write_dek",
]
