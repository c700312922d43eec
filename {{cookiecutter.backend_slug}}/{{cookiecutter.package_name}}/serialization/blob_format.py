"""Writer and reader of the {{ cookiecutter.__backend_id }} delegate blob, format version 1.

FORMAT.md next to this file is the specification; this module follows it
field by field. ``serialize`` turns a :class:`DelegateGraph` into bytes and
``deserialize`` turns bytes back into a graph, refusing anything FORMAT.md says
a reader must refuse with a :class:`BlobFormatError`. Both run the same
:func:`validate`, so the writer can never produce a blob the reader rejects.

The module needs neither torch nor ExecuTorch, so it also works as a small
inspection tool::

    python -m {{ cookiecutter.package_name }}.serialization delegate.bin
"""

from __future__ import annotations

import argparse
import enum
import math
import struct
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

MAGIC = b"ETRB"
FORMAT_VERSION = 1
MAX_RANK = 8
MAX_OP_INPUTS = 3
UNUSED_INPUT = 0xFFFFFFFF
# ExecuTorch ScalarType code of float32, the only dtype of version 1.
SCALAR_TYPE_FLOAT32 = 6
_ELEMENT_SIZE = {SCALAR_TYPE_FLOAT32: 4}
_FLOAT32_MAX = 3.4028234663852886e38

_HEADER = struct.Struct("<4s9IQ")
_TENSOR = struct.Struct("<II8I")
_OP = struct.Struct("<II3IIffII")
_CONSTANT = struct.Struct("<IIIIQ")

HEADER_SIZE = _HEADER.size
TENSOR_RECORD_SIZE = _TENSOR.size
OP_RECORD_SIZE = _OP.size
CONSTANT_RECORD_SIZE = _CONSTANT.size
assert (HEADER_SIZE, TENSOR_RECORD_SIZE, OP_RECORD_SIZE, CONSTANT_RECORD_SIZE) == (48, 40, 40, 24)


class Opcode(enum.IntEnum):
    """Operation codes of FORMAT.md; the values are part of the format."""

    ADD = 1
    SUB = 2
    MUL = 3
    DIV = 4
    RELU = 5
    SIGMOID = 6
    TANH = 7
    CLAMP = 8
    LINEAR = 9
    MM = 10
    BMM = 11


# (fewest, most) inputs of each opcode.
OPCODE_ARITY: Dict[Opcode, Tuple[int, int]] = {
    Opcode.ADD: (2, 2),
    Opcode.SUB: (2, 2),
    Opcode.MUL: (2, 2),
    Opcode.DIV: (2, 2),
    Opcode.RELU: (1, 1),
    Opcode.SIGMOID: (1, 1),
    Opcode.TANH: (1, 1),
    Opcode.CLAMP: (1, 1),
    Opcode.LINEAR: (2, 3),
    Opcode.MM: (2, 2),
    Opcode.BMM: (2, 2),
}
# Names of the params each opcode uses; the other slots must hold 0.
OPCODE_PARAMS: Dict[Opcode, Tuple[str, ...]] = {
    Opcode.ADD: ("alpha",),
    Opcode.SUB: ("alpha",),
    Opcode.CLAMP: ("min", "max"),
}


class BlobFormatError(ValueError):
    """A blob (or a graph about to become one) that breaks FORMAT.md."""


@dataclass(frozen=True)
class TensorInfo:
    """One tensor record: a contiguous tensor of ``sizes``."""

    sizes: Tuple[int, ...]
    dtype: int = SCALAR_TYPE_FLOAT32

    @property
    def rank(self) -> int:
        return len(self.sizes)

    @property
    def nbytes(self) -> int:
        return math.prod(self.sizes) * _ELEMENT_SIZE.get(self.dtype, 0)


