"""Convolutional networks built from torch.nn, lowered whole and run on the C++ delegate.

Each model of ``{{ cookiecutter.package_name }}.test.models`` is exported, lowered with the
partitioner and run from a .pte through ExecuTorch's Python runtime; the test
checks that no operator stayed on the CPU (one delegate call holds the whole
network) and that the output matches eager PyTorch in float32.
"""

from __future__ import annotations

import pytest
from conftest import assert_matches_eager, compile_to_pte, run_pte

from {{ cookiecutter.package_name }} import load_runtime
from {{ cookiecutter.package_name }}.test.models import MODELS

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

CNNS = ["tiny_cnn", "resnet_block", "mobilenet_v2_small"]


@pytest.fixture(scope="module", autouse=True)
def runtime_library():
    return load_runtime()


@pytest.mark.parametrize("name", CNNS)
def test_cnn_is_delegated_whole_and_matches_eager(name, lower, tmp_path):
    case = MODELS[name]
    model, inputs = case.build(), case.inputs()
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "model.pte")
    assert compiled.cpu_ops == [], f"left on the CPU: {compiled.cpu_ops}"
    assert len(compiled.blobs) == 1, "the whole network should be one delegate"
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))
