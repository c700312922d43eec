"""Bounded dynamic shapes: a dimension exported with ``torch.export.Dim(..., max=N)`` runs in
the delegate at every size up to N.

The blob records each tensor at its upper bound with the dimension's bit set in
``dynamic_dims``; init plans the buffers for the bounds, and every execute computes the
shapes of the call from the actual input sizes and resizes the delegate's outputs. One
program (a batch dimension through the tiny CNN, a sequence dimension through
linear/softmax/sum) is run at several sizes against eager PyTorch. A size above the bound is
refused, and a dimension without a bound stays on the CPU with the reason logged.
"""

from __future__ import annotations

import logging

import pytest
import torch
from conftest import TinyMLP, compile_to_pte, run_pte
from executorch.runtime import Runtime

from {{ cookiecutter.package_name }} import load_runtime
from {{ cookiecutter.package_name }}.op_support import why_unsupported
from {{ cookiecutter.package_name }}.runtime_library import get_option
from {{ cookiecutter.package_name }}.test.models import TinyCNN

Dim = torch.export.Dim
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


class SequencePool(torch.nn.Module):
    """Attention-style pooling over a sequence: a score per position, softmax over the
    sequence, the weighted sum, then log_softmax over the features; also returns the
    per-position activations, whose shape follows the sequence length."""

    def __init__(self, features: int = 8) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(features, features)

    def forward(self, x):
        y = self.fc(x)
        weights = torch.softmax(y, dim=1)
        pooled = (weights * y).sum(dim=1)
        return torch.log_softmax(pooled, dim=-1), torch.tanh(y)


def lower_dynamic(lower, model, example, dynamic_shapes):
    return lower(model.eval(), (example,), dynamic_shapes=dynamic_shapes)


def test_bounded_batch_is_delegated_with_its_bound(lower):
    lowered = lower_dynamic(lower, TinyMLP(), torch.randn(3, 4), ({0: Dim("batch", max=8)},))
    assert lowered.cpu_ops() == []
    (blob,) = lowered.blobs
    activations = [blob.tensors[i] for i in (*blob.inputs, *blob.outputs)]
    activations += [blob.tensors[op.outputs[0]] for op in blob.ops]
    # Every activation has the batch at its bound, 8, marked dynamic.
    assert all(t.sizes[0] == 8 and t.dynamic_dims == 0x1 for t in activations)
    # Weights and biases are static.
    assert all(blob.tensors[c.tensor_id].dynamic_dims == 0 for c in blob.constants)


def test_expressions_of_dimensions_get_their_bound(lower):
    """Dimensions computed from a dynamic one (a strided convolution's output) are bounded too."""
    lowered = lower_dynamic(
        lower, TinyCNN(), torch.randn(1, 3, 16, 16), ({2: Dim("h", min=16, max=32)},)
    )
    assert lowered.cpu_ops() == []
    (blob,) = lowered.blobs
    outputs = [blob.tensors[op.outputs[0]] for op in blob.ops]
    # conv 32 -> relu -> max pool 16 -> strided conv 8 -> relu -> avg pool 4.
    assert [t.sizes[2] for t in outputs[:6]] == [32, 32, 16, 8, 8, 4]
    # The global mean and the classifier do not depend on the height.
    assert [t.dynamic_dims for t in outputs] == [0x4] * 6 + [0, 0]


def test_unbounded_dimension_stays_on_cpu_with_the_reason(lower, caplog):
    logger = "{{ cookiecutter.package_name }}.partition.{{ cookiecutter.backend_slug }}_partitioner"
    with caplog.at_level(logging.DEBUG, logger=logger):
        lowered = lower_dynamic(lower, TinyMLP(), torch.randn(3, 4), ({0: Dim("batch")},))
    # Linear decomposes (permute_copy of the weight, then addmm): only the
    # weights' transposes, constant and static, may go to the delegate.
    assert set(lowered.delegated_ops()) <= {"permute_copy.default"}, lowered.delegated_ops()
    assert "relu.default" in lowered.cpu_ops() and "addmm.default" in lowered.cpu_ops()
    # The partitioner logs the table of the nodes left on the CPU with this reason.
    assert "nodes left on the CPU" in caplog.text and "aten_relu_default" in caplog.text
    graph = lowered.manager.exported_program().graph
    (relu,) = [n for n in graph.nodes if n.op == "call_function" and "relu" in str(n.target)]
    reason = why_unsupported(relu)
    assert "dimension 0 (s" in reason and "has no upper bound" in reason, reason
    assert "torch.export.Dim(..., max=N)" in reason


