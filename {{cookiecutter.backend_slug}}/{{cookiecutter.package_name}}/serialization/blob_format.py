"""Writer and reader of the {{ cookiecutter.__backend_id }} delegate blob, format version 2.

FORMAT.md next to this file is the specification; this module follows it
field by field. ``serialize`` turns a :class:`DelegateGraph` into bytes and
``deserialize`` turns bytes back into a graph, refusing anything FORMAT.md says
a reader must refuse with a :class:`BlobFormatError`. Both run the same
:func:`validate`, which checks every op against its schema in ``op_schema.py``
(generated from ``op_support.py``), so the writer can never produce a blob the
reader rejects.

The module needs neither torch nor ExecuTorch, so it also works as a small
inspection tool::

    python -m {{ cookiecutter.package_name }}.serialization delegate.bin
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from .op_schema import OP_SCHEMAS, Opcode
from .schema_types import (
    SCALAR_TYPE_FLOAT32,
    SCALAR_TYPE_INT8,
    SCALAR_TYPE_INT32,
    SCALAR_TYPE_INT64,
    SCALAR_TYPE_NAMES,
    SCALAR_TYPE_UINT8,
    AttrType,
    OperandSchema,
    OpSchema,
    ShapeRule,
)

MAGIC = b"ETRB"
FORMAT_VERSION = 2
MAX_RANK = 8
# An absent optional operand in the tensor refs.
NO_TENSOR = 0xFFFFFFFF
# The shape rules whose attribute ``size`` may hold dimension references.
SIZE_REFERENCE_RULES = frozenset({ShapeRule.FULL, ShapeRule.VIEW, ShapeRule.EXPAND})

QUANT_NONE = 0
QUANT_PER_TENSOR = 1
QUANT_PER_CHANNEL = 2

_ELEMENT_SIZE = {
    SCALAR_TYPE_UINT8: 1,
    SCALAR_TYPE_INT8: 1,
    SCALAR_TYPE_INT32: 4,
    SCALAR_TYPE_INT64: 8,
    SCALAR_TYPE_FLOAT32: 4,
}
# dtype -> (lowest, highest) zero point; int32 (bias) tensors use 0.
_ZERO_POINT_RANGE = {
    SCALAR_TYPE_UINT8: (0, 255),
    SCALAR_TYPE_INT8: (-128, 127),
    SCALAR_TYPE_INT32: (0, 0),
}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_HEADER = struct.Struct("<4s13IQ")
_TENSOR = struct.Struct("<II8I6I")
_OP = struct.Struct("<10I")
_ATTR = struct.Struct("<4I")
_QPARAM = struct.Struct("<fi")
_CONSTANT = struct.Struct("<IIIIQ")

HEADER_SIZE = _HEADER.size
TENSOR_RECORD_SIZE = _TENSOR.size
OP_RECORD_SIZE = _OP.size
ATTR_RECORD_SIZE = _ATTR.size
QPARAM_RECORD_SIZE = _QPARAM.size
CONSTANT_RECORD_SIZE = _CONSTANT.size
assert (HEADER_SIZE, TENSOR_RECORD_SIZE, OP_RECORD_SIZE, ATTR_RECORD_SIZE) == (64, 64, 40, 16)
assert (QPARAM_RECORD_SIZE, CONSTANT_RECORD_SIZE) == (8, 24)

AttrValue = Union[int, float, bool, Tuple[int, ...], Tuple[float, ...]]


class BlobFormatError(ValueError):
    """A blob (or a graph about to become one) that breaks FORMAT.md."""


def element_size(dtype: int) -> int:
    """Bytes per element of an ExecuTorch ScalarType code the format allows."""
    if dtype not in _ELEMENT_SIZE:
        raise BlobFormatError(f"dtype {dtype} is not one of {_dtype_list()}")
    return _ELEMENT_SIZE[dtype]


def _dtype_list() -> str:
    return ", ".join(f"{code} ({name})" for code, name in SCALAR_TYPE_NAMES.items())


def _dtype_name(dtype: int) -> str:
    return SCALAR_TYPE_NAMES.get(dtype, f"dtype {dtype}")


@dataclass(frozen=True)
class QuantParams:
    """Affine quantization of a tensor: per-tensor when ``axis`` is None."""

    scales: Tuple[float, ...]
    zero_points: Tuple[int, ...]
    axis: Optional[int] = None

    @property
    def scheme(self) -> int:
        return QUANT_PER_TENSOR if self.axis is None else QUANT_PER_CHANNEL


@dataclass(frozen=True)
class TensorInfo:
    """One tensor record: a contiguous tensor of ``sizes`` and ``dtype``."""

    sizes: Tuple[int, ...]
    dtype: int = SCALAR_TYPE_FLOAT32
    quant: Optional[QuantParams] = None
    # Bit d set: sizes[d] is an upper bound, each call brings its own size (FORMAT.md).
    dynamic_dims: int = 0

    @property
    def rank(self) -> int:
        return len(self.sizes)

    @property
    def nbytes(self) -> int:
        return math.prod(self.sizes) * _ELEMENT_SIZE.get(self.dtype, 0)


@dataclass(frozen=True)
class Op:
    """One op record. ``inputs`` follow the schema's operands (None: an absent
    optional operand); ``attrs`` hold plain values in schema order; ``name`` is
    empty unless debug names were kept."""

    opcode: int
    inputs: Tuple[Optional[int], ...]
    outputs: Tuple[int, ...]
    attrs: Tuple[AttrValue, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Constant:
    """One constant record: ``tensor_id`` is filled from named data ``key``."""

    tensor_id: int
    key: str
    nbytes: int


@dataclass
class DelegateGraph:
    """Everything one blob holds, with strings resolved."""

    tensors: List[TensorInfo] = field(default_factory=list)
    ops: List[Op] = field(default_factory=list)
    inputs: List[int] = field(default_factory=list)
    outputs: List[int] = field(default_factory=list)
    constants: List[Constant] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Validation shared by the writer and the reader.
# ---------------------------------------------------------------------------


def schema_of(opcode: int, what: str = "op") -> OpSchema:
    """The schema of ``opcode``, or a BlobFormatError naming the known ones."""
    schema = OP_SCHEMAS.get(opcode)
    if schema is None:
        known = ", ".join(f"{s.opcode} ({s.name})" for s in OP_SCHEMAS.values())
        raise BlobFormatError(f"{what} has unknown opcode {opcode}; known: {known}")
    return schema


def validate(graph: DelegateGraph) -> None:
    """Raise BlobFormatError unless ``graph`` obeys every rule of FORMAT.md."""
    num_tensors = len(graph.tensors)
    for tensor_id, tensor in enumerate(graph.tensors):
        _check_tensor(tensor_id, tensor)

    # Each tensor has exactly one source: an input, a constant or one op.
    source: Dict[int, str] = {}

    def claim(tensor_id: int, what: str) -> None:
        _check_index(tensor_id, num_tensors, what)
        if tensor_id in source:
            raise BlobFormatError(
                f"tensor {tensor_id} is both {source[tensor_id]} and {what}; "
                "a tensor is exactly one of an input, a constant or one op's output"
            )
        source[tensor_id] = what

    for position, tensor_id in enumerate(graph.inputs):
        claim(tensor_id, f"input {position}")
    for position, constant in enumerate(graph.constants):
        claim(constant.tensor_id, f"constant {position}")
        _check_constant(position, constant, graph.tensors[constant.tensor_id])

    available = set(source)
    for op_index, op in enumerate(graph.ops):
        schema = schema_of(op.opcode, f"op {op_index}")
        what = f"op {op_index} ({schema.name})"
        _check_op_fields(what, op, schema)
        for slot, tensor_id in enumerate(op.inputs):
            if tensor_id is None:
                continue
            operand = f"{what} operand {operand_of(schema, slot).name}"
            _check_index(tensor_id, num_tensors, operand)
            if tensor_id not in available:
                raise BlobFormatError(
                    f"{operand} reads tensor {tensor_id} before it is produced; an op may "
                    "read only inputs, constants and outputs of earlier ops"
                )
        for slot, tensor_id in enumerate(op.outputs):
            claim(tensor_id, f"output {slot} of {what}")
        _check_op_dtypes(what, op, schema, graph.tensors)
        _check_op_shapes(what, op, schema, graph.tensors, graph.inputs)
        available.update(op.outputs)

    for tensor_id in range(num_tensors):
        if tensor_id not in source:
            raise BlobFormatError(
                f"tensor {tensor_id} is neither an input, a constant nor an op output"
            )
    for position, tensor_id in enumerate(graph.outputs):
        _check_index(tensor_id, num_tensors, f"output {position}")


def dimension_reference(tensor_id: int, dim: int) -> int:
    """The entry of a ``size`` attribute that stands for the size of delegate input
    ``tensor_id`` in dimension ``dim`` on each call: ``-2 - (8 * tensor_id + dim)``
    (FORMAT.md, "Dimension references")."""
    if not 0 <= dim < MAX_RANK or tensor_id < 0:
        raise ValueError(f"no dimension reference to dimension {dim} of tensor {tensor_id}")
    return -2 - (tensor_id * MAX_RANK + dim)


def referenced_dimension(entry: int) -> Tuple[int, int]:
    """(tensor id, dimension) of a dimension reference, a ``size`` entry below -1."""
    return divmod(-2 - entry, MAX_RANK)


def resolve_size(
    what: str, size: Sequence[int], tensors: Sequence[TensorInfo], inputs: Sequence[int]
) -> Tuple[int, ...]:
    """Attribute ``size`` with each dimension reference replaced by the size it names."""
    resolved = []
    for entry in size:
        if entry >= -1:
            resolved.append(entry)
            continue
        tensor_id, dim = referenced_dimension(entry)
        if tensor_id not in inputs or dim >= tensors[tensor_id].rank:
            raise BlobFormatError(
                f"{what} attribute size has {entry}, a reference to dimension {dim} of "
                f"tensor {tensor_id}; a reference names a dimension of a delegate input"
            )
        resolved.append(tensors[tensor_id].sizes[dim])
    return tuple(resolved)


def _check_index(index: int, count: int, what: str) -> None:
    if not isinstance(index, int) or not 0 <= index < count:
        raise BlobFormatError(f"{what} refers to tensor {index}, but there are {count} tensors")


def _check_tensor(tensor_id: int, tensor: TensorInfo) -> None:
    what = f"tensor {tensor_id}"
    if tensor.dtype not in _ELEMENT_SIZE:
        raise BlobFormatError(f"{what} has dtype {tensor.dtype}; the format allows {_dtype_list()}")
    if tensor.rank > MAX_RANK:
        raise BlobFormatError(f"{what} has rank {tensor.rank}; the maximum is {MAX_RANK}")
    if any(size < 0 or size > 0xFFFFFFFF for size in tensor.sizes):
        raise BlobFormatError(f"{what} has sizes {list(tensor.sizes)} outside u32")
    if tensor.dynamic_dims >> tensor.rank:
        raise BlobFormatError(
            f"{what} has dynamic_dims {tensor.dynamic_dims:#x}, which marks dimensions "
            f"beyond its rank {tensor.rank}"
        )
    quant = tensor.quant
    if quant is None:
        return
    if tensor.dtype not in _ZERO_POINT_RANGE:
        raise BlobFormatError(
            f"{what} is quantized but has dtype {_dtype_name(tensor.dtype)}; "
            "only int8, uint8 and int32 tensors carry quantization parameters"
        )
    if len(quant.scales) != len(quant.zero_points):
        raise BlobFormatError(
            f"{what} has {len(quant.scales)} scales but {len(quant.zero_points)} zero points"
        )
    if quant.axis is None:
        expected = 1
    else:
        if not 0 <= quant.axis < tensor.rank:
            raise BlobFormatError(
                f"{what} is quantized per channel along axis {quant.axis}; its rank is {tensor.rank}"
            )
        if tensor.dynamic_dims >> quant.axis & 1:
            raise BlobFormatError(
                f"{what} is quantized per channel along axis {quant.axis}, which is dynamic; "
                "the channel dimension must be static"
            )
        expected = tensor.sizes[quant.axis]
    if len(quant.scales) != expected:
        kind = "per tensor" if quant.axis is None else f"per channel along axis {quant.axis}"
        raise BlobFormatError(
            f"{what} is quantized {kind} and needs {expected} scales, got {len(quant.scales)}"
        )
    low, high = _ZERO_POINT_RANGE[tensor.dtype]
    for index, (scale, zero_point) in enumerate(zip(quant.scales, quant.zero_points)):
        if not (math.isfinite(scale) and scale > 0):
            raise BlobFormatError(f"{what} scale {index} is {scale}; scales are finite and > 0")
        if not low <= zero_point <= high:
            raise BlobFormatError(
                f"{what} zero point {index} is {zero_point}, outside {low}..{high} "
                f"({_dtype_name(tensor.dtype)})"
            )


def _check_constant(position: int, constant: Constant, tensor: TensorInfo) -> None:
    if not constant.key:
        raise BlobFormatError(f"constant {position} has an empty key")
    if tensor.dynamic_dims:
        raise BlobFormatError(
            f"constant {position} fills tensor {constant.tensor_id}, which has dynamic_dims "
            f"{tensor.dynamic_dims:#x}; constants have static shapes"
        )
    if constant.nbytes != tensor.nbytes:
        raise BlobFormatError(
            f"constant {position} has nbytes {constant.nbytes}, but tensor "
            f"{constant.tensor_id} {list(tensor.sizes)} ({_dtype_name(tensor.dtype)}) "
            f"needs {tensor.nbytes}"
        )


def _check_attr(what: str, attr_type: AttrType, value: AttrValue) -> None:
    def number(item: object, floats: bool) -> None:
        if floats:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise BlobFormatError(f"{what} is {item!r}; it takes a float")
            if math.isnan(item):
                raise BlobFormatError(f"{what} is NaN; NaN is not allowed")
        else:
            if isinstance(item, bool) or not isinstance(item, int):
                raise BlobFormatError(f"{what} is {item!r}; it takes an int")
            if not _INT64_MIN <= item <= _INT64_MAX:
                raise BlobFormatError(f"{what} is {item}, outside int64")

    if attr_type is AttrType.BOOL:
        if not isinstance(value, bool):
            raise BlobFormatError(f"{what} is {value!r}; it takes a bool")
    elif attr_type.is_list:
        if not isinstance(value, (tuple, list)):
            raise BlobFormatError(f"{what} is {value!r}; it takes a list")
        for item in value:
            number(item, attr_type.is_float)
    else:
        number(value, attr_type.is_float)


def operand_of(schema: OpSchema, slot: int) -> OperandSchema:
    """The operand an op record's input ``slot`` belongs to (a variadic one takes the rest)."""
    return schema.operands[min(slot, len(schema.operands) - 1)]


