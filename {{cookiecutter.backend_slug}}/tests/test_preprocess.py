"""{{ cookiecutter.__backend_id }}.preprocess writes blobs that compute what the model computes."""

from __future__ import annotations

import hashlib
import math
from typing import Dict, List

import pytest
import torch
from conftest import BACKEND_ID, Fn, TinyMLP
from executorch.exir import to_edge
from executorch.exir.backend.compile_spec_schema import CompileSpec

from {{ cookiecutter.package_name }} import {{ cookiecutter.__backend_id }}, {{ cookiecutter.__partitioner_class }}, generate_compile_specs
from {{ cookiecutter.package_name }}.{{ cookiecutter.backend_slug }}_preprocess import PreprocessError
from {{ cookiecutter.package_name }}.serialization import DelegateGraph, Opcode

# What each opcode computes, straight from the table in FORMAT.md.
FORMAT_SEMANTICS = {
    Opcode.ADD: lambda p, a, b: a + p[0] * b,
    Opcode.SUB: lambda p, a, b: a - p[0] * b,
    Opcode.MUL: lambda p, a, b: a * b,
    Opcode.DIV: lambda p, a, b: a / b,
    Opcode.RELU: lambda p, x: torch.clamp(x, min=0),
    Opcode.SIGMOID: lambda p, x: 1 / (1 + torch.exp(-x)),
    Opcode.TANH: lambda p, x: torch.tanh(x),
    Opcode.CLAMP: lambda p, x: torch.minimum(torch.maximum(x, torch.tensor(p[0])), torch.tensor(p[1])),
    Opcode.LINEAR: lambda p, x, w, b=None: x @ w.T + (0 if b is None else b),
    Opcode.MM: lambda p, a, b: a @ b,
    Opcode.BMM: lambda p, a, b: a @ b,
}


def run_blob(graph: DelegateGraph, named_data: Dict[str, bytes], inputs: List[torch.Tensor]):
    """A reference interpreter for the blob: what the C++ runtime must compute."""
    values: Dict[int, torch.Tensor] = dict(zip(graph.inputs, inputs))
    for constant in graph.constants:
        data = bytearray(named_data[constant.key])
        sizes = graph.tensors[constant.tensor_id].sizes
        values[constant.tensor_id] = torch.frombuffer(data, dtype=torch.float32).reshape(sizes)
    for op in graph.ops:
        result = FORMAT_SEMANTICS[op.opcode](op.params, *(values[i] for i in op.inputs))
        assert tuple(result.shape) == graph.tensors[op.output].sizes
        values[op.output] = result
    return [values[i] for i in graph.outputs]


def named_data_of(module) -> Dict[str, bytes]:
    store = module.named_data_store_output
    return {key: bytes(store.buffers[entry.buffer_index]) for key, entry in store.pte_data.items()}


class EveryOp(torch.nn.Module):
    """All table ops in one graph, with constants, params and broadcasting."""

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


def every_op_inputs():
    torch.manual_seed(1)
    return (torch.randn(3, 4), torch.randn(4), torch.randn(2, 3, 2), torch.randn(2, 2, 5))


@pytest.fixture(scope="module")
def every_op():
    from conftest import lower_model

    return lower_model(EveryOp(), every_op_inputs(), {{ cookiecutter.__partitioner_class }}(generate_compile_specs(debug_names=True)))


