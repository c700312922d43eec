"""End to end: export, lower, save a .pte, run it through ExecuTorch's Python
runtime on the C++ delegate, and compare with eager PyTorch.

Each run also proves the delegate really computed the result: the backend's
``executed_ops`` counter must grow by exactly the number of ops in the
program's delegate blobs, which cannot happen if ExecuTorch ran the model
without the delegate; the .pte must name only {{ cookiecutter.__backend_id }} delegates, and
the graph around them must keep no CPU copy of the delegated ops.

Tolerance: the kernels compute in float32 like eager PyTorch (matrix
products accumulate in double), so results differ by rounding only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import torch
from conftest import Compiled, assert_matches_eager, compile_to_pte, run_pte, unsupported_unary
from executorch.runtime import Runtime

from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}, generate_compile_specs, load_runtime
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT_BY_NAME
from {{ cookiecutter.package_name }}.runtime_library import BACKEND_ID, LIBRARY_ENV, get_option, set_option

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

UNSUPPORTED = unsupported_unary()
LINEAR = OP_SUPPORT_BY_NAME["linear"].opcode


@pytest.fixture(scope="module", autouse=True)
def runtime_library() -> Path:
    return load_runtime()


class BroadcastChain(torch.nn.Module):
    """Every elementwise op, with broadcasting both ways and a constant buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("offset", torch.tensor([[1.0, 2.0, 3.0, 4.0]]))

    def forward(self, a, b, c):
        x = torch.add(a, b, alpha=0.5)  # [2, 3, 4] + [3, 1]
        y = x * c - torch.sigmoid(a)  # * [4]
        z = torch.sub(y, torch.relu(b), alpha=2.0)
        return torch.tanh(z / (torch.relu(b) + self.offset))  # [3, 4] denominators >= 1


class MLP(torch.nn.Module):
    """linear with bias -> relu6 (hardtanh) -> linear without bias."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.fc1 = torch.nn.Linear(16, 32)
        self.fc2 = torch.nn.Linear(32, 8, bias=False)

    def forward(self, x):
        return self.fc2(torch.nn.functional.relu6(self.fc1(x)))


class MatMuls(torch.nn.Module):
    """mm against a weight, and bmm of two inputs."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(2)
        self.weight = torch.nn.Parameter(torch.randn(6, 3))

    def forward(self, x, a, b):
        return torch.mm(x, self.weight), torch.bmm(a, b)


class Clamps(torch.nn.Module):
    def forward(self, x):
        return (
            torch.clamp(x, min=-0.5, max=0.75),
            torch.clamp(x, min=0.0),
            torch.clamp(x, max=-0.25),
            torch.nn.functional.hardtanh(x, -2.0, 1.5),
        )


class SplitByUnsupportedOp(torch.nn.Module):
    """An operator the table lacks stays on the CPU between two delegates."""

    def forward(self, a, b, c):
        y = torch.relu(a + b)
        return torch.sigmoid(UNSUPPORTED(y) * c) - y


class ScalarConstant(torch.nn.Module):
    """The 1 becomes an int64 constant converted to float32 ahead of time."""

    def forward(self, x, y):
        return x / (y * y + 1)


class Reshapes(torch.nn.Module):
    """The layout ops of attention heads: view, transpose, slicing, expand, select."""

    def forward(self, x):
        heads = x.view(2, 3, 2, 4).transpose(1, 2)  # [2, 2, 3, 4]
        scores = heads @ heads.transpose(-1, -2).contiguous()  # [2, 2, 3, 3]
        first = scores[:, 0, 1:, ::2].unsqueeze(1)  # [2, 1, 2, 2]
        return -first.expand(2, 3, 2, 2).reshape(2, -1), x[:, -1].squeeze(0)


def test_broadcasting_elementwise_chain(lower, tmp_path):
    model = BroadcastChain().eval()
    inputs = (torch.randn(2, 3, 4), torch.randn(3, 1), torch.randn(4))
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "chain.pte")
    assert compiled.cpu_ops == []
    assert len(compiled.blobs) == 1
    # Run the same program on fresh inputs: buffers are reused across runs.
    for _ in range(3):
        assert_matches_eager(model, inputs, run_pte(compiled, inputs))
        inputs = tuple(torch.randn_like(t) for t in inputs)


