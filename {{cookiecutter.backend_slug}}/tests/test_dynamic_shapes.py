"""Bounded dynamic shapes: a dimension exported with ``torch.export.Dim(..., max=N)`` runs in
the delegate at every size up to N.

The blob records each tensor at its upper bound with the dimension's bit set in
``dynamic_dims``; init plans the buffers for the bounds, and every execute computes the
shapes of the call from the actual input sizes and resizes the delegate's outputs. One
program (a batch dimension through the tiny CNN, a sequence dimension through
linear/softmax/sum and through attention blocks, whose views take the sequence length as a
size the runtime infers) is run at several sizes against eager PyTorch. A size above the bound is
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
from {{ cookiecutter.package_name }}.serialization.op_schema import Opcode
from {{ cookiecutter.package_name }}.test.models import MODELS, LlmBlock, TinyCNN, encoder_layer

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
    return lower_dynamic_inputs(lower, model, (example,), dynamic_shapes)


def lower_dynamic_inputs(lower, model, examples, dynamic_shapes):
    return lower(model.eval(), examples, dynamic_shapes=dynamic_shapes)


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


# The head split and merge of attention are views whose size depends on the dynamic dimension
# (``x.view(batch, length, heads, -1)``): the view stores that entry as -1 and the runtime
# infers it per call, so the sizes' arithmetic goes into the delegate with the views.
ATTENTION_BLOCKS = [
    pytest.param(
        encoder_layer,
        (2, 8, 32),
        {1: Dim("seq", max=16)},
        [(2, 1, 32), (2, 16, 32), (2, 11, 32)],
        id="encoder_seq",
    ),
    pytest.param(
        encoder_layer,
        (2, 8, 32),
        {0: Dim("batch", max=4)},
        [(1, 8, 32), (4, 8, 32), (3, 8, 32)],
        id="encoder_batch",
    ),
    pytest.param(
        LlmBlock,
        (1, 8, 32),
        {1: Dim("seq", max=16)},
        [(1, 1, 32), (1, 16, 32), (1, 5, 32)],
        id="llm_block_seq",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("make_model, example_shape, dims, shapes", ATTENTION_BLOCKS)
def test_attention_blocks_run_every_size_up_to_the_bound(
    make_model, example_shape, dims, shapes, lower, tmp_path, runtime_library
):
    torch.manual_seed(0)
    model = make_model().eval()
    compiled = compile_to_pte(
        lambda m, inputs, partitioner: lower(m, inputs, partitioner, (dims,)),
        model,
        (torch.randn(example_shape),),
        tmp_path / "block.pte",
    )
    assert compiled.cpu_ops == [] and len(compiled.blobs) == 1
    run_at_sizes(compiled, model, shapes)


def test_a_view_infers_one_dynamic_entry_and_its_size_goes_with_it(lower):
    """A view's one dynamic entry is stored as -1, and the size arithmetic goes into the
    delegate with it. A view with a dynamic entry beside its own -1 stays on the CPU, and so
    does every view reading the same size: a delegate cannot return a size to the CPU."""

    class Views(torch.nn.Module):
        def forward(self, x, y):
            heads = x.view(x.shape[0], 3, 2, 4)  # one dynamic entry
            return heads.relu(), y.view(y.shape[0], 2, -1).tanh()  # a dynamic entry and a -1

    dims = ({0: Dim("batch", max=4)}, {0: Dim("rows", max=4)})
    lowered = lower_dynamic_inputs(lower, Views(), (torch.randn(2, 3, 8), torch.randn(2, 8)), dims)
    blobs = lowered.blobs
    sizes = [
        list(op.attrs[0]) for blob in blobs for op in blob.ops if op.opcode == Opcode.VIEW_COPY
    ]
    assert sizes == [[-1, 3, 2, 4]], sizes
    assert lowered.cpu_ops().count("view_copy.default") == 1, lowered.cpu_ops()
    graph = lowered.manager.exported_program().graph
    (view,) = [n for n in graph.nodes if n.op == "call_function" and "view_copy" in str(n.target)]
    reason = why_unsupported(view)
    assert "1 entries depend on a dynamic dimension besides a -1" in reason, reason
    (size,) = [n for n in graph.nodes if n.op == "call_function" and "sym_size" in str(n.target)]
    assert f"is also read by {view.name}, which stays on the CPU" in why_unsupported(size)


def test_a_size_read_by_two_delegates_stays_on_the_cpu_with_its_views(lower):
    """floor (not in the table) splits the graph: both views read the batch size, which one
    delegate cannot hand to the other, so the size and both views stay on the CPU."""

    class Split(torch.nn.Module):
        def forward(self, x):
            batch = x.shape[0]
            y = torch.floor(x.view(batch, 3, 8).relu())
            return y.view(batch, 24).tanh()

    lowered = lower_dynamic(lower, Split(), torch.randn(2, 24), ({0: Dim("batch", max=4)},))
    assert sorted(lowered.cpu_ops()) == [
        "floor.default",
        "sym_size.int",
        "view_copy.default",
        "view_copy.default",
    ]
    assert sorted(lowered.delegated_ops()) == ["relu.default", "tanh.default"]


def test_a_split_with_dynamic_outputs_stays_on_the_cpu(lower):
    """The runtime computes the shape of an op's first output per call, so a split whose
    outputs have a dynamic dimension (an LSTM's gates with a dynamic batch) stays on the
    CPU with the reason, and the rest of the network is still delegated."""
    case = MODELS["lstm"]
    lowered = lower_dynamic(lower, case.build(), case.inputs()[0], ({0: Dim("batch", max=4)},))
    assert "split_with_sizes_copy.default" in lowered.cpu_ops()
    assert "addmm.default" in lowered.delegated_ops()
    graph = lowered.manager.exported_program().graph
    split = next(n for n in graph.nodes if "split_with_sizes" in str(n.target))
    assert "it has several outputs and dynamic dimensions" in why_unsupported(split)
