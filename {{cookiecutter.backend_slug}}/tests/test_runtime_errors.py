"""Malformed delegate blobs inside a real .pte fail at load time with a clear
message, and the process keeps working: a good program loads and runs right
after each failure.

The bad blobs come from the real preprocess, corrupted on the way into the
.pte (truncated, wrong magic, wrong version, an out-of-range tensor index,
a constant key missing from the named data).
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path
from typing import Callable, Optional

import pytest
import torch
from executorch.exir import to_edge_transform_and_lower
from executorch.runtime import Runtime

from {{ cookiecutter.package_name }} import {{ cookiecutter.__backend_id }}, {{ cookiecutter.__partitioner_class }}, load_runtime
from {{ cookiecutter.package_name }}.runtime_library import get_option
from {{ cookiecutter.package_name }}.serialization.blob_format import deserialize, serialize

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

# ExecuTorch's Error::InvalidProgram and Error::NotFound, as the Python
# bindings print them.
INVALID_PROGRAM = "0x:23"
NOT_FOUND = "0x:20"


@pytest.fixture(scope="module", autouse=True)
def runtime_library() -> Path:
    return load_runtime()


class SmallModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(3)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.fc(x))


INPUTS = (torch.randn(2, 4),)


def write_pte(
    path: Path, monkeypatch=None, corrupt: Optional[Callable[[bytes], bytes]] = None
) -> Path:
    """Lowers SmallModel to ``path``; ``corrupt`` rewrites the blob preprocess made."""
    if corrupt is not None:
        preprocess = {{ cookiecutter.__backend_id }}.preprocess

        def corrupting_preprocess(edge_program, compile_specs):
            result = preprocess(edge_program, compile_specs)
            result.processed_bytes = corrupt(result.processed_bytes)
            return result

        monkeypatch.setattr({{ cookiecutter.__backend_id }}, "preprocess", staticmethod(corrupting_preprocess))
    exported = torch.export.export(SmallModel().eval(), INPUTS)
    manager = to_edge_transform_and_lower(exported, partitioner=[{{ cookiecutter.__partitioner_class }}()])
    path.write_bytes(manager.to_executorch().buffer)
    return path


@pytest.fixture(scope="module")
def good_pte(tmp_path_factory) -> Path:
    return write_pte(tmp_path_factory.mktemp("good") / "good.pte")


def assert_good_program_runs(path: Path) -> None:
    before = get_option("executed_ops")
    (output,) = Runtime.get().load_program(path).load_method("forward").execute(list(INPUTS))
    assert get_option("executed_ops") - before == 2  # linear, relu
    with torch.no_grad():
        torch.testing.assert_close(output, SmallModel()(*INPUTS), rtol=1e-5, atol=1e-5)


def patch_u32(offset: int, value: int) -> Callable[[bytes], bytes]:
    def corrupt(blob: bytes) -> bytes:
        data = bytearray(blob)
        struct.pack_into("<I", data, offset, value)
        return bytes(data)

    return corrupt


def first_op_input_out_of_range(blob: bytes) -> bytes:
    # Header counts (FORMAT.md): tensors, ops, attributes at bytes 12, 16, 20;
    # the tensor refs follow the tensor, op and attribute records.
    num_tensors, num_ops, num_attrs = struct.unpack_from("<3I", blob, 12)
    first_op = 64 + 64 * num_tensors
    (inputs_first,) = struct.unpack_from("<I", blob, first_op + 4)
    refs = first_op + 40 * num_ops + 16 * num_attrs
    return patch_u32(refs + 4 * inputs_first, num_tensors + 7)(blob)


def constant_key_not_in_named_data(blob: bytes) -> bytes:
    # A well-formed blob whose first constant names data the program lacks.
    graph = deserialize(blob)
    constant = graph.constants[0]
    graph.constants[0] = dataclasses.replace(constant, key=constant.key[:-8] + "00000000")
    return serialize(graph)


MALFORMED = {
    "truncated": (lambda blob: blob[:-5], INVALID_PROGRAM, "(truncated or corrupted)"),
    "wrong_magic": (lambda blob: b"ETRX" + blob[4:], INVALID_PROGRAM, "bad magic"),
    "wrong_version": (
        patch_u32(4, 1),
        INVALID_PROGRAM,
        "format version 1; this runtime reads version 2: re-export the model with this release",
    ),
    "index_out_of_range": (first_op_input_out_of_range, INVALID_PROGRAM, "refers to tensor"),
    "missing_named_data": (
        constant_key_not_in_named_data,
        NOT_FOUND,
        "is not in the program's named data",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_blob_fails_at_load_and_process_keeps_working(
    case, tmp_path, monkeypatch, capfd, good_pte
):
    corrupt, error_code, message = MALFORMED[case]
    bad_pte = write_pte(tmp_path / f"{case}.pte", monkeypatch, corrupt)
    program = Runtime.get().load_program(bad_pte)
    before = get_option("executed_ops")
    with pytest.raises(RuntimeError, match="Failed to load method forward") as failure:
        program.load_method("forward")
    assert error_code in str(failure.value)
    log = capfd.readouterr().err
    assert "{{ cookiecutter.__backend_id }}: " in log and message in log, log
    assert get_option("executed_ops") == before

    assert_good_program_runs(good_pte)
