"""The blob writer and reader follow serialization/FORMAT.md (version 2) byte for byte."""

from __future__ import annotations

import math
import struct
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.serialization.blob_format import (
    FORMAT_VERSION,
    BlobFormatError,
    Constant,
    DelegateGraph,
    Op,
    QuantParams,
    TensorInfo,
    deserialize,
    dimension_reference,
    referenced_dimension,
    serialize,
    validate,
)
from {{ cookiecutter.package_name }}.serialization.op_schema import OP_SCHEMAS, Opcode
from {{ cookiecutter.package_name }}.serialization.schema_types import AttrType

INT8, UINT8, INT32, INT64, FLOAT32 = 1, 0, 3, 4, 6
INF = float("inf")


def small_graph() -> DelegateGraph:
    """x[2,3] -> linear(weight[4,3], bias[4]) -> clamp -> out, with names and constants."""
    return DelegateGraph(
        tensors=[
            TensorInfo((2, 3)),  # 0: input
            TensorInfo((4, 3)),  # 1: weight
            TensorInfo((4,)),  # 2: bias
            TensorInfo((2, 4)),  # 3: linear
            TensorInfo((2, 4)),  # 4: clamp
        ],
        ops=[
            Op(Opcode.LINEAR, (0, 1, 2), (3,), name="linear"),
            Op(Opcode.CLAMP, (3,), (4,), (-0.5, INF), name="clamp"),
        ],
        inputs=[0],
        outputs=[4, 3],
        constants=[Constant(1, "weight_key", 48), Constant(2, "bias_key", 16)],
    )


def test_round_trip_keeps_every_field():
    graph = small_graph()
    assert deserialize(serialize(graph)) == graph


def test_round_trip_keeps_dtypes_and_quantization():
    graph = DelegateGraph(
        tensors=[
            TensorInfo((2, 3), INT8, QuantParams((0.5,), (-3,))),
            TensorInfo((3, 2), UINT8, QuantParams((0.25, 0.5, 1.0), (0, 128, 255), axis=0)),
            TensorInfo((4,), INT32, QuantParams((0.125,), (0,))),
            TensorInfo((5,), INT64, dynamic_dims=0x1),  # any size up to 5 per call
        ],
        inputs=[0, 3],
        outputs=[0, 1, 2],
        constants=[Constant(1, "q", 6), Constant(2, "b", 16)],
    )
    assert deserialize(serialize(graph)) == graph


def test_bounded_dynamic_graph_round_trips():
    """A batch dimension bounded by 8 on the input and every activation."""
    graph = small_graph()
    for tensor_id in (0, 3, 4):
        graph.tensors[tensor_id] = TensorInfo(
            (8, graph.tensors[tensor_id].sizes[1]), dynamic_dims=0x1
        )
    blob = serialize(graph)
    assert deserialize(blob) == graph
    assert [t.dynamic_dims for t in deserialize(blob).tensors] == [1, 0, 0, 1, 1]


def test_absent_optional_operand_round_trips():
    graph = small_graph()
    graph.ops[0] = Op(Opcode.LINEAR, (0, 1, None), (3,), name="linear")
    graph.constants = graph.constants[:1]
    graph.inputs = [0, 2]
    blob = serialize(graph)
    assert deserialize(blob) == graph
    assert struct.pack("<I", 0xFFFFFFFF) in blob


def test_layout_matches_the_format_page():
    """Build the expected bytes by hand from the FORMAT.md tables."""
    graph = DelegateGraph(
        tensors=[TensorInfo((2,)), TensorInfo((2,))],
        ops=[Op(Opcode.ADD, (0, 0), (1,), (0.5,), name="add")],
        inputs=[0],
        outputs=[1],
    )
    tensor = lambda size: struct.pack("<II8I6I", FLOAT32, 1, size, *[0] * 7, 0, 0, 0, 0, 0, 0)
    op = struct.pack("<10I", int(Opcode.ADD), 0, 2, 2, 1, 0, 1, 0, 3, 0)
    attr = struct.pack("<4I", int(AttrType.FLOAT), 1, 0, 0)
    refs = struct.pack("<3I", 0, 0, 1)
    values = struct.pack("<d", 0.5)
    ids = struct.pack("<2I", 0, 1)
    body = tensor(2) + tensor(2) + op + attr + refs + values + ids + b"add"
    # counts: tensors, ops, attrs, refs, values, qparams, inputs, outputs, constants, strings
    header = b"ETRB" + struct.pack("<13IQ", 2, 64, 2, 1, 1, 3, 1, 0, 1, 1, 0, 3, 0, 64 + len(body))
    assert serialize(graph) == header + body


