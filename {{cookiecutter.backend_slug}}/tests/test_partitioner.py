"""{{ cookiecutter.__partitioner_class }} claims exactly the supported ops and leaves the rest on the CPU."""

from __future__ import annotations

import pytest
import torch
from conftest import (
    BACKEND_ID,
    OUTPUT_COPY,
    TABLE_SAMPLES,
    Fn,
    TinyMLP,
    sample_model,
    unsupported_unary,
)
from executorch.exir import to_edge
from executorch.exir._serialize._program import deserialize_pte_binary
from executorch.exir.backend.compile_spec_schema import CompileSpec

from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}, generate_compile_specs
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT, OP_SUPPORT_BY_NAME, why_unsupported
from {{ cookiecutter.package_name }}.serialization import deserialize

x23 = lambda: torch.randn(2, 3)


def delegated_name(entry) -> str:
    """'add.Tensor' for aten.add.Tensor: how Lowered names operators."""
    return str(entry.aten_op).split(".", 1)[-1]


@pytest.mark.parametrize("entry, sample", TABLE_SAMPLES)
def test_supported_op_is_delegated(lower, entry, sample):
    model, inputs = sample_model(entry, sample)
    lowered = lower(model, inputs)
    name = delegated_name(entry)
    # At most one output copy per output (split has several outputs).
    outputs = len(model(*inputs)) if entry.variadic_outputs else 1
    copies = [[OUTPUT_COPY] * count for count in range(outputs + 1)]
    assert lowered.delegated_ops() in [[name] + copy for copy in copies]
    assert lowered.cpu_ops() == []
    assert len(lowered.delegate_calls) == 1


# An elementwise operator the table lacks (derived from the table, so that
# adding an operator never turns this into a supported one).
OTHER_OP = unsupported_unary()
OTHER = f"{OTHER_OP.overloadpacket.__name__}.default"
other = lambda a: OTHER_OP(a)  # noqa: E731

UNSUPPORTED = {
    "not in the table": (Fn(other), (x23(),), OTHER),
    "int tensors": (Fn(torch.add), (torch.ones(2, 3, dtype=torch.int32),) * 2, "add.Tensor"),
    "float64": (Fn(torch.tanh), (torch.randn(2, 3, dtype=torch.float64),), "tanh.default"),
    "div rounding_mode": (
        Fn(lambda a, b: torch.div(a, b, rounding_mode="floor")),
        (x23(), x23()),
        "div.Tensor_mode",
    ),
    "clamp tensor bounds": (
        Fn(lambda a, lo: torch.clamp(a, lo, None)),
        (x23(), x23()),
        "clamp.Tensor",
    ),
    "rank 9": (Fn(torch.relu), (torch.randn(*[1] * 9),), "relu.default"),
}


