"""Transformer and recurrent networks built from torch.nn, lowered whole and run on the C++ delegate.

Each model of ``{{ cookiecutter.package_name }}.test.models`` named below is exported, lowered with the partitioner and run from a .pte through
ExecuTorch's Python runtime. The test counts the nodes left outside the delegate
with ExecuTorch's ``get_delegation_info``: none may remain except the operators
that the docs name as CPU-only (the partitioner page, "Left on the CPU on
purpose"), each listed below with its reason. The output must match eager PyTorch
in float32.
"""

from __future__ import annotations

from typing import Dict

import pytest
from conftest import assert_matches_eager, compile_to_pte, run_pte

from {{ cookiecutter.package_name }} import load_runtime
from {{ cookiecutter.package_name }}.test.models import MODELS

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

# CPU-only operators these models may leave outside the delegate: {operator: reason}.
# None today: scaled_dot_product_attention is kept whole, so its bool-mask
# decomposition (where, logical_not, any...) never appears.
CPU_ONLY: Dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def runtime_library():
    return load_runtime()


# torch.export warns that nn.GRU and nn.LSTM refresh their _flat_weights list
# during export; the weights are parameters, and the exported program has them.
_RNN_FLAT_WEIGHTS = pytest.mark.filterwarnings(
    r"ignore:The tensor attributes self\.(\w+\.)*rnn\._flat_weights.*:UserWarning"
)

NETWORKS = [
    pytest.param("transformer_encoder_layer"),
    pytest.param("llm_block"),
    pytest.param("mha_float_mask"),
    pytest.param("gru", marks=_RNN_FLAT_WEIGHTS),
    pytest.param("lstm", marks=_RNN_FLAT_WEIGHTS),
]


@pytest.mark.parametrize("name", NETWORKS)
def test_model_is_delegated_whole_and_matches_eager(name, lower, tmp_path):
    case = MODELS[name]
    model, inputs = case.build(), case.inputs()
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "model.pte")
    unexpected = {op: count for op, count in compiled.non_delegated.items() if op not in CPU_ONLY}
    assert unexpected == {}, f"left on the CPU: {unexpected}"
    assert len(compiled.blobs) == 1, "the whole network should be one delegate"
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))