def test_attribute_values_are_encoded_by_the_schema_types():
    """Floats are f64, ints and bools i64, lists one value each (FORMAT.md)."""
    graph = small_graph()
    blob = serialize(graph)
    # clamp's min and max are the only values: -0.5 and +inf as f64.
    assert struct.pack("<dd", -0.5, INF) in blob


def test_equal_strings_are_stored_once():
    graph = small_graph()
    graph.constants = [Constant(1, "same", 48), Constant(2, "same", 16)]
    blob = serialize(graph)
    assert blob.count(b"same") == 1
    assert deserialize(blob).constants == graph.constants


def test_names_are_optional():
    graph = small_graph()
    graph.ops = [Op(op.opcode, op.inputs, op.outputs, op.attrs) for op in graph.ops]
    assert [op.name for op in deserialize(serialize(graph)).ops] == ["", ""]


def test_every_schema_has_a_consistent_opcode():
    assert sorted(OP_SCHEMAS) == sorted(int(opcode) for opcode in Opcode)
    for opcode, schema in OP_SCHEMAS.items():
        assert schema.opcode == opcode and schema.name == Opcode(opcode).name.lower()
        assert schema.num_outputs >= 1 and schema.dtypes


# --- what a writer must refuse ----------------------------------------------

WRITER_REFUSES = {
    "missing attribute": (
        lambda g: g.ops.__setitem__(1, Op(Opcode.CLAMP, (3,), (4,), (0.0,))),
        r"has 1 attributes; it takes 2 \(min, max\)",
    ),
    "NaN attribute": (
        lambda g: g.ops.__setitem__(1, Op(Opcode.CLAMP, (3,), (4,), (math.nan, 1.0))),
        r"attribute min is NaN",
    ),
    "bool for a float": (
        lambda g: g.ops.__setitem__(1, Op(Opcode.CLAMP, (3,), (4,), (True, 1.0))),
        r"attribute min is True; it takes a float",
    ),
    "absent required operand": (
        lambda g: g.ops.__setitem__(0, Op(Opcode.LINEAR, (0, None, 2), (3,))),
        r"op 0 \(linear\) operand weight is absent; it is not optional",
    ),
    "too few operands": (
        lambda g: g.ops.__setitem__(0, Op(Opcode.LINEAR, (0, 1), (3,))),
        r"has 2 inputs; it takes 3 \(input, weight, bias\)",
    ),
    "two outputs": (
        lambda g: g.ops.__setitem__(1, Op(Opcode.CLAMP, (3,), (4, 4), (0.0, 1.0))),
        r"has 2 outputs; it produces 1",
    ),
    "dtype the op does not take": (
        lambda g: g.tensors.__setitem__(0, TensorInfo((2, 3), INT64)),
        r"op 0 \(linear\) uses tensor 0 of dtype int64; it takes float32",
    ),
    "unknown dtype": (
        lambda g: g.tensors.__setitem__(0, TensorInfo((2, 3), 5)),
        r"tensor 0 has dtype 5; the format allows",
    ),
    "float32 quantized": (
        lambda g: g.tensors.__setitem__(0, TensorInfo((2, 3), FLOAT32, QuantParams((1.0,), (0,)))),
        r"only int8, uint8 and int32 tensors carry quantization parameters",
    ),
    "dynamic dims beyond rank": (
        lambda g: g.tensors.__setitem__(0, TensorInfo((2, 3), dynamic_dims=4)),
        r"marks dimensions beyond its rank 2",
    ),
    "dynamic constant": (
        lambda g: g.tensors.__setitem__(1, TensorInfo((4, 3), dynamic_dims=1)),
        r"constant 0 fills tensor 1, which has dynamic_dims 0x1; constants have static shapes",
    ),
    "dynamic bound that breaks the shape rule": (
        lambda g: g.tensors.__setitem__(3, TensorInfo((3, 4), dynamic_dims=1)),
        r"op 0 \(linear\) writes tensor 3 of shape \[3, 4\], but produces \[2, 4\]",
    ),
    "unknown opcode": (
        lambda g: g.ops.__setitem__(1, Op(99, (3,), (4,))),
        r"op 1 has unknown opcode 99; known: 1 \(add\)",
    ),
}