@pytest.mark.parametrize("model, inputs, op", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_op_stays_on_cpu(lower, model, inputs, op):
    lowered = lower(model, inputs)
    assert lowered.delegate_calls == []
    assert op in lowered.cpu_ops()


class Tanh(torch.nn.Module):
    def forward(self, x):
        return torch.tanh(x)


def test_bounded_dynamic_shapes_are_delegated(lower):
    # More in test_dynamic_shapes.py; an unbounded dimension stays on the CPU.
    batch = torch.export.Dim("batch", min=2, max=8)
    lowered = lower(Tanh(), (torch.randn(4, 3),), dynamic_shapes=({0: batch},))
    assert lowered.cpu_ops() == []
    assert lowered.delegated_ops() == ["tanh.default"]


class Mixed(torch.nn.Module):
    """Supported ops on both sides of an unsupported one: two partitions."""

    def forward(self, x, y):
        a = torch.tanh(x * y)
        b = other(a)
        return torch.sigmoid(b + y)


def test_unsupported_op_splits_the_graph(lower):
    lowered = lower(Mixed(), (x23(), x23()))
    assert len(lowered.delegate_calls) == 2
    assert lowered.cpu_ops() == [OTHER]
    assert sorted(lowered.delegated_ops()) == sorted(
        ["mul.Tensor", "tanh.default", "add.Tensor", "sigmoid.default"]
    )


def test_independent_branches_share_one_partition(lower):
    lowered = lower(Fn(lambda a, b: (torch.tanh(a), torch.relu(b))), (x23(), x23()))
    assert len(lowered.delegate_calls) == 1


@pytest.mark.parametrize("skip", ["tanh", torch.ops.aten.tanh.default])
def test_skip_ops_keeps_an_op_on_cpu(lower, skip):
    model = Fn(lambda a: torch.relu(torch.tanh(a)))
    lowered = lower(model, (x23(),), {{ cookiecutter.__partitioner_class }}(skip_ops=[skip]))
    assert lowered.cpu_ops() == ["tanh.default"]
    assert lowered.delegated_ops() == ["relu.default"]


def test_single_node_partitions_can_be_refused(lower):
    model = Fn(lambda a: other(torch.tanh(other(a))))
    assert len(lower(model, (x23(),)).delegate_calls) == 1
    partitioner = {{ cookiecutter.__partitioner_class }}(allows_single_node_partition=False)
    lowered = lower(model, (x23(),), partitioner)
    assert lowered.delegate_calls == []
    assert "tanh.default" in lowered.cpu_ops()


def test_linear_is_kept_whole_unless_skipped(lower):
    model = torch.nn.Linear(3, 4)
    assert lower(model, (x23(),)).delegated_ops() == ["linear.default"]
    lowered = lower(model, (x23(),), {{ cookiecutter.__partitioner_class }}(skip_ops=["linear"]))
    # Decomposed by the edge dialect into pieces the delegate runs.
    assert "linear.default" not in lowered.delegated_ops() + lowered.cpu_ops()
    assert lowered.delegated_ops() == ["permute_copy.default", "addmm.default"]


def test_linear_filter_only_keeps_supported_linears():
    partitioner = {{ cookiecutter.__partitioner_class }}()
    ops, keep = partitioner.ops_to_not_decompose(None)
    kept_whole = [entry for entry in OP_SUPPORT if entry.keep_undecomposed]
    assert ops == [entry.aten_op for entry in kept_whole]
    assert torch.ops.aten.linear.default in ops

    def linear_node(dtype):
        model = torch.nn.Linear(3, 4).to(dtype)
        exported = torch.export.export(model, (torch.randn(2, 3, dtype=dtype),))
        return next(n for n in exported.graph.nodes if n.target == torch.ops.aten.linear.default)

    assert keep(linear_node(torch.float32))
    assert not keep(linear_node(torch.float64))
    skip_all = [entry.name for entry in kept_whole]
    assert {{ cookiecutter.__partitioner_class }}(skip_ops=skip_all).ops_to_not_decompose(None) == ([], None)


def test_filter_is_asked_for_only_when_it_would_refuse_a_node(lower):
    """A filter costs the lowering one more decomposition pass over the graph."""
    partitioner = {{ cookiecutter.__partitioner_class }}()

    class TwoLinears(torch.nn.Module):
        def __init__(self, second_dtype):
            super().__init__()
            self.first = torch.nn.Linear(3, 4)
            self.second = torch.nn.Linear(4, 2).to(second_dtype)

        def forward(self, x):
            return self.second(self.first(x).to(self.second.weight.dtype))

    def ops_to_not_decompose(model):
        exported = torch.export.export(model, (x23(),)).run_decompositions({})
        return partitioner.ops_to_not_decompose(exported)

    assert ops_to_not_decompose(TwoLinears(torch.float32)) == (
        [torch.ops.aten.linear.default],
        None,
    )
    assert ops_to_not_decompose(Fn(torch.tanh)) == ([], None)
    ops, keep = ops_to_not_decompose(TwoLinears(torch.float64))
    assert torch.ops.aten.linear.default in ops and keep is not None
    # The float64 linear is decomposed for the CPU; the float32 one is delegated whole.
    lowered = lower(TwoLinears(torch.float64), (x23(),))
    assert "linear.default" in lowered.delegated_ops()
    assert "linear.default" not in lowered.cpu_ops()


def test_unknown_skip_op_is_refused():
    name = OTHER_OP.overloadpacket.__name__
    with pytest.raises(
        ValueError, match=rf"skip_ops: '{name}' is not a supported operator; known names: add, sub"
    ):
        {{ cookiecutter.__partitioner_class }}(skip_ops=[name])
    with pytest.raises(ValueError, match=rf"skip_ops: .*{name}"):
        {{ cookiecutter.__partitioner_class }}(skip_ops=[OTHER_OP])
    with pytest.raises(TypeError, match="not the string 'tanh'"):
        {{ cookiecutter.__partitioner_class }}(skip_ops="tanh")


def test_bad_compile_specs_are_refused_early():
    with pytest.raises(
        ValueError, match=r"unknown compile spec key 'debug_nmaes'; known keys: debug_names"
    ):
        {{ cookiecutter.__partitioner_class }}([CompileSpec("debug_nmaes", b"\x01")])
    with pytest.raises(ValueError, match=r"compile spec 'debug_names' has value b'yes'"):
        {{ cookiecutter.__partitioner_class }}([CompileSpec("debug_names", b"yes")])


def test_program_carries_the_backend_id_and_blobs(lower):
    lowered = lower(TinyMLP(), (torch.randn(2, 4),), {{ cookiecutter.__partitioner_class }}(generate_compile_specs()))
    assert [m.backend_id for m in lowered.lowered_modules] == [BACKEND_ID]
    pte = deserialize_pte_binary(lowered.manager.to_executorch().buffer)
    program = pte.program
    (delegate,) = program.execution_plan[0].delegates
    assert delegate.id == BACKEND_ID
    assert [(s.key, s.value) for s in delegate.compile_specs] == [("debug_names", b"\x00")]
    blob = program.backend_delegate_data[delegate.processed.index].data
    assert blob == lowered.lowered_modules[0].processed_bytes
    keys = {c.key for c in deserialize(blob).constants}
    assert len(keys) == 3 and keys <= set(pte.named_data.pte_data)


def test_table_names_are_unique():
    assert len(OP_SUPPORT_BY_NAME) == len(OP_SUPPORT)


def test_the_log_says_why_each_node_stays_on_the_cpu(lower, caplog):
    model = Fn(lambda a, b: torch.add(other(a), b.to(torch.float64)))
    with caplog.at_level("DEBUG", logger="{{ cookiecutter.package_name }}.partition"):
        lower(model, (x23(), x23()))
    report = "\n".join(r.getMessage() for r in caplog.records if r.name.endswith("_partitioner"))
    assert "nodes left on the CPU" in report
    # One row per node, with its name and reason (the table wraps long cells).
    assert f"aten_{OTHER_OP.overloadpacket.__name__}_default" in report
    assert "not in the" in report and "float64" in report


def test_multi_output_op_goes_whole_with_its_first_output(lower):
    # max_pool2d exports as max_pool2d_with_indices + getitem 0: both go into the delegate.
    x = torch.randn(1, 2, 6, 6)
    lowered = lower(Fn(lambda t: torch.nn.functional.max_pool2d(t, 2)), (x,))
    assert lowered.delegated_ops() == ["max_pool2d_with_indices.default"]
    assert lowered.cpu_ops() == []


def test_multi_output_op_whose_other_outputs_are_used_stays_on_cpu(lower):
    x = torch.randn(1, 2, 6, 6)
    model = Fn(lambda t: torch.nn.functional.max_pool2d(t, 2, return_indices=True))
    lowered = lower(model, (x,))
    assert lowered.delegated_ops() == []
    assert "max_pool2d_with_indices.default" in lowered.cpu_ops()


def test_integer_scalar_constant_goes_into_the_delegate(lower):
    # The 1 of x / (y * y + 1) becomes a lifted int64 tensor and a
    # _to_dim_order_copy to float32, which preprocess does ahead of time
    # (tests/test_preprocess.py): nothing is left on the CPU in front.
    lowered = lower(Fn(lambda x, y: x / (y * y + 1)), (x23(), x23()))
    assert lowered.cpu_ops() == []
    assert len(lowered.delegate_calls) == 1
    assert lowered.delegated_ops() == [
        "mul.Tensor",
        "_to_dim_order_copy.default",
        "add.Tensor",
        "div.Tensor",
    ]


class BufferConversions(torch.nn.Module):
    """Two int64 buffers converted to float32: constant data, and a counter the model updates."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("scale", torch.tensor([1, 2, 3]))
        self.register_buffer("steps", torch.zeros(3, dtype=torch.int64))

    def forward(self, x):
        y = x * self.steps.float() + self.scale.float()
        self.steps.add_(1)
        return y


def test_only_conversions_of_constant_data_go_into_the_delegate(lower):
    lowered = lower(BufferConversions(), (x23(),))
    # steps changes at run time: its conversion and update stay on the CPU.
    assert lowered.cpu_ops() == ["_to_dim_order_copy.default", "add.Tensor"]
    assert lowered.delegated_ops() == ["mul.Tensor", "_to_dim_order_copy.default", "add.Tensor"]


def edge_node(model, inputs, op_name):
    """The node of ``model``'s edge graph (without partitioner) calling ``op_name``."""
    program = to_edge(torch.export.export(model, inputs)).exported_program()
    (node,) = [
        n for n in program.graph.nodes if n.op == "call_function" and op_name in str(n.target)
    ]
    return node


channels_last = lambda: torch.randn(1, 2, 3, 4).to(memory_format=torch.channels_last)  # noqa: E731

COPIES_LEFT_ON_THE_CPU = {
    "to channels_last": (
        Fn(lambda a: a.to(memory_format=torch.channels_last)),
        (torch.randn(1, 2, 3, 4),),
        "_to_dim_order_copy",
        "its output is not contiguous (strides [24, 1, 8, 2], e.g. channels-last)",
    ),
    "to float64": (
        Fn(lambda a: a.to(torch.float64)),
        (x23(),),
        "_to_dim_order_copy",
        "its output has dtype float64; supported: float32",
    ),
    "int input to float32": (
        Fn(lambda a: a.float()),
        (torch.ones(2, 3, dtype=torch.int64),),
        "_to_dim_order_copy",
        "it converts args_0 (int64) at run time; only a conversion of constant data to float32",
    ),
    "channels_last input made contiguous": (
        Fn(lambda a: a.contiguous()),
        (channels_last(),),
        "_clone_dim_order",
        "operand args_0 is not contiguous (strides [24, 1, 8, 2], e.g. channels-last)",
    ),
}


@pytest.mark.parametrize(
    "model, inputs, op, reason", COPIES_LEFT_ON_THE_CPU.values(), ids=COPIES_LEFT_ON_THE_CPU.keys()
)
def test_layout_and_dtype_conversions_stay_on_cpu_with_a_reason(lower, model, inputs, op, reason):
    assert reason in why_unsupported(edge_node(model, inputs, op))
    lowered = lower(model, inputs)
    assert lowered.delegate_calls == []
    assert f"{op}.default" in lowered.cpu_ops()
