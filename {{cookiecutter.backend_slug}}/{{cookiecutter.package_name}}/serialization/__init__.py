"""The delegate blob: FORMAT.md describes it, blob_format.py writes and reads it."""

from .blob_format import (
    FORMAT_VERSION,
    BlobFormatError,
    Constant,
    DelegateGraph,
    Op,
    QuantParams,
    TensorInfo,
    deserialize,
    element_size,
    serialize,
    validate,
)
from .op_schema import OP_SCHEMAS, Opcode
from .schema_types import AttrType, ShapeRule

__all__ = [
    "AttrType",
    "BlobFormatError",
    "Constant",
    "DelegateGraph",
    "FORMAT_VERSION",
    "OP_SCHEMAS",
    "Op",
    "Opcode",
    "QuantParams",
    "ShapeRule",
    "TensorInfo",
    "deserialize",
    "element_size",
    "serialize",
    "validate",
]