@pytest.mark.parametrize("edit, message", WRITER_REFUSES.values(), ids=WRITER_REFUSES.keys())
def test_writer_refuses(edit, message):
    graph = small_graph()
    edit(graph)
    with pytest.raises(BlobFormatError, match=message):
        serialize(graph)


QUANT_REFUSED = {
    "zero scale": (INT8, QuantParams((0.0,), (0,)), r"scale 0 is 0.0; scales are finite and > 0"),
    "infinite scale": (INT8, QuantParams((INF,), (0,)), r"scales are finite and > 0"),
    "int8 zero point": (
        INT8,
        QuantParams((1.0,), (128,)),
        r"zero point 0 is 128, outside -128..127",
    ),
    "uint8 zero point": (UINT8, QuantParams((1.0,), (-1,)), r"outside 0..255"),
    "int32 zero point": (INT32, QuantParams((1.0,), (1,)), r"outside 0..0"),
    "per-channel count": (INT8, QuantParams((1.0, 1.0), (0, 0), axis=0), r"needs 3 scales, got 2"),
    "axis beyond rank": (INT8, QuantParams((1.0,), (0,), axis=2), r"along axis 2; its rank is 2"),
    "dynamic channel axis": (
        INT8,
        QuantParams((1.0,) * 3, (0,) * 3, axis=0),
        r"along axis 0, which is dynamic; the channel dimension must be static",
    ),
    "scales and zero points differ": (
        INT8,
        QuantParams((1.0,), (0, 0)),
        r"1 scales but 2 zero points",
    ),
}


@pytest.mark.parametrize("dtype, quant, message", QUANT_REFUSED.values(), ids=QUANT_REFUSED.keys())
def test_quantization_parameters_are_checked(dtype, quant, message):
    dynamic_dims = 0x1 if "dynamic" in message else 0
    graph = DelegateGraph(
        tensors=[TensorInfo((3, 2), dtype, quant, dynamic_dims)], inputs=[0], outputs=[0]
    )
    with pytest.raises(BlobFormatError, match=message):
        validate(graph)


def int8_convolution(transposed: bool) -> DelegateGraph:
    """x[1, 2, 5, 5] -> convolution (weight [3, 2, 3, 3], transposed [2, 3, 3, 3]) on int8
    tensors: per-channel weights along axis 0 for the forward one, per tensor otherwise."""
    x_quant, out_quant = QuantParams((0.5,), (1,)), QuantParams((0.25,), (-2,))
    if transposed:
        weight = TensorInfo((2, 3, 3, 3), INT8, QuantParams((0.1,), (0,)))
        bias = TensorInfo((3,), INT32, QuantParams((0.05,), (0,)))
        out_shape = (1, 3, 7, 7)
    else:
        weight = TensorInfo((3, 2, 3, 3), INT8, QuantParams((0.1, 0.2, 0.3), (0, 0, 0), axis=0))
        bias = TensorInfo((3,), INT32, QuantParams((0.05, 0.1, 0.15), (0, 0, 0), axis=0))
        out_shape = (1, 3, 3, 3)
    attrs = ((1, 1), (0, 0), (1, 1), transposed, (0, 0), 1)
    return DelegateGraph(
        tensors=[
            TensorInfo((1, 2, 5, 5), INT8, x_quant),
            weight,
            bias,
            TensorInfo(out_shape, INT8, out_quant),
        ],
        ops=[Op(Opcode.CONVOLUTION, (0, 1, 2), (3,), attrs)],
        inputs=[0],
        outputs=[3],
        constants=[Constant(1, "w", 54), Constant(2, "b", 12)],
    )


def test_int8_convolution_takes_per_channel_weights_and_is_not_transposed():
    validate(int8_convolution(transposed=False))
    with pytest.raises(BlobFormatError, match="a transposed convolution computes in float32"):
        validate(int8_convolution(transposed=True))


def converting_graph(first: Opcode, second: Opcode) -> DelegateGraph:
    """x (float32) -> first -> q (int8, per tensor) -> second -> y (float32)."""
    return DelegateGraph(
        tensors=[
            TensorInfo((2, 3)),
            TensorInfo((2, 3), INT8, QuantParams((0.5,), (0,))),
            TensorInfo((2, 3)),
        ],
        ops=[Op(first, (0,), (1,)), Op(second, (1,), (2,))],
        inputs=[0],
        outputs=[2],
    )