def test_scalar_constant_runs_in_the_delegate(lower, tmp_path):
    model = ScalarConstant().eval()
    inputs = (torch.randn(2, 3), torch.randn(2, 3))
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "scalar.pte")
    assert compiled.cpu_ops == []
    assert len(compiled.blobs) == 1
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_layout_ops_chain(lower, tmp_path):
    model = Reshapes().eval()
    inputs = (torch.randn(2, 3, 8),)
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "reshapes.pte")
    assert compiled.cpu_ops == []
    assert len(compiled.blobs) == 1
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_mlp_with_and_without_bias(lower, tmp_path):
    model = MLP().eval()
    inputs = (torch.randn(2, 5, 16),)  # linear over a rank-3 input
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "mlp.pte")
    assert compiled.cpu_ops == []
    (blob,) = compiled.blobs
    linear_arity = sorted(
        sum(i is not None for i in op.inputs) for op in blob.ops if op.opcode == LINEAR
    )
    assert linear_arity == [2, 3]
    assert len(blob.constants) == 3  # fc1 weight and bias, fc2 weight
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_mm_and_bmm(lower, tmp_path):
    model = MatMuls().eval()
    inputs = (torch.randn(4, 6), torch.randn(3, 2, 5), torch.randn(3, 5, 7))
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "matmul.pte")
    assert compiled.cpu_ops == []
    opcodes = sorted(op.opcode for blob in compiled.blobs for op in blob.ops)
    assert opcodes == sorted(OP_SUPPORT_BY_NAME[name].opcode for name in ("mm", "bmm"))
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_clamp_and_hardtanh(lower, tmp_path):
    model = Clamps().eval()
    inputs = (torch.linspace(-3.0, 3.0, 24).reshape(2, 3, 4),)
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "clamp.pte")
    assert compiled.cpu_ops == []
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_unsupported_op_in_the_middle_gives_two_delegates(lower, tmp_path):
    model = SplitByUnsupportedOp().eval()
    inputs = (torch.randn(2, 8), torch.randn(8), torch.randn(2, 8))
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "split.pte")
    assert compiled.cpu_ops == [f"{UNSUPPORTED.overloadpacket.__name__}.default"]
    assert len(compiled.blobs) == 2
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))


def test_profiling_records_an_event_per_delegated_op(lower, tmp_path):
    """With ETDump on, each op is a delegate profiling event keyed by its index
    in the blob, the key preprocess's debug_handle_map uses."""
    from executorch.devtools.etdump.serialize import deserialize_from_etdump_flatcc

    model = SplitByUnsupportedOp().eval()
    inputs = (torch.randn(2, 8), torch.randn(8), torch.randn(2, 8))
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "profiled.pte")
    program = Runtime.get().load_program(compiled.path, enable_etdump=True)
    program.load_method("forward").execute(list(inputs))
    etdump = tmp_path / "profiled.etdump"
    program.write_etdump_result_to_file(str(etdump), str(tmp_path / "debug.bin"))

    events_per_call = {}
    for run in deserialize_from_etdump_flatcc(etdump.read_bytes()).run_data:
        for event in run.events:
            profile = event.profile_event
            if profile is not None and profile.delegate_debug_id_int >= 0:
                events_per_call.setdefault(profile.instruction_id, []).append(
                    profile.delegate_debug_id_int
                )
    op_counts = sorted(len(blob.ops) for blob in compiled.blobs)
    assert sorted(len(ids) for ids in events_per_call.values()) == op_counts
    for ids in events_per_call.values():
        assert ids == list(range(len(ids)))


@pytest.fixture
def traced_mlp(lower, tmp_path) -> Compiled:
    partitioner = {{ cookiecutter.__partitioner_class }}(compile_specs=generate_compile_specs(debug_names=True))
    return compile_to_pte(
        lower, MLP().eval(), (torch.randn(3, 16),), tmp_path / "traced.pte", partitioner
    )


def trace_lines(stderr: str) -> List[str]:
    return [line for line in stderr.splitlines() if f"{BACKEND_ID}: op " in line]


def test_trace_option_logs_every_op_by_name(traced_mlp, capfd):
    (blob,) = traced_mlp.blobs
    inputs = (torch.randn(3, 16),)
    set_option("trace", True)
    try:
        assert get_option("trace") is True
        run_pte(traced_mlp, inputs)
    finally:
        set_option("trace", False)
    lines = trace_lines(capfd.readouterr().err)
    assert len(lines) == len(blob.ops)
    for index, (line, op) in enumerate(zip(lines, blob.ops), start=1):
        assert f"op {index}/{len(blob.ops)}" in line
        assert op.name and f"'{op.name}'" in line

    run_pte(traced_mlp, inputs)
    assert trace_lines(capfd.readouterr().err) == []


def test_options_reject_bad_keys_and_values():
    with pytest.raises(KeyError, match="num_threads"):
        get_option("num_threads")
    with pytest.raises(TypeError, match="read-only"):
        set_option("executed_ops", 0)
    with pytest.raises(TypeError, match="takes a bool"):
        set_option("trace", 1)


def test_trace_environment_variable(traced_mlp, runtime_library):
    """{{ cookiecutter.__slug_upper }}_TRACE=1 turns tracing on when the library loads."""
    script = (
        "import sys, torch\n"
        "from executorch.runtime import Runtime\n"
        "from {{ cookiecutter.package_name }} import load_runtime\n"
        "load_runtime()\n"
        "method = Runtime.get().load_program(sys.argv[1]).load_method('forward')\n"
        "method.execute([torch.ones(3, 16)])\n"
    )
    env = dict(os.environ, {{ cookiecutter.__slug_upper }}_TRACE="1")
    env[LIBRARY_ENV] = str(runtime_library)  # the library this session built
    result = subprocess.run(
        [sys.executable, "-c", script, str(traced_mlp.path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(trace_lines(result.stderr)) == traced_mlp.ops_per_run