def _check_op_fields(what: str, op: Op, schema: OpSchema) -> None:
    count_ok = (
        len(op.inputs) >= len(schema.operands)
        if schema.variadic_inputs
        else len(op.inputs) == len(schema.operands)
    )
    if not count_ok:
        names = ", ".join(o.name + ("..." if o.variadic else "") for o in schema.operands)
        least = "at least " if schema.variadic_inputs else ""
        raise BlobFormatError(
            f"{what} has {len(op.inputs)} inputs; it takes {least}{len(schema.operands)} ({names})"
        )
    for slot, tensor_id in enumerate(op.inputs):
        operand = operand_of(schema, slot)
        if tensor_id is None and not operand.optional:
            raise BlobFormatError(f"{what} operand {operand.name} is absent; it is not optional")
    outputs_ok = (
        len(op.outputs) >= 1 if schema.variadic_outputs else len(op.outputs) == schema.num_outputs
    )
    if not outputs_ok:
        expected = "one or more" if schema.variadic_outputs else str(schema.num_outputs)
        raise BlobFormatError(f"{what} has {len(op.outputs)} outputs; it produces {expected}")
    if len(op.attrs) != len(schema.attrs):
        names = ", ".join(a.name for a in schema.attrs) or "none"
        raise BlobFormatError(
            f"{what} has {len(op.attrs)} attributes; it takes {len(schema.attrs)} ({names})"
        )
    for value, attr in zip(op.attrs, schema.attrs):
        _check_attr(f"{what} attribute {attr.name}", attr.type, value)


