"""The model file contract shared with the C++ host, and the exporter."""
from .export import ExportError, ExportReport, export_model
from .model import StreamingModel
from .spec import CONTRACT_VERSION, MethodSpec, ModelContract, read_contract

__all__ = [
    "CONTRACT_VERSION",
    "ExportError",
    "ExportReport",
    "MethodSpec",
    "ModelContract",
    "StreamingModel",
    "export_model",
    "read_contract",
]