def test_converting_ops_go_the_direction_of_their_opcode():
    validate(converting_graph(Opcode.QUANTIZE, Opcode.DEQUANTIZE))
    # Either direction has float32 and int8 tensors; only one is the kernel's.
    with pytest.raises(
        BlobFormatError, match=r"converts float32 to int8; it converts int8 to float32"
    ):
        validate(converting_graph(Opcode.DEQUANTIZE, Opcode.QUANTIZE))


# --- what a reader must refuse ---------------------------------------------


def patch(blob: bytes, offset: int, fmt: str, *values) -> bytes:
    data = bytearray(blob)
    struct.pack_into(fmt, data, offset, *values)
    return bytes(data)


def offsets(blob: bytes):
    counts = struct.unpack_from("<10I", blob, 12)
    sizes = [64, 40, 16, 4, 8, 8, 4, 4, 24]
    names = [
        "tensors",
        "ops",
        "attrs",
        "refs",
        "values",
        "qparams",
        "inputs",
        "outputs",
        "constants",
    ]
    at, offset = {}, 64
    for name, size, count in zip(names, sizes, counts):
        at[name] = offset
        offset += size * count
    at["strings"] = offset
    return at


GOOD = serialize(small_graph())
AT = offsets(GOOD)
# Tensor refs of small_graph: linear reads 0, 1, 2 and writes 3; clamp reads 3 and writes 4.
LINEAR_OUT_REF = AT["refs"] + 4 * 3
CLAMP_IN_REF = AT["refs"] + 4 * 4
CLAMP_OUT_REF = AT["refs"] + 4 * 5
V1_BLOB = (
    b"ETRB"
    + struct.pack("<9IQ", 1, 48, 1, 0, 1, 1, 0, 0, 0, 96)
    + struct.pack("<II8I", 6, 1, 4, *[0] * 7)
    + struct.pack("<2I", 0, 0)
)

