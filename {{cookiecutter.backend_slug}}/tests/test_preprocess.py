"""{{ cookiecutter.__backend_id }}.preprocess writes blobs that compute what the model computes."""

from __future__ import annotations

import hashlib
import math
from typing import Dict

import pytest
import torch
from conftest import BACKEND_ID, Fn, TinyMLP, unsupported_unary
from executorch.exir import to_edge
from executorch.exir.backend.compile_spec_schema import CompileSpec

from {{ cookiecutter.package_name }} import {{ cookiecutter.__backend_id }}, {{ cookiecutter.__partitioner_class }}, generate_compile_specs
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT_BY_NAME
from {{ cookiecutter.package_name }}.{{ cookiecutter.backend_slug }}_preprocess import PreprocessError


def named_data_of(module) -> Dict[str, bytes]:
    store = module.named_data_store_output
    return {key: bytes(store.buffers[entry.buffer_index]) for key, entry in store.pte_data.items()}


class Model(torch.nn.Module):
    """Several ops in one graph, with attributes, constants, params and broadcasting.

    What each operator computes is tested per table entry on the C++ runtime
    (tests/test_ops.py); this model is about how preprocess writes a graph.
    """

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc = torch.nn.Linear(4, 4)
        self.proj = torch.nn.Linear(4, 4, bias=False)
        self.register_buffer("scale", torch.rand(4) + 0.5)
        self.mat = torch.nn.Parameter(torch.randn(4, 4))

    def forward(self, x, y, batch, batch2):
        a = torch.add(x, y, alpha=2.0)
        a = torch.sub(a, self.scale, alpha=0.5) * 3.0
        a = torch.div(torch.relu(self.fc(a)), self.scale)
        a = torch.nn.functional.hardtanh(self.proj(a), -0.75, 0.5) + torch.clamp(a, max=0.25)
        a = torch.sigmoid(torch.mm(a, self.mat)) - torch.tanh(a)
        return a, torch.bmm(batch, batch2).clamp(min=-1.0)


INPUT_NAMES = ("x", "y", "batch", "batch2")


def model_inputs():
    torch.manual_seed(1)
    return (torch.randn(3, 4), torch.randn(4), torch.randn(2, 3, 2), torch.randn(2, 2, 5))


@pytest.fixture(scope="module")
def lowered():
    from conftest import lower_model

    return lower_model(
        Model(), model_inputs(), {{ cookiecutter.__partitioner_class }}(generate_compile_specs(debug_names=True))
    )


def test_delegate_inputs_are_the_user_inputs(lowered):
    (module,) = lowered.lowered_modules
    (graph,) = lowered.blobs
    assert lowered.cpu_ops() == []
    # The delegate inputs are the partition's user inputs, in order.
    user_inputs = module.original_module.graph_signature.user_inputs
    assert sorted(user_inputs) == sorted(INPUT_NAMES)
    assert [graph.tensors[i].sizes for i in graph.inputs] == [
        tuple(dict(zip(INPUT_NAMES, model_inputs()))[name].shape) for name in user_inputs
    ]


def test_constants_live_in_named_data_under_their_hash(lowered):
    (module,) = lowered.lowered_modules
    (graph,) = lowered.blobs
    named_data = named_data_of(module)
    model = Model()
    expected = {
        f"{BACKEND_ID}_{hashlib.sha256(t.detach().numpy().tobytes()).hexdigest()}"
        for t in (model.fc.weight, model.fc.bias, model.proj.weight, model.scale, model.mat)
    }
    keys = {c.key for c in graph.constants}
    assert expected <= keys == set(named_data)
    for constant in graph.constants:
        assert (
            constant.nbytes
            == len(named_data[constant.key])
            == graph.tensors[constant.tensor_id].nbytes
        )
    # Constant data is not copied into the blob.
    assert model.fc.weight.detach().numpy().tobytes() not in module.processed_bytes


def test_attributes_follow_the_model(lowered):
    (graph,) = lowered.blobs
    attrs = {op.name: op.attrs for op in graph.ops}
    assert attrs["aten_add_tensor"] == (2.0,)
    assert attrs["aten_sub_tensor"] == (0.5,)
    assert attrs["aten_hardtanh_default"] == (-0.75, 0.5)
    assert attrs["aten_clamp_default"] == (-math.inf, 0.25)
    assert attrs["aten_clamp_default_1"] == (-1.0, math.inf)
    assert attrs["aten_relu_default"] == ()