def _check_op_dtypes(what: str, op: Op, schema: OpSchema, tensors: Sequence[TensorInfo]) -> None:
    for tensor_id in (*op.inputs, *op.outputs):
        if tensor_id is None:
            continue
        dtype = tensors[tensor_id].dtype
        if dtype not in schema.dtypes:
            allowed = ", ".join(_dtype_name(d) for d in schema.dtypes)
            raise BlobFormatError(
                f"{what} uses tensor {tensor_id} of dtype {_dtype_name(dtype)}; it takes {allowed}"
            )
    _check_op_quantization(what, op, schema, tensors)


def _check_op_quantization(
    what: str, op: Op, schema: OpSchema, tensors: Sequence[TensorInfo]
) -> None:
    """The dtype and quantization rules of FORMAT.md's "Quantized ops" (as the C++ parser)."""
    out = tensors[op.outputs[0]]
    if schema.int8_kernel:
        int8 = out.dtype == SCALAR_TYPE_INT8
        if int8 and (out.quant is None or out.quant.axis is not None):
            raise BlobFormatError(f"{what}: an int8 output must be quantized per tensor")
        attrs = {attr.name: value for attr, value in zip(schema.attrs, op.attrs)}
        if int8 and schema.shape_rule is ShapeRule.CONVOLUTION and attrs.get("transposed"):
            # Its weight's axis 0 is the input channels (see convolution_int8).
            raise BlobFormatError(f"{what}: a transposed convolution computes in float32, not int8")
        for slot, tensor_id in enumerate(op.inputs):
            if tensor_id is None:
                continue
            tensor = tensors[tensor_id]
            operand = f"{what} operand {schema.operands[slot].name}"
            bias = schema.operands[slot].optional and slot + 1 == len(schema.operands)
            if not int8:
                if tensor.dtype != out.dtype:
                    raise BlobFormatError(
                        f"{operand} has dtype {_dtype_name(tensor.dtype)}; the op computes in "
                        f"{_dtype_name(out.dtype)} (its output's)"
                    )
                continue
            expected = SCALAR_TYPE_INT32 if bias else SCALAR_TYPE_INT8
            if tensor.dtype != expected or tensor.quant is None:
                raise BlobFormatError(
                    f"{operand} must be a quantized {_dtype_name(expected)} tensor for the int8 kernel"
                )
            weight = slot == 1 and schema.shape_rule in (ShapeRule.LINEAR, ShapeRule.CONVOLUTION)
            if tensor.quant.axis is not None and (not (weight or bias) or tensor.quant.axis != 0):
                raise BlobFormatError(
                    f"{operand} is quantized per channel; the int8 kernel takes that only for a "
                    "linear or convolution weight or bias, along axis 0"
                )
            if bias and any(tensor.quant.zero_points):
                raise BlobFormatError(f"{operand}: an int32 bias has zero point 0")
        return
    if SCALAR_TYPE_INT8 in schema.dtypes and len(op.inputs) == 1 and len(op.outputs) == 1:
        # A converting op reads its schema's first dtype and writes the second.
        source = tensors[op.inputs[0]]
        reads, writes = schema.dtypes
        if (source.dtype, out.dtype) != (reads, writes):
            raise BlobFormatError(
                f"{what} converts {_dtype_name(source.dtype)} to {_dtype_name(out.dtype)}; "
                f"it converts {_dtype_name(reads)} to {_dtype_name(writes)}"
            )
        quantize = out.dtype == SCALAR_TYPE_INT8
        # Per channel only for a constant input: checked by validate() (it knows the constants).
        quantized = out if quantize else source
        if quantized.quant is None or (quantize and quantized.quant.axis is not None):
            raise BlobFormatError(
                f"{what}: its int8 tensor must be quantized, per tensor unless it is a constant input"
            )
        return
    for tensor_id in op.inputs:
        if tensor_id is not None and tensors[tensor_id].dtype != out.dtype:
            raise BlobFormatError(f"{what}: its operands and output must have one dtype")


def broadcast_shapes(what: str, a: Sequence[int], b: Sequence[int]) -> Tuple[int, ...]:
    result = []
    for index in range(1, max(len(a), len(b)) + 1):
        x = a[-index] if index <= len(a) else 1
        y = b[-index] if index <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise BlobFormatError(f"{what} cannot broadcast {list(a)} with {list(b)}")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))