REFUSED = {
    "empty": (b"", r"truncated: 0 bytes, smaller than the 64-byte header"),
    "header only": (GOOD[:64], r"truncated: 64 bytes, header says \d+"),
    "one byte short": (GOOD[:-1], r"truncated: \d+ bytes, header says \d+"),
    "trailing byte": (GOOD + b"\0", r"longer than its total_size"),
    "wrong magic": (b"ETRX" + GOOD[4:], r"bad magic b'ETRX'; expected b'ETRB'"),
    "version 1": (
        V1_BLOB,
        r"format version 1; this runtime reads version 2: re-export the model with this release",
    ),
    "version 3": (
        patch(GOOD, 4, "<I", 3),
        rf"format version 3; this runtime reads version {FORMAT_VERSION}",
    ),
    "wrong header size": (patch(GOOD, 8, "<I", 52), r"header_size is 52"),
    "flags set": (patch(GOOD, 52, "<I", 1), r"flags is 0x1"),
    "total_size lies": (
        patch(GOOD, 56, "<Q", len(GOOD) + 4),
        r"total_size is \d+, but the header's counts",
    ),
    "rank 9": (patch(GOOD, AT["tensors"] + 4, "<I", 9), r"tensor 0 has rank 9; the maximum is 8"),
    "size beyond rank": (
        patch(GOOD, AT["tensors"] + 8 + 4 * 2, "<I", 7),
        r"nonzero sizes beyond its rank 2",
    ),
    "tensor reserved": (
        patch(GOOD, AT["tensors"] + 60, "<I", 1),
        r"tensor 0 has a nonzero reserved field",
    ),
    "unknown quant scheme": (
        patch(GOOD, AT["tensors"] + 44, "<I", 3),
        r"tensor 0 has quant_scheme 3",
    ),
    "qparams without a scheme": (
        patch(GOOD, AT["tensors"] + 56, "<I", 1),
        r"tensor 0 is not quantized but has",
    ),
    "qparams outside their section": (
        patch(GOOD, AT["tensors"] + 44, "<IIII", 1, 0, 0, 1),
        r"tensor 0 qparams spans qparams \[0, 1\), but the section has 0 entries",
    ),
    "unknown opcode": (patch(GOOD, AT["ops"], "<I", 99), r"op 0 has unknown opcode 99"),
    "too many inputs": (
        patch(GOOD, AT["ops"] + 8, "<I", 4),
        r"op 0 \(linear\) has 4 inputs; it takes 3",
    ),
    "inputs outside the refs": (
        patch(GOOD, AT["ops"] + 4, "<I", 100),
        r"op 0 \(linear\) inputs spans tensor refs \[100, 103\)",
    ),
    "attrs outside their section": (
        patch(GOOD, AT["ops"] + 40 + 20, "<I", 1),
        r"op 1 \(clamp\) attributes spans attributes \[1, 3\)",
    ),
    "op reserved": (
        patch(GOOD, AT["ops"] + 36, "<I", 1),
        r"op 0 \(linear\) has a nonzero reserved field",
    ),
    "attribute type": (
        patch(GOOD, AT["attrs"], "<I", 1),
        r"op 1 \(clamp\) attribute min has type 1; the schema says 2 \(float\)",
    ),
    "scalar count": (
        patch(GOOD, AT["attrs"] + 4, "<I", 2),
        r"attribute min is a scalar with count 2",
    ),
    "values outside their section": (
        patch(GOOD, AT["attrs"] + 16 + 8, "<I", 2),
        r"attribute max spans values \[2, 3\)",
    ),
    "NaN value": (
        patch(GOOD, AT["values"], "<d", math.nan),
        r"op 1 \(clamp\) attribute min is NaN",
    ),
    "attribute reserved": (
        patch(GOOD, AT["attrs"] + 12, "<I", 1),
        r"attribute min has a nonzero reserved field",
    ),
    "op input out of range": (
        patch(GOOD, AT["refs"], "<I", 5),
        r"op 0 \(linear\) operand input refers to tensor 5, but there are 5 tensors",
    ),
    "required operand absent": (
        patch(GOOD, AT["refs"] + 4, "<I", 0xFFFFFFFF),
        r"operand weight is absent; it is not optional",
    ),
    "op output out of range": (
        patch(GOOD, LINEAR_OUT_REF, "<I", 77),
        r"output 0 of op 0 \(linear\) refers to tensor 77",
    ),
    "graph input out of range": (patch(GOOD, AT["inputs"], "<I", 5), r"input 0 refers to tensor 5"),
    "graph output out of range": (
        patch(GOOD, AT["outputs"] + 4, "<I", 9),
        r"output 1 refers to tensor 9",
    ),
    "constant out of range": (
        patch(GOOD, AT["constants"], "<I", 5),
        r"constant 0 refers to tensor 5",
    ),
    "constant reserved": (
        patch(GOOD, AT["constants"] + 12, "<I", 1),
        r"constant 0 has reserved field 1",
    ),
    "constant size": (
        patch(GOOD, AT["constants"] + 16, "<Q", 4),
        r"constant 0 has nbytes 4, but tensor 1 \[4, 3\] \(float32\) needs 48",
    ),
    "key outside the string table": (
        patch(GOOD, AT["constants"] + 4, "<I", 1000),
        r"constant 0 key spans string table bytes 1000\.\.\d+, but the table has \d+ bytes",
    ),
    "name outside the string table": (
        patch(GOOD, AT["ops"] + 28, "<I", 1000),
        r"op 0 \(linear\) name spans string table bytes",
    ),
    "read before written": (
        patch(GOOD, CLAMP_IN_REF, "<I", 4),
        r"op 1 \(clamp\) operand self reads tensor 4 before it is produced",
    ),
    "two producers": (
        patch(GOOD, CLAMP_OUT_REF, "<I", 3),
        r"tensor 3 is both output 0 of op 0 \(linear\) and output 0 of op 1 \(clamp\)",
    ),
    "input written by an op": (
        patch(GOOD, LINEAR_OUT_REF, "<I", 0),
        r"tensor 0 is both input 0 and output 0 of op 0",
    ),
    "wrong output shape": (
        patch(GOOD, AT["tensors"] + 4 * 64 + 8, "<I", 3),
        r"op 1 \(clamp\) writes tensor 4 of shape \[3, 4\], but produces \[2, 4\]",
    ),
}


@pytest.mark.parametrize("blob, message", REFUSED.values(), ids=REFUSED.keys())
def test_reader_refuses(blob, message):
    with pytest.raises(BlobFormatError, match=message):
        deserialize(blob)


def test_unreferenced_tensor_is_refused():
    graph = small_graph()
    graph.tensors.append(TensorInfo((1,)))
    with pytest.raises(
        BlobFormatError, match="tensor 5 is neither an input, a constant nor an op output"
    ):
        serialize(graph)


