"""The example scripts run and produce what they promise."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from conftest import BACKEND_ID
from executorch.exir._serialize._program import deserialize_pte_binary

from {{ cookiecutter.package_name }}.serialization import Opcode, deserialize

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_export_model_writes_a_delegated_program(tmp_path, monkeypatch, capsys):
    output = tmp_path / "out" / "model.pte"
    monkeypatch.setattr(sys, "argv", ["export_model.py", "--output", str(output), "--debug-names"])
    try:
        runpy.run_path(str(EXAMPLES / "export_model.py"), run_name="__main__")
    except SystemExit as exit:
        assert exit.code == 0
    printed = capsys.readouterr().out
    assert f"backend_id: {BACKEND_ID}" in printed
    assert f"wrote {output}" in printed

    program = deserialize_pte_binary(output.read_bytes()).program
    (delegate,) = program.execution_plan[0].delegates
    assert delegate.id == BACKEND_ID
    graph = deserialize(program.backend_delegate_data[delegate.processed.index].data)
    assert [op.opcode for op in graph.ops] == [
        Opcode.LINEAR,
        Opcode.RELU,
        Opcode.LINEAR,
        Opcode.SIGMOID,
    ]
    assert all(op.name for op in graph.ops)
