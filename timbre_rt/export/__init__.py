"""The model file contract shared with the C++ host, and the exporter."""

from .contract import CONTRACT_VERSION, MethodSpec, ModelContract, read_contract
from .export import ExportError, ExportReport, export_model
from .model import StreamingModel
from .module_info import ContractError

__all__ = [
    "CONTRACT_VERSION",
    "ContractError",
    "ExportError",
    "ExportReport",
    "MethodSpec",
    "ModelContract",
    "StreamingModel",
    "export_model",
    "read_contract",
]