def test_writer_refuses_bad_broadcast():
    graph = DelegateGraph(
        tensors=[TensorInfo((2, 3)), TensorInfo((4,)), TensorInfo((2, 3))],
        ops=[Op(Opcode.MUL, (0, 1), (2,))],
        inputs=[0, 1],
        outputs=[2],
    )
    with pytest.raises(BlobFormatError, match=r"cannot broadcast \[2, 3\] with \[4\]"):
        serialize(graph)


@pytest.mark.parametrize(
    "opcode, a, b, out",
    [
        (Opcode.ADD, (2, 1, 3), (4, 1), (2, 4, 3)),
        (Opcode.MM, (2, 3), (3, 5), (2, 5)),
        (Opcode.BMM, (7, 2, 3), (7, 3, 5), (7, 2, 5)),
        (Opcode.LINEAR, (6, 2, 3), (5, 3), (6, 2, 5)),
    ],
)
def test_output_shapes_follow_the_shape_rule(opcode, a, b, out):
    schema = OP_SCHEMAS[opcode]
    inputs = (0, 1) + (None,) * (len(schema.operands) - 2)
    attrs = tuple(1.0 for _ in schema.attrs)
    good = DelegateGraph(
        tensors=[TensorInfo(a), TensorInfo(b), TensorInfo(out)],
        ops=[Op(opcode, inputs, (2,), attrs)],
        inputs=[0, 1],
        outputs=[2],
    )
    assert deserialize(serialize(good)) == good
    bad = DelegateGraph(
        good.tensors[:2] + [TensorInfo(out + (1,))], good.ops, good.inputs, good.outputs
    )
    with pytest.raises(BlobFormatError):
        serialize(bad)