def expected_output_shape(
    what: str,
    rule: ShapeRule,
    shapes: Sequence[Optional[Tuple[int, ...]]],
    attrs: Optional[Dict[str, Any]] = None,
) -> Tuple[int, ...]:
    """Output 0's shape under ``rule`` for operand shapes (None: absent) and attributes by name."""
    attrs = attrs or {}
    if rule is ShapeRule.SAME:
        return tuple(shapes[0])
    if rule is ShapeRule.BROADCAST:
        return broadcast_shapes(what, shapes[0], shapes[1])
    if rule is ShapeRule.LINEAR:
        x, weight = shapes[0], shapes[1]
        if len(weight) != 2 or len(x) < 1 or x[-1] != weight[1]:
            raise BlobFormatError(
                f"{what} needs input [..., in] and weight [out, in], got {list(x)} and {list(weight)}"
            )
        if len(shapes) > 2 and shapes[2] is not None and tuple(shapes[2]) != (weight[0],):
            raise BlobFormatError(f"{what} needs bias [{weight[0]}], got {list(shapes[2])}")
        return tuple(x[:-1]) + (weight[0],)
    if rule in (ShapeRule.MM, ShapeRule.BMM):
        a, b = shapes[0], shapes[1]
        rank = 2 if rule is ShapeRule.MM else 3
        batch_ok = rank == 2 or (len(a) == 3 and len(b) == 3 and a[0] == b[0])
        if len(a) != rank or len(b) != rank or a[-1] != b[-2] or not batch_ok:
            layout = "[n, k] and [k, m]" if rank == 2 else "[b, n, k] and [b, k, m]"
            raise BlobFormatError(f"{what} needs {layout}, got {list(a)} and {list(b)}")
        return tuple(a[:-1]) + (b[-1],)
    if rule is ShapeRule.CONVOLUTION:
        return convolution_output_shape(what, shapes, attrs)
    if rule is ShapeRule.POOL2D:
        return pool2d_output_shape(what, shapes[0], attrs)
    if rule is ShapeRule.ADAPTIVE_POOL2D:
        return adaptive_pool2d_output_shape(what, shapes[0], attrs)
    if rule is ShapeRule.REDUCE:
        return reduce_output_shape(what, shapes[0], attrs)
    if rule is ShapeRule.ALONG_DIM:
        return along_dim_output_shape(what, shapes[0], attrs)
    if rule is ShapeRule.BATCH_NORM:
        return batch_norm_output_shape(what, shapes)
    if rule is ShapeRule.LAYER_NORM:
        return layer_norm_output_shape(what, shapes, attrs)
    if rule is ShapeRule.CAT:
        return cat_output_shape(what, shapes, attrs)
    if rule is ShapeRule.SPLIT:
        return split_output_shapes(what, shapes[0], attrs)[0]
    if rule is ShapeRule.ATTENTION:
        return attention_output_shape(what, shapes)
    if rule is ShapeRule.ADDMM:
        return addmm_output_shape(what, shapes)
    if rule is ShapeRule.FULL:
        return full_output_shape(what, attrs)
    layout_rule = _LAYOUT_RULES.get(rule)
    if layout_rule is not None:
        return layout_rule(what, tuple(shapes[0]), attrs)
    raise BlobFormatError(f"{what} has shape rule {rule!r}, which this reader does not know")


def _spatial_list(
    what: str, attrs: Dict[str, Any], name: str, spatial: int, minimum: int
) -> Tuple[int, ...]:
    values = tuple(attrs[name])
    if len(values) != spatial or any(v < minimum for v in values):
        raise BlobFormatError(
            f"{what} attribute {name} is {list(values)}; it needs {spatial} values >= {minimum}"
        )
    return values


def convolution_output_shape(
    what: str, shapes: Sequence[Optional[Tuple[int, ...]]], attrs: Dict[str, Any]
) -> Tuple[int, ...]:
    """aten.convolution: input [n, c_in, *spatial], weight [c_out, c_in / groups, *kernel]
    ([c_in, c_out / groups, *kernel] when transposed), optional bias [c_out]."""
    x, weight = tuple(shapes[0]), tuple(shapes[1])
    spatial = len(x) - 2
    if spatial not in (1, 2) or len(weight) != len(x):
        raise BlobFormatError(
            f"{what} needs input [n, c, *spatial] with 1 or 2 spatial dimensions and a weight of the "
            f"same rank, got {list(x)} and {list(weight)}"
        )
    groups = attrs["groups"]
    transposed = bool(attrs["transposed"])
    stride = _spatial_list(what, attrs, "stride", spatial, 1)
    padding = _spatial_list(what, attrs, "padding", spatial, 0)
    dilation = _spatial_list(what, attrs, "dilation", spatial, 1)
    output_padding = _spatial_list(what, attrs, "output_padding", spatial, 0)
    if groups < 1 or x[1] % groups != 0:
        raise BlobFormatError(
            f"{what} has groups {groups}, which does not divide {x[1]} input channels"
        )
    if transposed:
        if weight[0] != x[1]:
            raise BlobFormatError(
                f"{what} needs weight [{x[1]}, c_out / groups, ...], got {list(weight)}"
            )
        out_channels = weight[1] * groups
        if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
            raise BlobFormatError(
                f"{what} output_padding {list(output_padding)} must be below stride or dilation"
            )
        sizes = tuple(
            (i - 1) * s - 2 * p + d * (k - 1) + op + 1
            for i, s, p, d, k, op in zip(
                x[2:], stride, padding, dilation, weight[2:], output_padding
            )
        )
    else:
        if weight[1] * groups != x[1] or weight[0] % groups != 0:
            raise BlobFormatError(
                f"{what} needs weight [c_out, {x[1] // groups}, ...] with c_out divisible by groups "
                f"{groups}, got {list(weight)}"
            )
        if any(op != 0 for op in output_padding):
            raise BlobFormatError(
                f"{what} has output_padding {list(output_padding)} without transposed"
            )
        out_channels = weight[0]
        sizes = tuple(
            (i + 2 * p - d * (k - 1) - 1) // s + 1 if i + 2 * p - d * (k - 1) - 1 >= 0 else 0
            for i, s, p, d, k in zip(x[2:], stride, padding, dilation, weight[2:])
        )
    if any(size < 1 for size in sizes):
        raise BlobFormatError(f"{what} gives an empty output {list(sizes)} for input {list(x)}")
    if len(shapes) > 2 and shapes[2] is not None and tuple(shapes[2]) != (out_channels,):
        raise BlobFormatError(f"{what} needs bias [{out_channels}], got {list(shapes[2])}")
    return (x[0], out_channels) + sizes


def pool2d_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Pooling over the last two dimensions of [n, c, h, w] or [c, h, w]."""
    if len(x) not in (3, 4):
        raise BlobFormatError(f"{what} needs input [n, c, h, w] or [c, h, w], got {list(x)}")
    kernel = _spatial_list(what, attrs, "kernel_size", 2, 1)
    stride = tuple(attrs["stride"]) or kernel
    stride = _spatial_list(what, {"stride": stride}, "stride", 2, 1)
    padding = _spatial_list(what, attrs, "padding", 2, 0)
    dilation = _spatial_list(what, attrs, "dilation", 2, 1) if "dilation" in attrs else (1, 1)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise BlobFormatError(
            f"{what} padding {list(padding)} must be at most half of kernel_size {list(kernel)}"
        )
    sizes = []
    for i, k, s, p, d in zip(x[-2:], kernel, stride, padding, dilation):
        span = i + 2 * p - d * (k - 1) - 1
        if span < 0:
            raise BlobFormatError(
                f"{what}: kernel_size {list(kernel)} is larger than the padded input {list(x)}"
            )
        size = (span + (s - 1 if attrs["ceil_mode"] else 0)) // s + 1
        if attrs["ceil_mode"] and (size - 1) * s >= i + p:
            size -= 1  # the last window must start inside the input or left padding
        sizes.append(size)
    return tuple(x[:-2]) + tuple(sizes)


def adaptive_pool2d_output_shape(
    what: str, x: Tuple[int, ...], attrs: Dict[str, Any]
) -> Tuple[int, ...]:
    """[n, c, h, w] or [c, h, w] pooled to [..., *output_size]; h and w at least 1."""
    if len(x) not in (3, 4):
        raise BlobFormatError(f"{what} needs input [n, c, h, w] or [c, h, w], got {list(x)}")
    if 0 in x[-2:]:
        raise BlobFormatError(f"{what} needs an input of height and width >= 1, got {list(x)}")
    return tuple(x[:-2]) + _spatial_list(what, attrs, "output_size", 2, 1)


def batch_norm_output_shape(
    what: str, shapes: Sequence[Optional[Tuple[int, ...]]]
) -> Tuple[int, ...]:
    """Input [n, c, ...]; each other present operand (weight, bias, mean, var) [c]."""
    x = tuple(shapes[0])
    if len(x) < 2:
        raise BlobFormatError(f"{what} needs input [n, c, ...], got {list(x)}")
    for shape in shapes[1:]:
        if shape is not None and tuple(shape) != (x[1],):
            raise BlobFormatError(f"{what} needs per-channel operands [{x[1]}], got {list(shape)}")
    return x


def along_dim_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input 0's shape; the attribute dim must be one of its dimensions (rank 0 counts as 1)."""
    rank = max(len(x), 1)
    if not -rank <= attrs["dim"] < rank:
        raise BlobFormatError(
            f"{what} attribute dim is {attrs['dim']}, outside the input's rank {len(x)}"
        )
    return tuple(x)


