"""The vocabulary of operator schemas, shared by the table, the blob and the generator.

``op_support.py`` describes each operator with these types, ``scripts/generate.py``
turns the table into ``op_schema.py`` (Python) and ``runtime/generated/*.inc``
(C++), and ``blob_format.py`` checks every op record against ``op_schema.py``.
Nothing here needs torch, so the blob tools run without it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Tuple

# ExecuTorch ScalarType codes of the dtypes the blob can describe.
SCALAR_TYPE_UINT8 = 0
SCALAR_TYPE_INT8 = 1
SCALAR_TYPE_INT32 = 3
SCALAR_TYPE_INT64 = 4
SCALAR_TYPE_FLOAT32 = 6

SCALAR_TYPE_NAMES = {
    SCALAR_TYPE_UINT8: "uint8",
    SCALAR_TYPE_INT8: "int8",
    SCALAR_TYPE_INT32: "int32",
    SCALAR_TYPE_INT64: "int64",
    SCALAR_TYPE_FLOAT32: "float32",
}


class AttrType(enum.IntEnum):
    """Type of an op attribute; the values are the attribute record's type codes."""

    INT = 1  # one i64
    FLOAT = 2  # one f64
    BOOL = 3  # one i64, 0 or 1
    INT_LIST = 4  # i64 each
    FLOAT_LIST = 5  # f64 each

    @property
    def is_list(self) -> bool:
        return self in (AttrType.INT_LIST, AttrType.FLOAT_LIST)

    @property
    def is_float(self) -> bool:
        return self in (AttrType.FLOAT, AttrType.FLOAT_LIST)


class ShapeRule(str, enum.Enum):
    """How an op's output shape follows from its inputs; both validators implement each.

    SAME: output 0 has input 0's shape. BROADCAST: inputs 0 and 1 broadcast like
    PyTorch. LINEAR: input [..., in], weight [out, in], optional bias [out] ->
    [..., out]. MM: [n, k] @ [k, m]. BMM: [b, n, k] @ [b, k, m].
    CONVOLUTION: input [n, c, *spatial] (1 or 2 spatial dims) and weight by
    the attributes stride, padding, dilation, transposed, output_padding,
    groups. POOL2D: input [n, c, h, w] (or [c, h, w]) by the attributes
    kernel_size, stride (empty: kernel_size), padding, dilation (if the op has
    it), ceil_mode. ADAPTIVE_POOL2D: input [n, c, h, w] (or [c, h, w]) with
    its last two dimensions replaced by the attribute output_size. REDUCE:
    input 0 reduced over the attribute dim (empty: all
    dimensions), keeping size-1 dimensions if the attribute keepdim is true.
    BATCH_NORM: input [n, c, ...] and every other present operand [c]; the
    output has the input's shape.
    LAYER_NORM: input [..., *normalized_shape] by the attribute
    normalized_shape; optional weight and bias of shape normalized_shape; the
    output has the input's shape.
    CAT: the variadic operand's tensors, of one rank, joined along the
    attribute dim; they agree on every other dimension.
    SPLIT: one output per entry of the attribute split_sizes, input 0 cut
    along the attribute dim; the sizes add up to that dimension.
    ATTENTION: query [..., l, e], key [..., s, e], value [..., s, ev], optional
    additive mask broadcastable to [..., l, s] -> [..., l, ev].
    ADDMM: self broadcastable to [n, m], mat1 [n, k], mat2 [k, m] -> [n, m].
    FULL: no operands; the output has the shape of the attribute size.

    Layout rules (the output holds the input's elements, rearranged):
    VIEW: the attribute size, with at most one -1 standing for the size that
    keeps the element count. PERMUTE: input dimension dims[d] becomes output
    dimension d; dims is a permutation. SQUEEZE: the dimensions listed in the
    attribute dims that have size 1 are removed. UNSQUEEZE: a size-1
    dimension is inserted at the attribute dim. EXPAND: input 0 broadcast to
    the attribute size (-1 keeps a dimension; new dimensions come first).
    SLICE: along the attribute dim, elements start, start + step, ... below
    end, with start and end clamped as PyTorch does. SELECT: the attribute
    dim removed, keeping the element at index.
    """

    SAME = "same"
    BROADCAST = "broadcast"
    LINEAR = "linear"
    MM = "mm"
    BMM = "bmm"
    CONVOLUTION = "convolution"
    POOL2D = "pool2d"
    ADAPTIVE_POOL2D = "adaptive_pool2d"
    REDUCE = "reduce"
    ALONG_DIM = "along_dim"
    BATCH_NORM = "batch_norm"
    LAYER_NORM = "layer_norm"
    CAT = "cat"
    SPLIT = "split"
    ATTENTION = "attention"
    ADDMM = "addmm"
    FULL = "full"
    # --- shape and layout rules
    VIEW = "view"
    PERMUTE = "permute"
    SQUEEZE = "squeeze"
    UNSQUEEZE = "unsqueeze"
    EXPAND = "expand"
    SLICE = "slice"
    SELECT = "select"


@dataclass(frozen=True)
class OperandSchema:
    """One tensor operand of an op record, in schema order.

    A variadic operand (a ``Tensor[]`` argument such as cat's) is the last
    one and takes one or more inputs of the op record.
    """

    name: str
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True)
class AttrSchema:
    """One attribute of an op record, in schema order."""

    name: str
    type: AttrType


@dataclass(frozen=True)
class OpSchema:
    """What the blob records about one opcode; generated from op_support.py."""

    opcode: int
    name: str
    operands: Tuple[OperandSchema, ...]
    num_outputs: int
    attrs: Tuple[AttrSchema, ...]
    shape_rule: ShapeRule
    dtypes: Tuple[int, ...]  # ScalarType codes the op's tensors may have
    # The op has an integer kernel run_<name>_int8, run when its output is int8.
    int8_kernel: bool = False
    # One or more outputs, as many as the attributes say (split); the shape
    # rule checks them all. Otherwise exactly num_outputs.
    variadic_outputs: bool = False

    @property
    def variadic_inputs(self) -> bool:
        """The last operand takes one or more inputs of the op record."""
        return bool(self.operands) and self.operands[-1].variadic

    @property
    def cpp_name(self) -> str:
        """CamelCase spelling used by the C++ side (``OpCode::Add``, ``run_add``)."""
        return camel_case(self.name)


def camel_case(name: str) -> str:
    """``"max_pool2d"`` -> ``"MaxPool2d"``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))