def test_debug_names_are_the_node_names(lowered):
    (module,) = lowered.lowered_modules
    (graph,) = lowered.blobs
    nodes = [n.name for n in module.original_module.graph.nodes if n.op == "call_function"]
    assert [op.name for op in graph.ops] == nodes


def test_names_are_left_out_by_default(lower):
    (graph,) = lower(TinyMLP(), (torch.randn(2, 4),)).blobs
    assert [op.name for op in graph.ops] == ["", "", "", ""]
    opcodes = [OP_SUPPORT_BY_NAME[name].opcode for name in ("linear", "relu", "linear", "sigmoid")]
    assert [op.opcode for op in graph.ops] == opcodes
    assert [graph.tensors[i].sizes for i in graph.ops[0].inputs] == [(2, 4), (8, 4), (8,)]
    assert graph.ops[2].inputs[2] is None  # fc2 has no bias
    assert [graph.tensors[i].sizes for i in graph.outputs] == [(2, 3)]


def test_debug_handle_map_points_at_ops(lowered):
    (module,) = lowered.lowered_modules
    (graph,) = lowered.blobs
    handle_map = module.meta["debug_handle_map"]
    assert sorted(handle_map) == list(range(len(graph.ops)))
    handles = [
        n.meta["debug_handle"]
        for n in module.original_module.graph.nodes
        if n.op == "call_function"
    ]
    assert [handle_map[i] for i in range(len(graph.ops))] == [(h,) for h in handles]


class SharedWeights(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = torch.nn.Linear(3, 3, bias=False)
        self.second = torch.nn.Linear(3, 3, bias=False)
        self.second.weight.data.copy_(self.first.weight.data)

    def forward(self, x):
        return self.second(self.first(x))


def test_equal_constants_are_stored_once(lower):
    lowered = lower(SharedWeights(), (torch.randn(2, 3),))
    (graph,) = lowered.blobs
    (module,) = lowered.lowered_modules
    assert len(graph.constants) == 2
    assert graph.constants[0].key == graph.constants[1].key
    assert len(named_data_of(module)) == 1


def test_unknown_compile_spec_is_refused(lowered):
    (module,) = lowered.lowered_modules
    with pytest.raises(ValueError, match="unknown compile spec key 'fast_math'"):
        {{ cookiecutter.__backend_id }}.preprocess(module.original_module, [CompileSpec("fast_math", b"\x01")])


def edge_program(model, inputs):
    return to_edge(torch.export.export(model, inputs)).exported_program()


def test_unsupported_node_is_refused():
    other = unsupported_unary()
    program = edge_program(Fn(lambda a: other(torch.tanh(a))), (torch.randn(2),))
    name = other.overloadpacket.__name__
    with pytest.raises(PreprocessError, match=rf"no operator for node 'aten_{name}_default'"):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])


def test_tensor_of_another_dtype_is_refused():
    program = edge_program(Fn(torch.add), (torch.ones(2, dtype=torch.int32),) * 2)
    with pytest.raises(
        PreprocessError, match=r"operand args_\d has dtype int32; supported: float32"
    ):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])


def test_node_breaking_a_rule_is_refused():
    program = edge_program(Fn(lambda a, b: torch.add(a, b, alpha=1e39)), (torch.ones(2),) * 2)
    with pytest.raises(
        PreprocessError,
        match=r"cannot run node 'aten_add_tensor' \(add\): alpha is 1e\+39, which float32 cannot hold",
    ):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])


def test_conversion_of_constant_data_is_done_ahead_of_time(lower):
    # x + 1 exports the 1 as a lifted int64 tensor converted to float32 by a
    # _to_dim_order_copy: the blob holds the float32 result as a constant.
    lowered = lower(Fn(lambda x, y: x / (y * y + 1)), (torch.randn(2, 3),) * 2)
    (blob,) = lowered.blobs
    names = ("mul", "add", "div")
    assert [op.opcode for op in blob.ops] == [OP_SUPPORT_BY_NAME[name].opcode for name in names]
    (constant,) = blob.constants
    assert blob.tensors[constant.tensor_id].sizes == ()
    assert blob.ops[1].inputs[1] == constant.tensor_id
    (module,) = lowered.lowered_modules
    assert named_data_of(module)[constant.key] == torch.tensor(1.0).numpy().tobytes()