@dataclass(frozen=True)
class Op:
    """One op record. ``name`` is empty unless debug names were kept."""

    opcode: Opcode
    inputs: Tuple[int, ...]
    output: int
    params: Tuple[float, float] = (0.0, 0.0)
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
        what = f"op {op_index} ({_opcode_name(op.opcode)})"
        _check_op_fields(what, op)
        for slot, tensor_id in enumerate(op.inputs):
            _check_index(tensor_id, num_tensors, f"{what} input {slot}")
            if tensor_id not in available:
                raise BlobFormatError(
                    f"{what} reads tensor {tensor_id} before it is produced; an op may "
                    "read only inputs, constants and outputs of earlier ops"
                )
        claim(op.output, f"the output of {what}")
        _check_op_shapes(what, op, graph.tensors)
        available.add(op.output)

    for tensor_id in range(num_tensors):
        if tensor_id not in source:
            raise BlobFormatError(
                f"tensor {tensor_id} is neither an input, a constant nor an op output"
            )
    for position, tensor_id in enumerate(graph.outputs):
        _check_index(tensor_id, num_tensors, f"output {position}")


def _opcode_name(opcode: int) -> str:
    try:
        return Opcode(opcode).name.lower()
    except ValueError:
        return f"opcode {opcode}"


def _check_index(index: int, count: int, what: str) -> None:
    if not 0 <= index < count:
        raise BlobFormatError(f"{what} refers to tensor {index}, but there are {count} tensors")


def _check_tensor(tensor_id: int, tensor: TensorInfo) -> None:
    if tensor.dtype != SCALAR_TYPE_FLOAT32:
        raise BlobFormatError(
            f"tensor {tensor_id} has dtype {tensor.dtype}; format version {FORMAT_VERSION} "
            f"allows only {SCALAR_TYPE_FLOAT32} (float32)"
        )
    if tensor.rank > MAX_RANK:
        raise BlobFormatError(f"tensor {tensor_id} has rank {tensor.rank}; the maximum is {MAX_RANK}")
    if any(size < 0 or size > 0xFFFFFFFF for size in tensor.sizes):
        raise BlobFormatError(f"tensor {tensor_id} has sizes {list(tensor.sizes)} outside u32")


def _check_constant(position: int, constant: Constant, tensor: TensorInfo) -> None:
    if not constant.key:
        raise BlobFormatError(f"constant {position} has an empty key")
    if constant.nbytes != tensor.nbytes:
        raise BlobFormatError(
            f"constant {position} has nbytes {constant.nbytes}, but tensor "
            f"{constant.tensor_id} {list(tensor.sizes)} needs {tensor.nbytes}"
        )


def _check_op_fields(what: str, op: Op) -> None:
    try:
        opcode = Opcode(op.opcode)
    except ValueError:
        known = ", ".join(f"{o.value} ({o.name.lower()})" for o in Opcode)
        raise BlobFormatError(f"{what} has unknown opcode {op.opcode}; known: {known}") from None
    fewest, most = OPCODE_ARITY[opcode]
    if not fewest <= len(op.inputs) <= most:
        expected = str(fewest) if fewest == most else f"{fewest} to {most}"
        raise BlobFormatError(f"{what} has {len(op.inputs)} inputs; it takes {expected}")
    if len(op.params) != 2:
        raise BlobFormatError(f"{what} has {len(op.params)} params; op records hold 2")
    used = OPCODE_PARAMS.get(opcode, ())
    for slot, value in enumerate(op.params):
        if slot >= len(used) and value != 0.0:
            raise BlobFormatError(f"{what} param {slot} is {value}; unused params must be 0")
        if math.isfinite(value) and abs(value) > _FLOAT32_MAX:
            raise BlobFormatError(f"{what} param {slot} is {value}, outside float32")


def _broadcast(what: str, a: Sequence[int], b: Sequence[int]) -> Tuple[int, ...]:
    result = []
    for index in range(1, max(len(a), len(b)) + 1):
        x = a[-index] if index <= len(a) else 1
        y = b[-index] if index <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise BlobFormatError(f"{what} cannot broadcast {list(a)} with {list(b)}")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))