def test_dump_cli(tmp_path):
    path = tmp_path / "delegate.bin"
    quantized = DelegateGraph(
        tensors=[TensorInfo((3, 2), UINT8, QuantParams((0.25, 0.5, 1.0), (0, 128, 255), axis=0))],
        inputs=[0],
        outputs=[0],
    )
    module = "{{ cookiecutter.package_name }}.serialization"
    path.write_bytes(GOOD)
    shown = subprocess.run(
        [sys.executable, "-m", module, str(path)], capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert "format version 2" in shown.stdout
    assert "t0: float32 [2, 3]  input 0" in shown.stdout
    assert "t3 = linear(t0, t1, t2)  # linear" in shown.stdout
    assert "t4 = clamp(t3) min=-0.5 max=inf  # clamp" in shown.stdout

    path.write_bytes(serialize(quantized))
    shown = subprocess.run(
        [sys.executable, "-m", module, str(path)], capture_output=True, text=True
    )
    assert "t0: uint8 [3, 2]  q(axis 0: scale/zp 0.25/0, 0.5/128, 1/255)" in shown.stdout

    path.write_bytes(GOOD[:-1])
    refused = subprocess.run(
        [sys.executable, "-m", module, str(path)], capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "invalid blob: blob is truncated" in refused.stderr


def _cat_split_graph(cat_inputs, split_sizes, split_outputs) -> DelegateGraph:
    """cat(inputs 0..n-1 along dim 1) then split of the result along dim -1."""
    count = len(cat_inputs)
    tensors = [TensorInfo(shape) for shape in cat_inputs]
    tensors.append(TensorInfo((2, sum(shape[1] for shape in cat_inputs))))
    tensors += [TensorInfo(shape) for shape in split_outputs]
    outputs = tuple(range(count + 1, len(tensors)))
    return DelegateGraph(
        tensors=tensors,
        ops=[
            Op(Opcode.CAT, tuple(range(count)), (count,), (1,)),
            Op(Opcode.SPLIT, (count,), outputs, (tuple(split_sizes), -1)),
        ],
        inputs=list(range(count)),
        outputs=list(outputs),
    )


def test_variadic_operand_and_outputs_round_trip():
    graph = _cat_split_graph([(2, 1), (2, 2), (2, 3)], [4, 2], [(2, 4), (2, 2)])
    assert deserialize(serialize(graph)) == graph


@pytest.mark.parametrize(
    "cat_inputs, split_sizes, split_outputs, message",
    [
        ([(2, 1), (3, 2)], [3], [(2, 3)], r"cannot join \[2, 1\] and \[3, 2\] along dimension 1"),
        ([(2, 1), (2, 2)], [1, 1], [(2, 1), (2, 1)], r"split_sizes \[1, 1\] does not cut"),
        ([(2, 1), (2, 2)], [1, 2], [(2, 1)], "has 1 outputs; its attributes give 2"),
        ([(2, 1), (2, 2)], [1, 2], [(2, 1), (2, 3)], r"of shape \[2, 3\], but produces \[2, 2\]"),
    ],
)
def test_variadic_shapes_are_checked(cat_inputs, split_sizes, split_outputs, message):
    with pytest.raises(BlobFormatError, match=message):
        serialize(_cat_split_graph(cat_inputs, split_sizes, split_outputs))


def test_an_op_with_several_outputs_may_have_dynamic_dimensions():
    # The runtime computes every output's shape of each call (split's sizes fix them).
    graph = _cat_split_graph([(2, 1), (2, 2)], [1, 2], [(2, 1), (2, 2)])
    for tensor_id in range(len(graph.tensors)):
        graph.tensors[tensor_id] = TensorInfo(graph.tensors[tensor_id].sizes, dynamic_dims=0x1)
    assert deserialize(serialize(graph)) == graph


def test_variadic_operand_needs_a_tensor():
    graph = DelegateGraph(
        tensors=[TensorInfo((2,))],
        ops=[Op(Opcode.CAT, (), (0,), (0,))],
        outputs=[0],
    )
    with pytest.raises(
        BlobFormatError, match=r"has 0 inputs; it takes at least 1 \(tensors\.\.\.\)"
    ):
        serialize(graph)


INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)

# (opcode, input shape, attributes, output shape, or None with the writer's message)
LAYOUT_SHAPES = [
    (Opcode.VIEW_COPY, (2, 3, 4), ((-1, 4),), (6, 4)),
    (Opcode.VIEW_COPY, (1, 1), ((),), ()),
    (Opcode.VIEW_COPY, (2, 3), ((5,),), r"cannot view \[2, 3\] \(6 elements\) as \[5\]"),
    (Opcode.VIEW_COPY, (2, 3), ((-1, -1),), "several -1"),
    (Opcode.VIEW_COPY, (2, 3), ((0, -1),), r"cannot view \[2, 3\] as \[0, -1\]"),
    (Opcode.PERMUTE_COPY, (2, 3, 4), ((-1, 0, 1),), (4, 2, 3)),
    (Opcode.PERMUTE_COPY, (2, 3, 4), ((0, 0, 1),), "names a dimension twice"),
    (Opcode.PERMUTE_COPY, (2, 3), ((1,),), "does not have one entry per dimension"),
    (Opcode.PERMUTE_COPY, (2, 3), ((1, 2),), "attribute dims is 2, outside the input's rank 2"),
    (Opcode.SQUEEZE_COPY, (1, 3, 1), ((0, 1, 2),), (3,)),
    (Opcode.SQUEEZE_COPY, (1, 3), ((0, -2),), "names a dimension twice"),
    (Opcode.SQUEEZE_COPY, (1, 3), ((2,),), "attribute dims is 2, outside the input's rank 2"),
    (Opcode.UNSQUEEZE_COPY, (2, 3), (-1,), (2, 3, 1)),
    (Opcode.UNSQUEEZE_COPY, (2, 3), (3,), "attribute dim is 3, outside the input's rank 3"),
    (Opcode.EXPAND_COPY, (3, 1), ((2, -1, 4),), (2, 3, 4)),
    (Opcode.EXPAND_COPY, (3, 2), ((3, 4),), r"cannot expand \[3, 2\] to \[3, 4\]"),
    (Opcode.EXPAND_COPY, (3,), ((-1, 3),), r"cannot expand \[3\] to \[-1, 3\]"),
    (Opcode.EXPAND_COPY, (2, 3), ((3,),), "fewer dimensions"),
    (Opcode.SLICE_COPY, (4, 7), (1, 0, INT64_MAX, 3), (4, 3)),
    (Opcode.SLICE_COPY, (5,), (0, INT64_MIN, INT64_MAX, 1), (5,)),
    (Opcode.SLICE_COPY, (6,), (0, -3, -1, 1), (2,)),
    (Opcode.SLICE_COPY, (5,), (-1, 4, 2, 1), (0,)),
    (Opcode.SLICE_COPY, (5,), (0, 0, 5, 0), "attribute step is 0; it must be at least 1"),
    (Opcode.SLICE_COPY, (), (0, 0, 1, 1), "cannot slice a rank-0 tensor"),
    (Opcode.SELECT_COPY, (2, 3), (-1, -3), (2,)),
    (Opcode.SELECT_COPY, (2, 3), (1, 3), r"attribute index 3 is outside dimension 1 of \[2, 3\]"),
    (Opcode.SELECT_COPY, (), (0, 0), "cannot select from a rank-0 tensor"),
]


def test_a_size_entry_may_name_a_delegate_input_dimension():
    """full's, expand's and view's size may hold dimension references, -2 - (8 x tensor +
    dim); the shape rules see the recorded size (the bound) of the input dimension."""
    batch = dimension_reference(0, 1)
    assert batch == -3 and referenced_dimension(batch) == (0, 1)
    graph = DelegateGraph(
        tensors=[
            TensorInfo((5, 4, 16), dynamic_dims=0x2),
            TensorInfo((1, 4, 32), dynamic_dims=0x2),
        ],
        ops=[Op(Opcode.FULL, (), (1,), ((1, batch, 32), 0.0))],
        inputs=[0],
        outputs=[1],
    )
    assert deserialize(serialize(graph)) == graph
    with pytest.raises(BlobFormatError, match=r"but produces \[1, 5, 32\]"):
        serialize(
            DelegateGraph(
                tensors=graph.tensors,
                ops=[Op(Opcode.FULL, (), (1,), ((1, dimension_reference(0, 0), 32), 0.0))],
                inputs=[0],
                outputs=[1],
            )
        )


@pytest.mark.parametrize(
    "tensor, dim, message",
    [
        (
            0,
            2,
            "a reference to dimension 2 of tensor 0; a reference names a dimension of a delegate input",
        ),
        (1, 0, "a reference to dimension 0 of tensor 1; a reference names"),
    ],
)
def test_a_dimension_reference_names_an_input_dimension(tensor, dim, message):
    graph = DelegateGraph(
        tensors=[TensorInfo((2, 3)), TensorInfo((2, 3)), TensorInfo((2, 3))],
        ops=[
            Op(Opcode.RELU, (0,), (1,)),
            Op(Opcode.EXPAND_COPY, (1,), (2,), ((dimension_reference(tensor, dim), 3),)),
        ],
        inputs=[0],
        outputs=[2],
    )
    with pytest.raises(BlobFormatError, match=message):
        serialize(graph)


# (input shape, output_size, output shape, or None with the writer's message)
ADAPTIVE_POOL_SHAPES = [
    ((1, 2, 7, 7), (3, 5), (1, 2, 3, 5)),
    ((3, 2, 4), (5, 6), (3, 5, 6)),
    ((2, 7, 7), (0, 5), r"attribute output_size is \[0, 5\]; it needs 2 values >= 1"),
    ((7, 7), (1, 1), r"needs input \[n, c, h, w\] or \[c, h, w\], got \[7, 7\]"),
    ((1, 2, 0, 7), (1, 1), "needs an input of height and width >= 1"),
]


@pytest.mark.parametrize("x, output_size, out", ADAPTIVE_POOL_SHAPES)
def test_adaptive_pool2d_shape_rule(x, output_size, out):
    check_one_operand_rule(Opcode.ADAPTIVE_AVG_POOL2D, x, (output_size,), out)


@pytest.mark.parametrize("opcode, x, attrs, out", LAYOUT_SHAPES)
def test_layout_shape_rules(opcode, x, attrs, out):
    check_one_operand_rule(opcode, x, attrs, out)


def check_one_operand_rule(opcode, x, attrs, out):
    """A one-operand op on ``x``: it round-trips with output shape ``out`` and no other, or the
    writer refuses it with the message ``out``."""

    def graph(out_shape):
        return DelegateGraph(
            tensors=[TensorInfo(x), TensorInfo(out_shape)],
            ops=[Op(opcode, (0,), (1,), attrs)],
            inputs=[0],
            outputs=[1],
        )

    if isinstance(out, tuple):
        assert deserialize(serialize(graph(out))) == graph(out)
        with pytest.raises(BlobFormatError, match="but produces"):
            serialize(graph(out + (1,)))
    else:
        with pytest.raises(BlobFormatError, match=out):
            serialize(graph((1,)))