# --- running one program at several sizes ----------------------------------------------------


@pytest.fixture(scope="module")
def runtime_library():
    return load_runtime()


def run_at_sizes(compiled, model, shapes):
    """Runs the program at each input shape and compares with eager."""
    for shape in shapes:
        x = torch.randn(shape)
        outputs = run_pte(compiled, [x])
        with torch.no_grad():
            expected = model(x)
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert [tuple(o.shape) for o in outputs] == [tuple(e.shape) for e in expected], shape
        for actual, reference in zip(outputs, expected):
            torch.testing.assert_close(actual, reference, **TOLERANCE)


@pytest.mark.slow
def test_one_program_runs_every_batch_size_up_to_the_bound(lower, tmp_path, runtime_library):
    model = TinyCNN().eval()
    compiled = compile_to_pte(
        lambda m, inputs, partitioner: lower(m, inputs, partitioner, ({0: Dim("batch", max=4)},)),
        model,
        (torch.randn(2, 3, 16, 16),),
        tmp_path / "cnn.pte",
    )
    assert compiled.cpu_ops == [] and len(compiled.blobs) == 1
    run_at_sizes(compiled, model, [(1, 3, 16, 16), (3, 3, 16, 16), (4, 3, 16, 16), (2, 3, 16, 16)])


@pytest.mark.slow
def test_one_program_runs_every_sequence_length_up_to_the_bound(lower, tmp_path, runtime_library):
    model = SequencePool().eval()
    dynamic = ({1: Dim("seq", max=16)},)
    compiled = compile_to_pte(
        lambda m, inputs, partitioner: lower(m, inputs, partitioner, dynamic),
        model,
        (torch.randn(2, 5, 8),),
        tmp_path / "seq.pte",
    )
    assert compiled.cpu_ops == [] and len(compiled.blobs) == 1
    run_at_sizes(compiled, model, [(2, 1, 8), (2, 9, 8), (2, 16, 8), (2, 5, 8)])


@pytest.mark.slow
def test_sizes_above_the_bound_are_refused(lower, tmp_path, runtime_library, capfd):
    model = SequencePool().eval()
    dynamic = ({0: Dim("batch", max=2), 1: Dim("seq", max=16)},)
    compiled = compile_to_pte(
        lambda m, inputs, partitioner: lower(m, inputs, partitioner, dynamic),
        model,
        (torch.randn(2, 5, 8),),
        tmp_path / "seq.pte",
    )
    method = Runtime.get().load_program(compiled.path).load_method("forward")
    before = get_option("executed_ops")
    capfd.readouterr()
    # Within the input's capacity (2 x 16 x 8 elements), above the sequence bound: the
    # delegate refuses it, naming the input, the dimension and the bound.
    with pytest.raises(RuntimeError, match="0x12"):
        method.execute([torch.randn(1, 32, 8)])
    log = capfd.readouterr().err
    assert (
        "{{ cookiecutter.__backend_id }}: delegate input 0 has size 32 in dimension 1, above its upper bound 16"
        in log
    ), log
    # More elements than the bounds allow: ExecuTorch refuses to resize the input.
    with pytest.raises(RuntimeError, match="0x10"):
        method.execute([torch.randn(2, 17, 8)])
    assert "maximum capacity of 256 elements" in capfd.readouterr().err
    assert get_option("executed_ops") == before
    # The method still runs at a size within the bounds.
    run_at_sizes(compiled, model, [(1, 16, 8)])