def _check_op_shapes(what: str, op: Op, tensors: Sequence[TensorInfo]) -> None:
    """Check that the output record has the shape the opcode produces."""
    shapes = [tensors[i].sizes for i in op.inputs]
    opcode = Opcode(op.opcode)
    if opcode in (Opcode.ADD, Opcode.SUB, Opcode.MUL, Opcode.DIV):
        expected = _broadcast(what, shapes[0], shapes[1])
    elif opcode in (Opcode.RELU, Opcode.SIGMOID, Opcode.TANH, Opcode.CLAMP):
        expected = shapes[0]
    elif opcode == Opcode.LINEAR:
        x, weight = shapes[0], shapes[1]
        if len(weight) != 2 or len(x) < 1 or x[-1] != weight[1]:
            raise BlobFormatError(
                f"{what} needs input [..., in] and weight [out, in], got {list(x)} and {list(weight)}"
            )
        if len(shapes) == 3 and shapes[2] != (weight[0],):
            raise BlobFormatError(f"{what} needs bias [{weight[0]}], got {list(shapes[2])}")
        expected = tuple(x[:-1]) + (weight[0],)
    else:
        a, b = shapes
        rank = 2 if opcode == Opcode.MM else 3
        batch_ok = rank == 2 or (len(a) == 3 and len(b) == 3 and a[0] == b[0])
        if len(a) != rank or len(b) != rank or a[-1] != b[-2] or not batch_ok:
            layout = "[n, k] and [k, m]" if rank == 2 else "[b, n, k] and [b, k, m]"
            raise BlobFormatError(f"{what} needs {layout}, got {list(a)} and {list(b)}")
        expected = tuple(a[:-1]) + (b[-1],)
    actual = tensors[op.output].sizes
    if tuple(actual) != tuple(expected):
        raise BlobFormatError(
            f"{what} writes tensor {op.output} of shape {list(actual)}, but produces {list(expected)}"
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


def serialize(graph: DelegateGraph) -> bytes:
    """Encode ``graph`` as a format-version-1 blob; raise BlobFormatError if it is invalid."""
    validate(graph)
    strings = _StringTable()
    body = bytearray()
    for tensor in graph.tensors:
        sizes = list(tensor.sizes) + [0] * (MAX_RANK - tensor.rank)
        body += _TENSOR.pack(tensor.dtype, tensor.rank, *sizes)
    for op in graph.ops:
        inputs = list(op.inputs) + [UNUSED_INPUT] * (MAX_OP_INPUTS - len(op.inputs))
        name_offset, name_length = strings.add(op.name)
        body += _OP.pack(
            int(op.opcode), len(op.inputs), *inputs, op.output, *op.params, name_offset, name_length
        )
    body += struct.pack(f"<{len(graph.inputs)}I", *graph.inputs)
    body += struct.pack(f"<{len(graph.outputs)}I", *graph.outputs)
    for constant in graph.constants:
        key_offset, key_length = strings.add(constant.key)
        body += _CONSTANT.pack(constant.tensor_id, key_offset, key_length, 0, constant.nbytes)
    string_table = bytes(strings)
    total_size = HEADER_SIZE + len(body) + len(string_table)
    header = _HEADER.pack(
        MAGIC,
        FORMAT_VERSION,
        HEADER_SIZE,
        len(graph.tensors),
        len(graph.ops),
        len(graph.inputs),
        len(graph.outputs),
        len(graph.constants),
        len(string_table),
        0,  # flags: reserved
        total_size,
    )
    return header + bytes(body) + string_table


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


def deserialize(data: bytes) -> DelegateGraph:
    """Decode a blob, refusing anything FORMAT.md does not allow."""
    data = bytes(data)
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
        num_inputs,
        num_outputs,
        num_constants,
        string_table_size,
        flags,
        total_size,
    ) = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise BlobFormatError(f"bad magic {magic!r}; expected {MAGIC!r}")
    if version != FORMAT_VERSION:
        raise BlobFormatError(
            f"unsupported format version {version}; this reader supports version {FORMAT_VERSION}"
        )
    if header_size != HEADER_SIZE:
        raise BlobFormatError(f"header_size is {header_size}; format version 1 has {HEADER_SIZE}")
    if flags != 0:
        raise BlobFormatError(f"flags is {flags:#x}; format version 1 reserves them as 0")
    expected_size = (
        HEADER_SIZE
        + TENSOR_RECORD_SIZE * num_tensors
        + OP_RECORD_SIZE * num_ops
        + 4 * num_inputs
        + 4 * num_outputs
        + CONSTANT_RECORD_SIZE * num_constants
        + string_table_size
    )
    if total_size != expected_size:
        raise BlobFormatError(
            f"total_size is {total_size}, but the header's counts add up to {expected_size} bytes"
        )
    if len(data) != total_size:
        kind = "truncated" if len(data) < total_size else "longer than its total_size"
        raise BlobFormatError(f"blob is {kind}: {len(data)} bytes, header says {total_size}")

    offset = HEADER_SIZE
    graph = DelegateGraph()
    for tensor_id in range(num_tensors):
        dtype, rank, *sizes = _TENSOR.unpack_from(data, offset)
        offset += TENSOR_RECORD_SIZE
        if rank > MAX_RANK:
            raise BlobFormatError(f"tensor {tensor_id} has rank {rank}; the maximum is {MAX_RANK}")
        if any(sizes[rank:]):
            raise BlobFormatError(f"tensor {tensor_id} has nonzero sizes beyond its rank {rank}")
        graph.tensors.append(TensorInfo(sizes=tuple(sizes[:rank]), dtype=dtype))

    string_table = data[total_size - string_table_size :]
    raw_ops = []
    for op_index in range(num_ops):
        raw_ops.append(_OP.unpack_from(data, offset))
        offset += OP_RECORD_SIZE
    for op_index, record in enumerate(raw_ops):
        opcode, count, in0, in1, in2, output, p0, p1, name_offset, name_length = record
        what = f"op {op_index} ({_opcode_name(opcode)})"
        if not 1 <= count <= MAX_OP_INPUTS:
            raise BlobFormatError(f"{what} has num_inputs {count}; it must be 1 to {MAX_OP_INPUTS}")
        slots = (in0, in1, in2)
        if any(slot != UNUSED_INPUT for slot in slots[count:]):
            raise BlobFormatError(f"{what} has unused input slots not set to 0xFFFFFFFF")
        name = _read_string(string_table, name_offset, name_length, f"{what} name")
        graph.ops.append(Op(opcode, tuple(slots[:count]), output, (p0, p1), name))

    graph.inputs = list(struct.unpack_from(f"<{num_inputs}I", data, offset))
    offset += 4 * num_inputs
    graph.outputs = list(struct.unpack_from(f"<{num_outputs}I", data, offset))
    offset += 4 * num_outputs
    for position in range(num_constants):
        tensor_id, key_offset, key_length, reserved, nbytes = _CONSTANT.unpack_from(data, offset)
        offset += CONSTANT_RECORD_SIZE
        if reserved != 0:
            raise BlobFormatError(f"constant {position} has reserved field {reserved}; it must be 0")
        key = _read_string(string_table, key_offset, key_length, f"constant {position} key")
        graph.constants.append(Constant(tensor_id, key, nbytes))

    validate(graph)
    # Hand back opcodes as the enum once validate() has vouched for them.
    graph.ops = [
        Op(Opcode(op.opcode), op.inputs, op.output, op.params, op.name) for op in graph.ops
    ]
    return graph