def test_blob_computes_what_the_model_computes(every_op):
    """Interpret the blob as FORMAT.md says and compare with eager PyTorch."""
    (module,) = every_op.lowered_modules
    (graph,) = every_op.blobs
    assert {Opcode(op.opcode) for op in graph.ops} == set(Opcode)
    assert every_op.cpu_ops() == []
    # The delegate inputs are the partition's user inputs, in order.
    user_inputs = module.original_module.graph_signature.user_inputs
    assert sorted(user_inputs) == sorted(INPUT_NAMES)
    by_name = dict(zip(INPUT_NAMES, every_op_inputs()))
    outputs = run_blob(graph, named_data_of(module), [by_name[n] for n in user_inputs])
    expected = EveryOp()(*every_op_inputs())
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_constants_live_in_named_data_under_their_hash(every_op):
    (module,) = every_op.lowered_modules
    (graph,) = every_op.blobs
    named_data = named_data_of(module)
    model = EveryOp()
    expected = {
        f"{BACKEND_ID}_{hashlib.sha256(t.detach().numpy().tobytes()).hexdigest()}"
        for t in (model.fc.weight, model.fc.bias, model.proj.weight, model.scale, model.mat)
    }
    keys = {c.key for c in graph.constants}
    assert expected <= keys == set(named_data)
    for constant in graph.constants:
        assert constant.nbytes == len(named_data[constant.key]) == graph.tensors[constant.tensor_id].nbytes
    # Constant data is not copied into the blob.
    assert model.fc.weight.detach().numpy().tobytes() not in module.processed_bytes


def test_params_follow_the_model(every_op):
    (graph,) = every_op.blobs
    params = {op.name: op.params for op in graph.ops}
    assert params["aten_add_tensor"] == (2.0, 0.0)
    assert params["aten_sub_tensor"] == (0.5, 0.0)
    assert params["aten_hardtanh_default"] == (-0.75, 0.5)
    assert params["aten_clamp_default"] == (-math.inf, 0.25)
    assert params["aten_clamp_default_1"] == (-1.0, math.inf)


def test_debug_names_are_the_node_names(every_op):
    (module,) = every_op.lowered_modules
    (graph,) = every_op.blobs
    nodes = [n.name for n in module.original_module.graph.nodes if n.op == "call_function"]
    assert [op.name for op in graph.ops] == nodes


def test_names_are_left_out_by_default(lower):
    (graph,) = lower(TinyMLP(), (torch.randn(2, 4),)).blobs
    assert [op.name for op in graph.ops] == ["", "", "", ""]
    assert [op.opcode for op in graph.ops] == [Opcode.LINEAR, Opcode.RELU, Opcode.LINEAR, Opcode.SIGMOID]
    assert [graph.tensors[i].sizes for i in graph.ops[0].inputs] == [(2, 4), (8, 4), (8,)]
    assert [graph.tensors[i].sizes for i in graph.outputs] == [(2, 3)]


def test_debug_handle_map_points_at_ops(every_op):
    (module,) = every_op.lowered_modules
    (graph,) = every_op.blobs
    handle_map = module.meta["debug_handle_map"]
    assert sorted(handle_map) == list(range(len(graph.ops)))
    handles = [n.meta["debug_handle"] for n in module.original_module.graph.nodes if n.op == "call_function"]
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


def test_unknown_compile_spec_is_refused(every_op):
    (module,) = every_op.lowered_modules
    with pytest.raises(ValueError, match="unknown compile spec key 'fast_math'"):
        {{ cookiecutter.__backend_id }}.preprocess(module.original_module, [CompileSpec("fast_math", b"\x01")])


def edge_program(model, inputs):
    return to_edge(torch.export.export(model, inputs)).exported_program()


def test_unsupported_node_is_refused():
    program = edge_program(Fn(lambda a: torch.floor(torch.tanh(a))), (torch.randn(2),))
    with pytest.raises(PreprocessError, match=r"no operator for node 'aten_floor_default'"):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])


def test_tensor_of_another_dtype_is_refused():
    program = edge_program(Fn(torch.add), (torch.ones(2, dtype=torch.int32),) * 2)
    with pytest.raises(PreprocessError, match=r"'args_0' has dtype torch.int32; blobs hold only float32"):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])


def test_node_breaking_a_rule_is_refused():
    program = edge_program(Fn(lambda a, b: torch.add(a, b, alpha=1e39)), (torch.ones(2),) * 2)
    with pytest.raises(
        PreprocessError,
        match=r"cannot run node 'aten_add_tensor' \(add\): alpha is 1e\+39, which float32 cannot hold",
    ):
        {{ cookiecutter.__backend_id }}.preprocess(program, [])
