"""{{ cookiecutter.__partitioner_class }} claims exactly the supported ops and leaves the rest on the CPU."""

from __future__ import annotations

import pytest
import torch
from conftest import BACKEND_ID, Fn, TinyMLP
from executorch.exir._serialize._program import deserialize_pte_binary
from executorch.exir.backend.compile_spec_schema import CompileSpec

from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}, generate_compile_specs
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT, OP_SUPPORT_BY_NAME
from {{ cookiecutter.package_name }}.serialization import deserialize

x23 = lambda: torch.randn(2, 3)

# One small model per table entry: (entry name, model, inputs, delegated op).
SUPPORTED = [
    ("add", Fn(lambda a, b: torch.add(a, b, alpha=2)), (x23(), torch.randn(3)), "add.Tensor"),
    ("sub", Fn(lambda a, b: torch.sub(a, b, alpha=0.5)), (x23(), x23()), "sub.Tensor"),
    ("mul", Fn(torch.mul), (torch.randn(2, 1, 3), torch.randn(4, 1)), "mul.Tensor"),
    ("div", Fn(torch.div), (x23(), x23()), "div.Tensor"),
    ("relu", Fn(torch.relu), (x23(),), "relu.default"),
    ("sigmoid", Fn(torch.sigmoid), (x23(),), "sigmoid.default"),
    ("tanh", Fn(torch.tanh), (x23(),), "tanh.default"),
    ("hardtanh", Fn(torch.nn.functional.relu6), (x23(),), "hardtanh.default"),
    ("clamp", Fn(lambda a: torch.clamp(a, min=-0.5)), (x23(),), "clamp.default"),
    ("linear", torch.nn.Linear(3, 4), (x23(),), "linear.default"),
    ("linear", torch.nn.Linear(3, 4, bias=False), (x23(),), "linear.default"),
    ("mm", Fn(torch.mm), (x23(), torch.randn(3, 5)), "mm.default"),
    ("bmm", Fn(torch.bmm), (torch.randn(2, 2, 3), torch.randn(2, 3, 4)), "bmm.default"),
]


def test_every_table_entry_has_a_model_here():
    assert {name for name, *_ in SUPPORTED} == {entry.name for entry in OP_SUPPORT}


@pytest.mark.parametrize(
    "model, inputs, op", [case[1:] for case in SUPPORTED], ids=[case[0] for case in SUPPORTED]
)
def test_supported_op_is_delegated(lower, model, inputs, op):
    lowered = lower(model, inputs)
    assert lowered.delegated_ops() == [op]
    assert lowered.cpu_ops() == []
    assert len(lowered.delegate_calls) == 1


UNSUPPORTED = {
    "floor": (Fn(torch.floor), (x23(),), "floor.default"),
    "int tensors": (Fn(torch.add), (torch.ones(2, 3, dtype=torch.int32),) * 2, "add.Tensor"),
    "float64": (Fn(torch.tanh), (torch.randn(2, 3, dtype=torch.float64),), "tanh.default"),
    "div rounding_mode": (Fn(lambda a, b: torch.div(a, b, rounding_mode="floor")), (x23(), x23()), "div.Tensor_mode"),
    "clamp tensor bounds": (Fn(lambda a, lo: torch.clamp(a, lo, None)), (x23(), x23()), "clamp.Tensor"),
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


def test_dynamic_shapes_stay_on_cpu(lower):
    batch = torch.export.Dim("batch", min=2, max=8)
    lowered = lower(Tanh(), (torch.randn(4, 3),), dynamic_shapes=({0: batch},))
    assert lowered.delegate_calls == []
    assert lowered.cpu_ops() == ["tanh.default"]


class Mixed(torch.nn.Module):
    """Supported ops on both sides of an unsupported floor: two partitions."""

    def forward(self, x, y):
        a = torch.tanh(x * y)
        b = torch.floor(a)
        return torch.sigmoid(b + y)


def test_unsupported_op_splits_the_graph(lower):
    lowered = lower(Mixed(), (x23(), x23()))
    assert len(lowered.delegate_calls) == 2
    assert lowered.cpu_ops() == ["floor.default"]
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
    model = Fn(lambda a: torch.floor(torch.tanh(torch.floor(a))))
    assert len(lower(model, (x23(),)).delegate_calls) == 1
    partitioner = {{ cookiecutter.__partitioner_class }}(allows_single_node_partition=False)
    lowered = lower(model, (x23(),), partitioner)
    assert lowered.delegate_calls == []
    assert "tanh.default" in lowered.cpu_ops()


def test_linear_is_kept_whole_unless_skipped(lower):
    model = torch.nn.Linear(3, 4)
    assert lower(model, (x23(),)).delegated_ops() == ["linear.default"]
    lowered = lower(model, (x23(),), {{ cookiecutter.__partitioner_class }}(skip_ops=["linear"]))
    # Decomposed by the edge dialect; the pieces are left to the CPU or to mm.
    assert "linear.default" not in lowered.delegated_ops() + lowered.cpu_ops()
    assert "permute_copy.default" in lowered.cpu_ops()


def test_linear_filter_only_keeps_supported_linears():
    partitioner = {{ cookiecutter.__partitioner_class }}()
    ops, keep = partitioner.ops_to_not_decompose(None)
    assert ops == [torch.ops.aten.linear.default]

    def linear_node(dtype):
        model = torch.nn.Linear(3, 4).to(dtype)
        exported = torch.export.export(model, (torch.randn(2, 3, dtype=dtype),))
        return next(n for n in exported.graph.nodes if n.target == torch.ops.aten.linear.default)

    assert keep(linear_node(torch.float32))
    assert not keep(linear_node(torch.float64))
    assert {{ cookiecutter.__partitioner_class }}(skip_ops=["linear"]).ops_to_not_decompose(None) == ([], None)


def test_unknown_skip_op_is_refused():
    with pytest.raises(ValueError, match=r"skip_ops: 'floor' is not a supported operator; known names: add, sub"):
        {{ cookiecutter.__partitioner_class }}(skip_ops=["floor"])
    with pytest.raises(ValueError, match=r"skip_ops: .*floor"):
        {{ cookiecutter.__partitioner_class }}(skip_ops=[torch.ops.aten.floor.default])
    with pytest.raises(TypeError, match="not the string 'tanh'"):
        {{ cookiecutter.__partitioner_class }}(skip_ops="tanh")


def test_bad_compile_specs_are_refused_early():
    with pytest.raises(ValueError, match=r"unknown compile spec key 'debug_nmaes'; known keys: debug_names"):
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
