"""Transformer and recurrent networks built from torch.nn, lowered whole and run on the C++ delegate.

Each model is exported, lowered with the partitioner and run from a .pte through
ExecuTorch's Python runtime. The test counts the nodes left outside the delegate
with ExecuTorch's ``get_delegation_info``: none may remain except the operators
that the docs name as CPU-only (the partitioner page, "Left on the CPU on
purpose"), each listed below with its reason. The output must match eager PyTorch
in float32.
"""

from __future__ import annotations

from typing import Dict

import pytest
import torch
import torch.nn.functional as F
from conftest import assert_matches_eager, compile_to_pte, run_pte

from {{ cookiecutter.package_name }} import load_runtime

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

# CPU-only operators these models may leave outside the delegate: {operator: reason}.
# None today: scaled_dot_product_attention is kept whole, so its bool-mask
# decomposition (where, logical_not, any...) never appears.
CPU_ONLY: Dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def runtime_library():
    return load_runtime()


class LlmBlock(torch.nn.Module):
    """Pre-norm decoder block: RMSNorm, q/k/v/o projections, causal attention, SiLU-gated MLP."""

    def __init__(self, dim: int = 32, heads: int = 4, hidden: int = 64) -> None:
        super().__init__()
        self.heads = heads
        self.attention_norm = torch.nn.RMSNorm(dim)
        self.mlp_norm = torch.nn.RMSNorm(dim)
        self.q = torch.nn.Linear(dim, dim, bias=False)
        self.k = torch.nn.Linear(dim, dim, bias=False)
        self.v = torch.nn.Linear(dim, dim, bias=False)
        self.o = torch.nn.Linear(dim, dim, bias=False)
        self.gate = torch.nn.Linear(dim, hidden, bias=False)
        self.up = torch.nn.Linear(dim, hidden, bias=False)
        self.down = torch.nn.Linear(hidden, dim, bias=False)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        return x.view(batch, length, self.heads, dim // self.heads).transpose(1, 2)

    def forward(self, x):
        batch, length, dim = x.shape
        y = self.attention_norm(x)
        q, k, v = self._heads(self.q(y)), self._heads(self.k(y)), self._heads(self.v(y))
        attention = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(attention.transpose(1, 2).reshape(batch, length, dim))
        y = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class MaskedAttention(torch.nn.Module):
    """nn.MultiheadAttention with an additive float mask (a band of visible positions)."""

    def __init__(self, dim: int = 32, heads: int = 4, length: int = 6) -> None:
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
        positions = torch.arange(length)
        band = (positions[None, :] - positions[:, None]).abs() <= 2
        self.register_buffer("mask", torch.zeros(length, length).masked_fill(~band, float("-inf")))

    def forward(self, x):
        return self.attention(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class Recurrent(torch.nn.Module):
    """A one-layer GRU or LSTM over the sequence, returning every step's output."""

    def __init__(self, kind: type) -> None:
        super().__init__()
        self.rnn = kind(16, 32, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0]


def encoder_layer() -> torch.nn.Module:
    return torch.nn.TransformerEncoderLayer(
        32, 4, 64, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    )


# torch.export warns that nn.GRU and nn.LSTM refresh their _flat_weights list
# during export; the weights are parameters, and the exported program has them.
_RNN_FLAT_WEIGHTS = pytest.mark.filterwarnings(
    r"ignore:The tensor attributes self\.rnn\._flat_weights.*:UserWarning"
)

MODELS = [
    pytest.param(encoder_layer, (2, 8, 32), id="transformer_encoder_layer"),
    pytest.param(LlmBlock, (1, 8, 32), id="llm_block"),
    pytest.param(MaskedAttention, (2, 6, 32), id="mha_float_mask"),
    pytest.param(lambda: Recurrent(torch.nn.GRU), (2, 5, 16), id="gru", marks=_RNN_FLAT_WEIGHTS),
    pytest.param(lambda: Recurrent(torch.nn.LSTM), (2, 5, 16), id="lstm", marks=_RNN_FLAT_WEIGHTS),
]


@pytest.mark.parametrize("make_model, shape", MODELS)
def test_model_is_delegated_whole_and_matches_eager(make_model, shape, lower, tmp_path):
    torch.manual_seed(0)
    model = make_model().eval()
    inputs = (torch.randn(shape),)
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "model.pte")
    unexpected = {op: count for op, count in compiled.non_delegated.items() if op not in CPU_ONLY}
    assert unexpected == {}, f"left on the CPU: {unexpected}"
    assert len(compiled.blobs) == 1, "the whole network should be one delegate"
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))