# ---------------------------------------------------------------------------
# Inspection
# ---------------------------------------------------------------------------


def format_graph(graph: DelegateGraph) -> str:
    """A human-readable listing of a graph, one record a line."""
    role: Dict[int, str] = {}
    for position, tensor_id in enumerate(graph.inputs):
        role[tensor_id] = f"input {position}"
    for constant in graph.constants:
        role[constant.tensor_id] = f"constant {constant.key} ({constant.nbytes} bytes)"
    for op_index, op in enumerate(graph.ops):
        role[op.output] = f"op {op_index}"
    lines = [f"tensors ({len(graph.tensors)}):"]
    for tensor_id, tensor in enumerate(graph.tensors):
        lines.append(f"  t{tensor_id}: float32 {list(tensor.sizes)}  {role.get(tensor_id, '')}")
    lines.append(f"ops ({len(graph.ops)}):")
    for op_index, op in enumerate(graph.ops):
        args = ", ".join(f"t{i}" for i in op.inputs)
        used = OPCODE_PARAMS.get(Opcode(op.opcode), ())
        params = "".join(f" {name}={value:g}" for name, value in zip(used, op.params))
        name = f"  # {op.name}" if op.name else ""
        lines.append(f"  op{op_index}: t{op.output} = {_opcode_name(op.opcode)}({args}){params}{name}")
    lines.append("inputs: " + ", ".join(f"t{i}" for i in graph.inputs))
    lines.append("outputs: " + ", ".join(f"t{i}" for i in graph.outputs))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check and print a {{ cookiecutter.__backend_id }} delegate blob (format version 1)."
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
