"""YAML reading for every config and spec file: `1e9` is a number, errors name the file.

PyYAML follows YAML 1.1, where a float needs a dot (`1.0e9`): `1e9` and `2E-4`
come back as strings and are then reported as "not a number". The loader here
adds the YAML 1.2 float forms, which is what a user writing them means.
"""

import re
from pathlib import Path
from typing import Any, Union

import yaml

from ..errors import InputError

__all__ = ["load_yaml", "read_yaml_file"]

_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
    |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 floats (1e9, 2E-4)."""


# Replace the float resolver: the implicit resolvers are looked up by first character.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def load_yaml(text: str, where: str = "YAML") -> Any:
    """Parse YAML (or JSON) text; InputError (one line) naming `where` on bad syntax."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as e:
        raise InputError(f"{where}: not valid YAML/JSON: {' '.join(str(e).split())}") from None
    except (ValueError, TypeError, OverflowError) as e:  # a tagged or dated value it cannot build
        raise InputError(f"{where}: a value YAML cannot read: {e}") from None
    except RecursionError:
        raise InputError(f"{where}: nested too deeply") from None


def read_yaml_file(path: Union[str, Path], what: str = "file") -> Any:
    """Read and parse a YAML/JSON file; InputError names the file for every failure."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a {what}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (not UTF-8), so not a {what}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read the {what} ({e.strerror or e})") from None
    return load_yaml(text, str(path))
