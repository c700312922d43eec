"""The delegate blob: FORMAT.md describes it, blob_format.py writes and reads it."""

from .blob_format import (
    BlobFormatError,
    Constant,
    DelegateGraph,
    deserialize,
    FORMAT_VERSION,
    Op,
    Opcode,
    serialize,
    TensorInfo,
)

__all__ = [
    "BlobFormatError",
    "Constant",
    "DelegateGraph",
    "FORMAT_VERSION",
    "Op",
    "Opcode",
    "TensorInfo",
    "deserialize",
    "serialize",
]
