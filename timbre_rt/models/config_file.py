"""Reading a model config file: YAML text to a mapping, with errors that name the file."""
from pathlib import Path
from typing import Union


def read_config_mapping(path: Union[str, Path]) -> dict:
    """The top-level mapping of a YAML config file (empty file: {}).

    Raises ValueError naming the file when it is missing, not YAML, or not a mapping.
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ValueError(f"config file not found: {path}") from None
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data
