"""Every entry of the operator-support table, alone, on the C++ runtime.

For each sample of each entry (``OpSupport.samples``: one per variant that
matters, such as clamp with only ``min``, or linear without bias) a model that
calls only that operator is exported, lowered with the partitioner, saved as a
.pte and run through ExecuTorch's Python runtime on the C++ delegate. The test
checks that the partitioner claimed the node, that the blob holds one op record
with the entry's opcode and attributes, that the delegate executed it (the
backend's ``executed_ops`` counter), and that the result matches eager PyTorch.

A new table entry is covered here without editing this file.
"""

from __future__ import annotations

import pytest
from conftest import TABLE_SAMPLES, assert_matches_eager, compile_to_pte, run_pte, sample_model

from {{ cookiecutter.package_name }} import load_runtime

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def runtime_library():
    return load_runtime()


@pytest.mark.parametrize("entry, sample", TABLE_SAMPLES)
def test_one_op_model_runs_on_the_delegate(entry, sample, lower, tmp_path):
    model, inputs = sample_model(entry, sample)
    compiled = compile_to_pte(lower, model, inputs, tmp_path / f"{entry.name}.pte")
    assert compiled.cpu_ops == [], f"{entry.name}: left on the CPU"
    (blob,) = compiled.blobs
    op, *output_copy = blob.ops
    assert op.opcode == entry.opcode
    assert len(output_copy) <= len(op.outputs)  # conftest.OUTPUT_COPY, one per output
    assert len(op.attrs) == len(entry.attrs)
    present = [shape is not None for shape in entry.sample_shapes(sample)]
    assert [index is not None for index in op.inputs] == present
    for run in range(2):  # buffers are reused across runs
        assert_matches_eager(model, inputs, run_pte(compiled, inputs))
        inputs = sample_model(entry, sample, seed=run + 1)[1]
