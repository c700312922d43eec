"""The blob writer and reader follow serialization/FORMAT.md byte for byte."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.serialization.blob_format import (
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

UNUSED = 0xFFFFFFFF


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
            Op(Opcode.LINEAR, (0, 1, 2), 3, name="linear"),
            Op(Opcode.CLAMP, (3,), 4, params=(-0.5, float("inf")), name="clamp"),
        ],
        inputs=[0],
        outputs=[4, 3],
        constants=[Constant(1, "weight_key", 48), Constant(2, "bias_key", 16)],
    )


def test_round_trip_keeps_every_field():
    graph = small_graph()
    assert deserialize(serialize(graph)) == graph


def test_layout_matches_the_format_page():
    """Build the expected bytes by hand from the FORMAT.md tables."""
    graph = DelegateGraph(
        tensors=[TensorInfo((2,)), TensorInfo((2,))],
        ops=[Op(Opcode.ADD, (0, 0), 1, params=(0.5, 0.0), name="add")],
        inputs=[0],
        outputs=[1],
    )
    tensor = lambda size: struct.pack("<II", 6, 1) + struct.pack("<8I", size, *[0] * 7)
    op = struct.pack("<II3IIffII", 1, 2, 0, 0, UNUSED, 1, 0.5, 0.0, 0, 3)
    body = tensor(2) + tensor(2) + op + struct.pack("<I", 0) + struct.pack("<I", 1) + b"add"
    header = b"ETRB" + struct.pack("<9IQ", 1, 48, 2, 1, 1, 1, 0, 3, 0, 48 + len(body))
    assert serialize(graph) == header + body


def test_equal_strings_are_stored_once():
    graph = small_graph()
    graph.constants = [Constant(1, "same", 48), Constant(2, "same", 16)]
    blob = serialize(graph)
    assert blob.count(b"same") == 1
    assert deserialize(blob).constants == graph.constants


def test_names_are_optional():
    graph = small_graph()
    graph.ops = [Op(op.opcode, op.inputs, op.output, op.params) for op in graph.ops]
    assert [op.name for op in deserialize(serialize(graph)).ops] == ["", ""]


# --- what a reader must refuse ---------------------------------------------

HEADER = struct.Struct("<4s9IQ")


def patch(blob: bytes, offset: int, fmt: str, *values) -> bytes:
    data = bytearray(blob)
    struct.pack_into(fmt, data, offset, *values)
    return bytes(data)


def offsets(graph: DelegateGraph):
    tensors = 48
    ops = tensors + 40 * len(graph.tensors)
    inputs = ops + 40 * len(graph.ops)
    outputs = inputs + 4 * len(graph.inputs)
    constants = outputs + 4 * len(graph.outputs)
    return {"tensors": tensors, "ops": ops, "inputs": inputs, "outputs": outputs, "constants": constants}


GOOD = serialize(small_graph())
AT = offsets(small_graph())

REFUSED = {
    "empty": (b"", r"truncated: 0 bytes, smaller than the 48-byte header"),
    "header only": (GOOD[:48], r"truncated: 48 bytes, header says \d+"),
    "one byte short": (GOOD[:-1], r"truncated: \d+ bytes, header says \d+"),
    "trailing byte": (GOOD + b"\0", r"longer than its total_size"),
    "wrong magic": (b"ETRX" + GOOD[4:], r"bad magic b'ETRX'; expected b'ETRB'"),
    "wrong version": (
        patch(GOOD, 4, "<I", 2),
        rf"unsupported format version 2; this reader supports version {FORMAT_VERSION}",
    ),
    "wrong header size": (patch(GOOD, 8, "<I", 52), r"header_size is 52"),
    "flags set": (patch(GOOD, 36, "<I", 1), r"flags is 0x1"),
    "total_size lies": (patch(GOOD, 40, "<Q", len(GOOD) + 4), r"total_size is \d+, but the header's counts"),
    "dtype not float32": (patch(GOOD, AT["tensors"], "<I", 3), r"tensor 0 has dtype 3"),
    "rank 9": (patch(GOOD, AT["tensors"] + 4, "<I", 9), r"tensor 0 has rank 9; the maximum is 8"),
    "size beyond rank": (patch(GOOD, AT["tensors"] + 8 + 4 * 2, "<I", 7), r"nonzero sizes beyond its rank 2"),
    "unknown opcode": (patch(GOOD, AT["ops"], "<I", 99), r"op 0 \(opcode 99\) has unknown opcode 99"),
    "too many inputs": (patch(GOOD, AT["ops"] + 4, "<I", 4), r"op 0 \(linear\) has num_inputs 4"),
    "arity": (patch(GOOD, AT["ops"] + 40 + 4, "<II", 2, 3), r"op 1 \(clamp\) has 2 inputs; it takes 1"),
    "unused slot": (patch(GOOD, AT["ops"] + 40 + 12, "<I", 0), r"unused input slots not set to 0xFFFFFFFF"),
    "op input out of range": (
        patch(GOOD, AT["ops"] + 8, "<I", 5),
        r"op 0 \(linear\) input 0 refers to tensor 5, but there are 5 tensors",
    ),
    "op output out of range": (
        patch(GOOD, AT["ops"] + 20, "<I", 77),
        r"the output of op 0 \(linear\) refers to tensor 77",
    ),
    "graph input out of range": (patch(GOOD, AT["inputs"], "<I", 5), r"input 0 refers to tensor 5"),
    "graph output out of range": (patch(GOOD, AT["outputs"] + 4, "<I", 9), r"output 1 refers to tensor 9"),
    "constant out of range": (patch(GOOD, AT["constants"], "<I", 5), r"constant 0 refers to tensor 5"),
    "constant reserved": (patch(GOOD, AT["constants"] + 12, "<I", 1), r"constant 0 has reserved field 1"),
    "constant size": (patch(GOOD, AT["constants"] + 16, "<Q", 4), r"constant 0 has nbytes 4, but tensor 1 \[4, 3\] needs 48"),
    "key outside the string table": (
        patch(GOOD, AT["constants"] + 4, "<I", 1000),
        r"constant 0 key spans string table bytes 1000\.\.\d+, but the table has \d+ bytes",
    ),
    "name outside the string table": (
        patch(GOOD, AT["ops"] + 36, "<I", 1000),
        r"op 0 \(linear\) name spans string table bytes",
    ),
    "read before written": (
        patch(GOOD, AT["ops"] + 40 + 8, "<I", 4),
        r"op 1 \(clamp\) reads tensor 4 before it is produced",
    ),
    "two producers": (
        patch(GOOD, AT["ops"] + 40 + 20, "<I", 3),
        r"tensor 3 is both the output of op 0 \(linear\) and the output of op 1 \(clamp\)",
    ),
    "input written by an op": (patch(GOOD, AT["ops"] + 20, "<I", 0), r"tensor 0 is both input 0 and the output of op 0"),
    "wrong output shape": (
        patch(GOOD, AT["tensors"] + 4 * 40 + 8, "<I", 3),
        r"op 1 \(clamp\) writes tensor 4 of shape \[3, 4\], but produces \[2, 4\]",
    ),
    "unused param set": (patch(GOOD, AT["ops"] + 24, "<f", 1.0), r"op 0 \(linear\) param 0 is 1.0; unused params must be 0"),
}


@pytest.mark.parametrize("blob, message", REFUSED.values(), ids=REFUSED.keys())
def test_reader_refuses(blob, message):
    with pytest.raises(BlobFormatError, match=message):
        deserialize(blob)


def test_unreferenced_tensor_is_refused():
    graph = small_graph()
    graph.tensors.append(TensorInfo((1,)))
    with pytest.raises(BlobFormatError, match="tensor 5 is neither an input, a constant nor an op output"):
        serialize(graph)


def test_writer_refuses_bad_broadcast():
    graph = DelegateGraph(
        tensors=[TensorInfo((2, 3)), TensorInfo((4,)), TensorInfo((2, 3))],
        ops=[Op(Opcode.MUL, (0, 1), 2)],
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
def test_output_shapes_follow_the_opcode(opcode, a, b, out):
    good = DelegateGraph(
        tensors=[TensorInfo(a), TensorInfo(b), TensorInfo(out)],
        ops=[Op(opcode, (0, 1), 2)],
        inputs=[0, 1],
        outputs=[2],
    )
    assert deserialize(serialize(good)) == good
    bad = DelegateGraph(good.tensors[:2] + [TensorInfo(out + (1,))], good.ops, good.inputs, good.outputs)
    with pytest.raises(BlobFormatError):
        serialize(bad)


def test_dump_cli(tmp_path):
    path = tmp_path / "delegate.bin"
    path.write_bytes(GOOD)
    module = "{{ cookiecutter.package_name }}.serialization"
    shown = subprocess.run([sys.executable, "-m", module, str(path)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "t3 = linear(t0, t1, t2)  # linear" in shown.stdout
    assert "t4 = clamp(t3) min=-0.5 max=inf  # clamp" in shown.stdout

    path.write_bytes(GOOD[:-1])
    refused = subprocess.run([sys.executable, "-m", module, str(path)], capture_output=True, text=True)
    assert refused.returncode == 1
    assert "invalid blob: blob is truncated" in refused.stderr