def reduce_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input reduced over ``dim`` (empty: every dimension), size-1 dimensions kept if keepdim."""
    rank = len(x)
    dims = set()
    for dim in attrs["dim"]:
        if not -max(rank, 1) <= dim < max(rank, 1):
            raise BlobFormatError(
                f"{what} attribute dim has {dim}, outside the input's rank {rank}"
            )
        dims.add(dim % max(rank, 1))
    if len(dims) != len(attrs["dim"]):
        raise BlobFormatError(f"{what} attribute dim {list(attrs['dim'])} names a dimension twice")
    if not dims:
        dims = set(range(rank))
    if attrs["keepdim"]:
        return tuple(1 if d in dims else size for d, size in enumerate(x))
    return tuple(size for d, size in enumerate(x) if d not in dims)


def layer_norm_output_shape(
    what: str, shapes: Sequence[Optional[Tuple[int, ...]]], attrs: Dict[str, Any]
) -> Tuple[int, ...]:
    """Input [..., *normalized_shape]; optional weight and bias of shape normalized_shape."""
    x, normalized = tuple(shapes[0]), tuple(attrs["normalized_shape"])
    if not normalized or len(normalized) > len(x) or x[len(x) - len(normalized) :] != normalized:
        raise BlobFormatError(
            f"{what} attribute normalized_shape {list(normalized)} is not the trailing "
            f"dimensions of the input {list(x)}"
        )
    for shape in shapes[1:]:
        if shape is not None and tuple(shape) != normalized:
            raise BlobFormatError(
                f"{what} needs weight and bias {list(normalized)}, got {list(shape)}"
            )
    return x


def cat_output_shape(
    what: str, shapes: Sequence[Optional[Tuple[int, ...]]], attrs: Dict[str, Any]
) -> Tuple[int, ...]:
    """The tensors, all of one rank (at least 1), joined along dim; equal elsewhere."""
    first = tuple(shapes[0])
    if not first:
        raise BlobFormatError(f"{what} cannot join rank-0 tensors")
    dim = _dim_index(what, "dim", attrs["dim"], len(first))
    total = 0
    for shape in shapes:
        shape = tuple(shape)
        if (
            len(shape) != len(first)
            or shape[:dim] + shape[dim + 1 :] != first[:dim] + first[dim + 1 :]
        ):
            raise BlobFormatError(
                f"{what} cannot join {list(first)} and {list(shape)} along dimension {dim}"
            )
        total += shape[dim]
    return first[:dim] + (total,) + first[dim + 1 :]


def split_output_shapes(
    what: str, x: Tuple[int, ...], attrs: Dict[str, Any]
) -> List[Tuple[int, ...]]:
    """Input cut along dim into pieces of split_sizes, which add up to that dimension."""
    x = tuple(x)
    if not x:
        raise BlobFormatError(f"{what} cannot split a rank-0 tensor")
    dim = _dim_index(what, "dim", attrs["dim"], len(x))
    sizes = tuple(attrs["split_sizes"])
    if not sizes or any(size < 0 for size in sizes) or sum(sizes) != x[dim]:
        raise BlobFormatError(
            f"{what} attribute split_sizes {list(sizes)} does not cut dimension {dim} of {list(x)}"
        )
    return [x[:dim] + (size,) + x[dim + 1 :] for size in sizes]


def attention_output_shape(
    what: str, shapes: Sequence[Optional[Tuple[int, ...]]]
) -> Tuple[int, ...]:
    """query [..., l, e], key [..., s, e], value [..., s, ev], mask broadcastable to [..., l, s]."""
    q, k, v = (tuple(shape) for shape in shapes[:3])
    if (
        len(q) < 2
        or len(k) != len(q)
        or len(v) != len(q)
        or q[:-2] != k[:-2]
        or q[:-2] != v[:-2]
        or k[-1] != q[-1]
        or v[-2] != k[-2]
    ):
        raise BlobFormatError(
            f"{what} needs query [..., l, e], key [..., s, e] and value [..., s, ev] with the same "
            f"batch dimensions, got {list(q)}, {list(k)} and {list(v)}"
        )
    scores = q[:-1] + (k[-2],)
    mask = shapes[3] if len(shapes) > 3 else None
    if mask is not None and (
        len(mask) > len(scores) or broadcast_shapes(what, mask, scores) != scores
    ):
        raise BlobFormatError(f"{what} cannot broadcast the mask {list(mask)} to {list(scores)}")
    return q[:-1] + (v[-1],)


def addmm_output_shape(what: str, shapes: Sequence[Optional[Tuple[int, ...]]]) -> Tuple[int, ...]:
    """self broadcastable to [n, m], mat1 [n, k], mat2 [k, m] -> [n, m]."""
    bias, a, b = (tuple(shape) for shape in shapes[:3])
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        raise BlobFormatError(
            f"{what} needs mat1 [n, k] and mat2 [k, m], got {list(a)} and {list(b)}"
        )
    out = (a[0], b[1])
    if len(bias) > 2 or broadcast_shapes(what, bias, out) != out:
        raise BlobFormatError(f"{what} cannot broadcast self {list(bias)} to {list(out)}")
    return out


def full_output_shape(what: str, attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """The attribute size, each entry >= 0."""
    size = tuple(attrs["size"])
    if len(size) > MAX_RANK or any(s < 0 for s in size):
        raise BlobFormatError(
            f"{what} attribute size {list(size)} is not a shape of rank <= {MAX_RANK}"
        )
    return size


def expected_output_shapes(
    what: str,
    rule: ShapeRule,
    shapes: Sequence[Optional[Tuple[int, ...]]],
    attrs: Dict[str, Any],
) -> List[Tuple[int, ...]]:
    """The shape of every output the rule fixes: all of them for SPLIT, output 0 otherwise."""
    if rule is ShapeRule.SPLIT:
        return split_output_shapes(what, shapes[0], attrs)
    return [expected_output_shape(what, rule, shapes, attrs)]


# --- shape and layout rules: the output holds input 0's elements, rearranged.


def _dim_index(what: str, name: str, dim: int, rank: int) -> int:
    """``dim`` wrapped into 0..rank-1 (PyTorch's negative dims); rank 0 counts as 1."""
    if not -max(rank, 1) <= dim < max(rank, 1):
        raise BlobFormatError(f"{what} attribute {name} is {dim}, outside the input's rank {rank}")
    return dim % max(rank, 1)


def view_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """The attribute size, its one -1 (if any) standing for the size that keeps the element count."""
    size = tuple(attrs["size"])
    numel = math.prod(x)
    if size.count(-1) > 1 or any(s < -1 for s in size):
        raise BlobFormatError(
            f"{what} attribute size {list(size)} has sizes below -1 or several -1"
        )
    known = math.prod(s for s in size if s != -1)
    if -1 in size:
        if known == 0 or numel % known != 0:
            raise BlobFormatError(f"{what} cannot view {list(x)} as {list(size)}")
        size = tuple(numel // known if s == -1 else s for s in size)
    if math.prod(size) != numel:
        raise BlobFormatError(f"{what} cannot view {list(x)} ({numel} elements) as {list(size)}")
    return size


def permute_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input dimension dims[d] becomes output dimension d."""
    dims = tuple(attrs["dims"])
    if len(dims) != len(x):
        raise BlobFormatError(
            f"{what} attribute dims {list(dims)} does not have one entry per dimension of {list(x)}"
        )
    order = [_dim_index(what, "dims", dim, len(x)) for dim in dims]
    if len(set(order)) != len(order):
        raise BlobFormatError(f"{what} attribute dims {list(dims)} names a dimension twice")
    return tuple(x[d] for d in order)


def squeeze_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input 0 without the dimensions in dims that have size 1 (the others stay)."""
    dims = [_dim_index(what, "dims", dim, len(x)) for dim in attrs["dims"]]
    if len(set(dims)) != len(dims):
        raise BlobFormatError(
            f"{what} attribute dims {list(attrs['dims'])} names a dimension twice"
        )
    return tuple(size for d, size in enumerate(x) if not (d in dims and size == 1))


def unsqueeze_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input 0 with a size-1 dimension inserted at dim (-1: after the last)."""
    dim = _dim_index(what, "dim", attrs["dim"], len(x) + 1)
    return tuple(x[:dim]) + (1,) + tuple(x[dim:])


def expand_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input 0 broadcast to size (aligned from the right; -1 keeps an existing dimension)."""
    size = tuple(attrs["size"])
    new = len(size) - len(x)
    if new < 0:
        raise BlobFormatError(
            f"{what} attribute size {list(size)} has fewer dimensions than {list(x)}"
        )
    result = []
    for d, target in enumerate(size):
        current = x[d - new] if d >= new else None
        if target == -1 and current is not None:
            target = current
        if target < 0 or (current is not None and current not in (1, target)):
            raise BlobFormatError(f"{what} cannot expand {list(x)} to {list(size)}")
        result.append(target)
    return tuple(result)


def slice_bounds(size: int, start: int, end: int, step: int) -> Tuple[int, int]:
    """(start, element count) of a slice of a dimension of ``size``, clamped as PyTorch does."""
    start = start + size if start < 0 else start
    end = end + size if end < 0 else end
    start = min(max(start, 0), size)
    end = min(max(end, start), size)
    return start, (end - start + step - 1) // step


def slice_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Along dim, the elements start, start + step, ... below end."""
    if not x:
        raise BlobFormatError(f"{what} cannot slice a rank-0 tensor")
    dim = _dim_index(what, "dim", attrs["dim"], len(x))
    if attrs["step"] < 1:
        raise BlobFormatError(f"{what} attribute step is {attrs['step']}; it must be at least 1")
    _, count = slice_bounds(x[dim], attrs["start"], attrs["end"], attrs["step"])
    return tuple(x[:dim]) + (count,) + tuple(x[dim + 1 :])


def select_output_shape(what: str, x: Tuple[int, ...], attrs: Dict[str, Any]) -> Tuple[int, ...]:
    """Input 0 without dim, at the given index along it."""
    if not x:
        raise BlobFormatError(f"{what} cannot select from a rank-0 tensor")
    dim = _dim_index(what, "dim", attrs["dim"], len(x))
    if not -x[dim] <= attrs["index"] < x[dim]:
        raise BlobFormatError(
            f"{what} attribute index {attrs['index']} is outside dimension {dim} of {list(x)}"
        )
    return tuple(x[:dim]) + tuple(x[dim + 1 :])


_LAYOUT_RULES = {
    ShapeRule.VIEW: view_output_shape,
    ShapeRule.PERMUTE: permute_output_shape,
    ShapeRule.SQUEEZE: squeeze_output_shape,
    ShapeRule.UNSQUEEZE: unsqueeze_output_shape,
    ShapeRule.EXPAND: expand_output_shape,
    ShapeRule.SLICE: slice_output_shape,
    ShapeRule.SELECT: select_output_shape,
}


def _check_op_shapes(
    what: str, op: Op, schema: OpSchema, tensors: Sequence[TensorInfo], inputs: Sequence[int]
) -> None:
    """Check that the outputs have the shapes the op's shape rule gives (on the recorded
    sizes: a dimension reference gives its input's upper bound)."""
    shapes = [None if i is None else tensors[i].sizes for i in op.inputs]
    attrs = {attr.name: value for attr, value in zip(schema.attrs, op.attrs)}
    if schema.shape_rule in SIZE_REFERENCE_RULES:
        attrs["size"] = resolve_size(what, attrs["size"], tensors, inputs)
    expected = expected_output_shapes(what, schema.shape_rule, shapes, attrs)
    if schema.variadic_outputs and len(op.outputs) != len(expected):
        raise BlobFormatError(
            f"{what} has {len(op.outputs)} outputs; its attributes give {len(expected)}"
        )
    for tensor_id, shape in zip(op.outputs, expected):
        actual = tensors[tensor_id].sizes
        if tuple(actual) != tuple(shape):
            raise BlobFormatError(
                f"{what} writes tensor {tensor_id} of shape {list(actual)}, but produces {list(shape)}"
            )


# ---------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------


class _StringTable:
    """Collects strings once each and hands out (offset, length) pairs."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._offsets: Dict[str, int] = {}

    def add(self, text: str) -> Tuple[int, int]:
        if not text:
            return 0, 0
        encoded = text.encode("utf-8")
        if text not in self._offsets:
            self._offsets[text] = len(self._data)
            self._data += encoded
        return self._offsets[text], len(encoded)

    def __bytes__(self) -> bytes:
        return bytes(self._data)


def _encode_attr(attr_type: AttrType, value: AttrValue) -> List[bytes]:
    items = list(value) if attr_type.is_list else [value]
    if attr_type.is_float:
        return [struct.pack("<d", float(item)) for item in items]
    return [struct.pack("<q", int(item)) for item in items]


def serialize(graph: DelegateGraph) -> bytes:
    """Encode ``graph`` as a format-version-2 blob; raise BlobFormatError if it is invalid."""
    validate(graph)
    strings = _StringTable()
    qparams: List[bytes] = []
    tensor_records = bytearray()
    for tensor in graph.tensors:
        sizes = list(tensor.sizes) + [0] * (MAX_RANK - tensor.rank)
        scheme, axis, first, count = QUANT_NONE, 0, 0, 0
        if tensor.quant is not None:
            scheme = tensor.quant.scheme
            axis = tensor.quant.axis or 0
            first, count = len(qparams), len(tensor.quant.scales)
            qparams += [
                _QPARAM.pack(scale, zero_point)
                for scale, zero_point in zip(tensor.quant.scales, tensor.quant.zero_points)
            ]
        tensor_records += _TENSOR.pack(
            tensor.dtype, tensor.rank, *sizes, tensor.dynamic_dims, scheme, axis, first, count, 0
        )
    op_records = bytearray()
    attr_records = bytearray()
    refs: List[int] = []
    values: List[bytes] = []
    num_attrs = 0
    for op in graph.ops:
        schema = OP_SCHEMAS[op.opcode]
        inputs_first = len(refs)
        refs += [NO_TENSOR if i is None else i for i in op.inputs]
        outputs_first = len(refs)
        refs += list(op.outputs)
        for value, attr in zip(op.attrs, schema.attrs):
            encoded = _encode_attr(attr.type, value)
            attr_records += _ATTR.pack(int(attr.type), len(encoded), len(values), 0)
            values += encoded
        name_offset, name_length = strings.add(op.name)
        op_records += _OP.pack(
            int(op.opcode),
            inputs_first,
            len(op.inputs),
            outputs_first,
            len(op.outputs),
            num_attrs,
            len(op.attrs),
            name_offset,
            name_length,
            0,
        )
        num_attrs += len(op.attrs)
    constant_records = bytearray()
    for constant in graph.constants:
        key_offset, key_length = strings.add(constant.key)
        constant_records += _CONSTANT.pack(
            constant.tensor_id, key_offset, key_length, 0, constant.nbytes
        )
    string_table = bytes(strings)
    body = b"".join(
        [
            bytes(tensor_records),
            bytes(op_records),
            bytes(attr_records),
            struct.pack(f"<{len(refs)}I", *refs),
            b"".join(values),
            b"".join(qparams),
            struct.pack(f"<{len(graph.inputs)}I", *graph.inputs),
            struct.pack(f"<{len(graph.outputs)}I", *graph.outputs),
            bytes(constant_records),
            string_table,
        ]
    )
    header = _HEADER.pack(
        MAGIC,
        FORMAT_VERSION,
        HEADER_SIZE,
        len(graph.tensors),
        len(graph.ops),
        num_attrs,
        len(refs),
        len(values),
        len(qparams),
        len(graph.inputs),
        len(graph.outputs),
        len(graph.constants),
        len(string_table),
        0,  # flags: reserved
        HEADER_SIZE + len(body),
    )
    return header + body


# ---------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------


def _read_string(table: bytes, offset: int, length: int, what: str) -> str:
    if offset + length > len(table):
        raise BlobFormatError(
            f"{what} spans string table bytes {offset}..{offset + length}, "
            f"but the table has {len(table)} bytes"
        )
    try:
        return table[offset : offset + length].decode("utf-8")
    except UnicodeDecodeError as error:
        raise BlobFormatError(f"{what} is not valid UTF-8: {error}") from None


def _check_range(first: int, count: int, size: int, what: str, section: str) -> None:
    if first + count > size:
        raise BlobFormatError(
            f"{what} spans {section} [{first}, {first + count}), but the section has {size} entries"
        )


def deserialize(data: bytes) -> DelegateGraph:
    """Decode a blob, refusing anything FORMAT.md does not allow."""
    data = bytes(data)
    if len(data) >= 8 and data[:4] == MAGIC:
        # The version comes first, so an old blob gets the clearest message.
        (version,) = struct.unpack_from("<I", data, 4)
        if version != FORMAT_VERSION:
            raise BlobFormatError(
                f"format version {version}; this runtime reads version {FORMAT_VERSION}: "
                "re-export the model with this release"
            )
    if len(data) < HEADER_SIZE:
        raise BlobFormatError(
            f"blob is truncated: {len(data)} bytes, smaller than the {HEADER_SIZE}-byte header"
        )
    (
        magic,
        version,
        header_size,
        num_tensors,
        num_ops,
        num_attrs,
        num_refs,
        num_values,
        num_qparams,
        num_inputs,
        num_outputs,
        num_constants,
        string_table_size,
        flags,
        total_size,
    ) = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise BlobFormatError(f"bad magic {magic!r}; expected {MAGIC!r}")
    if header_size != HEADER_SIZE:
        raise BlobFormatError(f"header_size is {header_size}; format version 2 has {HEADER_SIZE}")
    if flags != 0:
        raise BlobFormatError(f"flags is {flags:#x}; format version 2 reserves them as 0")
    sections = [
        ("tensors", TENSOR_RECORD_SIZE * num_tensors),
        ("ops", OP_RECORD_SIZE * num_ops),
        ("attrs", ATTR_RECORD_SIZE * num_attrs),
        ("refs", 4 * num_refs),
        ("values", 8 * num_values),
        ("qparams", QPARAM_RECORD_SIZE * num_qparams),
        ("inputs", 4 * num_inputs),
        ("outputs", 4 * num_outputs),
        ("constants", CONSTANT_RECORD_SIZE * num_constants),
        ("strings", string_table_size),
    ]
    offsets: Dict[str, int] = {}
    expected_size = HEADER_SIZE
    for name, size in sections:
        offsets[name] = expected_size
        expected_size += size
    if total_size != expected_size:
        raise BlobFormatError(
            f"total_size is {total_size}, but the header's counts add up to {expected_size} bytes"
        )
    if len(data) != total_size:
        kind = "truncated" if len(data) < total_size else "longer than its total_size"
        raise BlobFormatError(f"blob is {kind}: {len(data)} bytes, header says {total_size}")

    string_table = data[offsets["strings"] :]
    qparams = [_QPARAM.unpack_from(data, offsets["qparams"] + 8 * i) for i in range(num_qparams)]
    refs = struct.unpack_from(f"<{num_refs}I", data, offsets["refs"])
    raw_values = [
        data[offsets["values"] + 8 * i : offsets["values"] + 8 * i + 8] for i in range(num_values)
    ]

    graph = DelegateGraph()
    for tensor_id in range(num_tensors):
        record = _TENSOR.unpack_from(data, offsets["tensors"] + TENSOR_RECORD_SIZE * tensor_id)
        dtype, rank, sizes = record[0], record[1], record[2:10]
        dynamic_dims, scheme, axis, first, count, reserved = record[10:]
        what = f"tensor {tensor_id}"
        if rank > MAX_RANK:
            raise BlobFormatError(f"{what} has rank {rank}; the maximum is {MAX_RANK}")
        if any(sizes[rank:]):
            raise BlobFormatError(f"{what} has nonzero sizes beyond its rank {rank}")
        if reserved:
            raise BlobFormatError(f"{what} has a nonzero reserved field")
        quant = None
        if scheme == QUANT_NONE:
            if axis or first or count:
                raise BlobFormatError(f"{what} is not quantized but has a quant axis or qparams")
        elif scheme in (QUANT_PER_TENSOR, QUANT_PER_CHANNEL):
            _check_range(first, count, num_qparams, f"{what} qparams", "qparams")
            if scheme == QUANT_PER_TENSOR and axis != 0:
                raise BlobFormatError(f"{what} is quantized per tensor but has quant_axis {axis}")
            records = qparams[first : first + count]
            quant = QuantParams(
                tuple(scale for scale, _ in records),
                tuple(zero_point for _, zero_point in records),
                None if scheme == QUANT_PER_TENSOR else axis,
            )
        else:
            raise BlobFormatError(f"{what} has quant_scheme {scheme}; known: 0, 1, 2")
        graph.tensors.append(TensorInfo(tuple(sizes[:rank]), dtype, quant, dynamic_dims))

    for op_index in range(num_ops):
        (
            opcode,
            inputs_first,
            input_count,
            outputs_first,
            output_count,
            attrs_first,
            attr_count,
            name_offset,
            name_length,
            reserved,
        ) = _OP.unpack_from(data, offsets["ops"] + OP_RECORD_SIZE * op_index)
        schema = schema_of(opcode, f"op {op_index}")
        what = f"op {op_index} ({schema.name})"
        if reserved:
            raise BlobFormatError(f"{what} has a nonzero reserved field")
        _check_range(inputs_first, input_count, num_refs, f"{what} inputs", "tensor refs")
        _check_range(outputs_first, output_count, num_refs, f"{what} outputs", "tensor refs")
        _check_range(attrs_first, attr_count, num_attrs, f"{what} attributes", "attributes")
        inputs = tuple(
            None if ref == NO_TENSOR else ref
            for ref in refs[inputs_first : inputs_first + input_count]
        )
        outputs = tuple(refs[outputs_first : outputs_first + output_count])
        attrs: List[AttrValue] = []
        for slot in range(attr_count):
            attr_type, count, values_first, attr_reserved = _ATTR.unpack_from(
                data, offsets["attrs"] + ATTR_RECORD_SIZE * (attrs_first + slot)
            )
            attr_what = f"{what} attribute {slot}"
            if slot < len(schema.attrs):
                expected = schema.attrs[slot]
                attr_what = f"{what} attribute {expected.name}"
                if attr_type != expected.type:
                    raise BlobFormatError(
                        f"{attr_what} has type {attr_type}; the schema says {int(expected.type)} "
                        f"({expected.type.name.lower()})"
                    )
            if attr_type not in set(AttrType):
                raise BlobFormatError(f"{attr_what} has unknown type {attr_type}")
            attr_type = AttrType(attr_type)
            if attr_reserved:
                raise BlobFormatError(f"{attr_what} has a nonzero reserved field")
            if not attr_type.is_list and count != 1:
                raise BlobFormatError(f"{attr_what} is a scalar with count {count}; scalars have 1")
            _check_range(values_first, count, num_values, attr_what, "values")
            fmt = "<d" if attr_type.is_float else "<q"
            items = [
                struct.unpack(fmt, raw)[0]
                for raw in raw_values[values_first : values_first + count]
            ]
            if attr_type is AttrType.BOOL:
                if items[0] not in (0, 1):
                    raise BlobFormatError(
                        f"{attr_what} is a bool holding {items[0]}; bools are 0 or 1"
                    )
                attrs.append(bool(items[0]))
            elif attr_type.is_list:
                attrs.append(tuple(items))
            else:
                attrs.append(items[0])
        name = _read_string(string_table, name_offset, name_length, f"{what} name")
        graph.ops.append(Op(Opcode(opcode), inputs, outputs, tuple(attrs), name))

    base = offsets["inputs"]
    graph.inputs = list(struct.unpack_from(f"<{num_inputs}I", data, base))
    graph.outputs = list(struct.unpack_from(f"<{num_outputs}I", data, offsets["outputs"]))
    for position in range(num_constants):
        tensor_id, key_offset, key_length, reserved, nbytes = _CONSTANT.unpack_from(
            data, offsets["constants"] + CONSTANT_RECORD_SIZE * position
        )
        if reserved != 0:
            raise BlobFormatError(
                f"constant {position} has reserved field {reserved}; it must be 0"
            )
        key = _read_string(string_table, key_offset, key_length, f"constant {position} key")
        graph.constants.append(Constant(tensor_id, key, nbytes))

    validate(graph)
    return graph


# ---------------------------------------------------------------------------
# Inspection
# ---------------------------------------------------------------------------


def _format_attr(value: AttrValue) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_format_attr(item) for item in value) + "]"
    return str(value)


def _format_quant(quant: QuantParams) -> str:
    pairs = ", ".join(f"{s:g}/{z}" for s, z in zip(quant.scales, quant.zero_points))
    if quant.axis is None:
        return f"  q(scale/zp {pairs})"
    return f"  q(axis {quant.axis}: scale/zp {pairs})"


def format_graph(graph: DelegateGraph) -> str:
    """A human-readable listing of a graph, one record a line."""
    role: Dict[int, str] = {}
    for position, tensor_id in enumerate(graph.inputs):
        role[tensor_id] = f"input {position}"
    for constant in graph.constants:
        role[constant.tensor_id] = f"constant {constant.key} ({constant.nbytes} bytes)"
    for op_index, op in enumerate(graph.ops):
        for tensor_id in op.outputs:
            role[tensor_id] = f"op {op_index}"
    lines = [f"tensors ({len(graph.tensors)}):"]
    for tensor_id, tensor in enumerate(graph.tensors):
        quant = _format_quant(tensor.quant) if tensor.quant else ""
        dynamic = f"  dynamic_dims={tensor.dynamic_dims:#x}" if tensor.dynamic_dims else ""
        lines.append(
            f"  t{tensor_id}: {_dtype_name(tensor.dtype)} {list(tensor.sizes)}{quant}{dynamic}"
            f"  {role.get(tensor_id, '')}".rstrip()
        )
    lines.append(f"ops ({len(graph.ops)}):")
    for op_index, op in enumerate(graph.ops):
        schema = OP_SCHEMAS[op.opcode]
        args = ", ".join("-" if i is None else f"t{i}" for i in op.inputs)
        attrs = "".join(f" {a.name}={_format_attr(v)}" for a, v in zip(schema.attrs, op.attrs))
        outs = ", ".join(f"t{i}" for i in op.outputs)
        name = f"  # {op.name}" if op.name else ""
        lines.append(f"  op{op_index}: {outs} = {schema.name}({args}){attrs}{name}")
    lines.append("inputs: " + ", ".join(f"t{i}" for i in graph.inputs))
    lines.append("outputs: " + ", ".join(f"t{i}" for i in graph.outputs))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check and print a {{ cookiecutter.__backend_id }} delegate blob (format version 2)."
    )
    parser.add_argument("blob", help="file holding one delegate blob")
    args = parser.parse_args(argv)
    with open(args.blob, "rb") as file:
        data = file.read()
    try:
        graph = deserialize(data)
    except BlobFormatError as error:
        print(f"{args.blob}: invalid blob: {error}", file=sys.stderr)
        return 1
    print(f"{args.blob}: format version {FORMAT_VERSION}, {len(data)} bytes")
    print(format_graph(graph))
    return 0


if __name__ == "__main__":
    sys.exit(main())
