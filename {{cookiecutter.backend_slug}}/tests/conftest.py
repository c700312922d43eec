"""Shared pieces of the tests: tiny models, one-op models from the table's samples,
a lower-and-inspect helper, and running a .pte on the C++ delegate."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.upstream_noise import silence_known_upstream_noise

silence_known_upstream_noise()  # before torch and ExecuTorch load: see upstream_noise.py

import operator
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pytest
import torch
from executorch.exir import EdgeProgramManager, to_edge_transform_and_lower
from executorch.exir.lowered_backend_module import LoweredBackendModule, get_lowered_submodules

from {{ cookiecutter.package_name }} import {{ cookiecutter.__backend_id }}, {{ cookiecutter.__partitioner_class }}
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT, OpSupport, Sample, lookup
from {{ cookiecutter.package_name }}.serialization import DelegateGraph, deserialize

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = dict(rtol=1e-5, atol=1e-5)
BACKEND_ID = {{ cookiecutter.__backend_id }}.__name__
# Nodes the lowering itself leaves around delegate calls.
_PLUMBING = {"executorch_call_delegate", "getitem"}


class Fn(torch.nn.Module):
    """Wraps a function so that it can be exported: ``Fn(torch.tanh)``."""

    def __init__(self, fn: Callable) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


class TinyMLP(torch.nn.Module):
    """linear -> relu -> linear (without bias) -> sigmoid: the smallest realistic model."""

    def __init__(self, features: int = 4, hidden: int = 8, out: int = 3) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc1 = torch.nn.Linear(features, hidden)
        self.fc2 = torch.nn.Linear(hidden, out, bias=False)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x))))


class Lowered:
    """An EdgeProgramManager after lowering, with the views the tests need.

    The views are taken at construction: ``manager.to_executorch()`` rewrites
    the edge graph in place (out variants, memory planning).
    """

    def __init__(self, manager: EdgeProgramManager) -> None:
        self.manager = manager
        graph_module = manager.exported_program().graph_module
        self.lowered_modules: List[LoweredBackendModule] = [
            module for _, module, _ in get_lowered_submodules(graph_module)
        ]
        calls = [n for n in graph_module.graph.nodes if n.op == "call_function"]
        self.delegate_calls: List[torch.fx.Node] = [
            n for n in calls if n.name.startswith("executorch_call_delegate")
        ]
        self._cpu_ops = [
            _op_name(n.target) for n in calls if not any(p in n.name for p in _PLUMBING)
        ]
        self._delegated_ops = [
            _op_name(n.target)
            for module in self.lowered_modules
            for n in module.original_module.graph.nodes
            if n.op == "call_function" and n.target is not operator.getitem
        ]

    @property
    def blobs(self) -> List[DelegateGraph]:
        return [deserialize(module.processed_bytes) for module in self.lowered_modules]

    def cpu_ops(self) -> List[str]:
        """Names of the operators left outside the delegates, e.g. ['floor.default']."""
        return list(self._cpu_ops)

    def delegated_ops(self) -> List[str]:
        """Names of the operators inside all delegates, in graph order."""
        return list(self._delegated_ops)


def _op_name(target) -> str:
    """'aten.add.Tensor' -> 'add.Tensor' (namespace dropped), for edge and ATen overloads."""
    aten = getattr(target, "_op", None)  # the ATen overload behind an edge op
    return str(aten if isinstance(aten, torch._ops.OpOverload) else target).split(".", 1)[-1]


def lower_model(
    model: torch.nn.Module,
    inputs: tuple,
    partitioner: Optional[{{ cookiecutter.__partitioner_class }}] = None,
    dynamic_shapes=None,
) -> Lowered:
    exported = torch.export.export(model, inputs, dynamic_shapes=dynamic_shapes)
    manager = to_edge_transform_and_lower(
        exported, partitioner=[partitioner or {{ cookiecutter.__partitioner_class }}()]
    )
    return Lowered(manager)


@pytest.fixture
def lower():
    """``lower(model, inputs, partitioner=None, dynamic_shapes=None) -> Lowered``."""
    return lower_model


# --- one-op models from the table's samples -----------------------------------


class OneOp(torch.nn.Module):
    """Calls one ATen operator on its inputs; absent optional operands are None."""

    def __init__(self, entry: OpSupport, sample: Sample) -> None:
        super().__init__()
        self.entry = entry
        self.sample = sample
        self.op = entry.aten_op
        self.kwargs = dict(sample.kwargs)
        self.first_output_only = entry.first_output_only

    def forward(self, *tensors):
        result = self.op(**self.entry.sample_operands(self.sample, tensors), **self.kwargs)
        # An entry that computes output 0 of a multi-output op: the model returns that one.
        return result[0] if self.first_output_only else result


def sample_model(entry: OpSupport, sample: Sample, seed: int = 0) -> Tuple[OneOp, tuple]:
    """The one-op model of ``sample`` and inputs for it."""
    generator = torch.Generator().manual_seed(seed)
    inputs = tuple(
        (torch.rand(shape, generator=generator) * (sample.high - sample.low) + sample.low)
        .floor()
        .to(sample.dtype)
        if sample.dtype != torch.float32
        else torch.rand(shape, generator=generator) * (sample.high - sample.low) + sample.low
        for shape in entry.sample_shapes(sample)
        if shape is not None
    )
    return OneOp(entry, sample).eval(), inputs


# to_edge copies a model output that a view-like op produces (squeeze_copy,
# unsqueeze_copy, expand_copy, alias_copy, each output of split): the one-op
# model of such an entry ends in this clone (one per output), which the
# delegate runs as well.
OUTPUT_COPY = "_clone_dim_order.default"


def sample_id(entry: OpSupport, sample: Sample) -> str:
    return f"{entry.name}-{sample.id}" if sample.id else entry.name


# Every (entry, sample) of the table, as pytest parameters.
TABLE_SAMPLES = [
    pytest.param(entry, sample, id=sample_id(entry, sample))
    for entry in OP_SUPPORT
    for sample in entry.samples
]

# Elementwise operators a backend might add. The first one the table lacks is
# "an operator the backend does not support" in the tests, so that adding any
# one of them to the table leaves the tests meaningful.
_UNARY_CANDIDATES = ("exp", "floor", "neg", "abs", "sin", "cos", "log1p", "erf")


def unsupported_unary() -> torch._ops.OpOverload:
    """An elementwise ATen operator the table does not support."""
    for name in _UNARY_CANDIDATES:
        op = getattr(torch.ops.aten, name).default
        if lookup(op) is None:
            return op
    raise AssertionError(f"the table supports all of {_UNARY_CANDIDATES}; add a candidate")


# --- running a .pte on the C++ delegate ----------------------------------------


@dataclass
class Compiled:
    path: Path
    blobs: list  # the DelegateGraph of each delegate
    cpu_ops: List[str]  # operators left outside the delegates
    ops_per_run: int
    # ExecuTorch's count of non-delegated call nodes per operator (getitem left out).
    non_delegated: Dict[str, int]


def non_delegated_ops(graph_module: torch.fx.GraphModule) -> Dict[str, int]:
    """{operator: count} of the call nodes left outside the delegates, by ExecuTorch's
    ``get_delegation_info`` (the getitem nodes that unpack delegate outputs left out)."""
    from executorch.devtools.backend_debug import get_delegation_info

    breakdown = get_delegation_info(graph_module).delegation_by_operator
    return {
        op: counts.non_delegated
        for op, counts in breakdown.items()
        if counts.non_delegated and op != "getitem"
    }


def compile_to_pte(lower, model, inputs, path: Path, partitioner=None) -> Compiled:
    lowered = lower(model, inputs, partitioner)
    # Read the lowered graph before to_executorch(), which rewrites it in place.
    blobs, cpu_ops = lowered.blobs, lowered.cpu_ops()
    non_delegated = non_delegated_ops(lowered.manager.exported_program().graph_module)
    program = lowered.manager.to_executorch()
    path.write_bytes(program.buffer)
    delegate_ids = [d.id for d in program.executorch_program.execution_plan[0].delegates]
    assert delegate_ids, "nothing was delegated"
    assert set(delegate_ids) == {BACKEND_ID}
    assert len(delegate_ids) == len(blobs)
    return Compiled(path, blobs, cpu_ops, sum(len(blob.ops) for blob in blobs), non_delegated)


def run_pte(compiled: Compiled, inputs: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """Runs forward and checks that the delegate executed every one of its ops.

    The backend's ``executed_ops`` counter must grow by exactly the number of
    ops in the program's delegate blobs, which cannot happen if ExecuTorch ran
    the model without the delegate.
    """
    from executorch.runtime import Runtime

    from {{ cookiecutter.package_name }}.runtime_library import get_option

    method = Runtime.get().load_program(compiled.path).load_method("forward")
    before = get_option("executed_ops")
    outputs = method.execute(list(inputs))
    assert get_option("executed_ops") - before == compiled.ops_per_run
    return list(outputs)


def assert_matches_eager(model, inputs, outputs, **tolerance) -> None:
    with torch.no_grad():
        expected = model(*inputs)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    assert len(outputs) == len(expected)
    for actual, reference in zip(outputs, expected):
        torch.testing.assert_close(actual, reference, **(tolerance or TOLERANCE))


# --- editing a copy of this project ---------------------------------------------

TABLE_START = "OP_SUPPORT: Tuple[OpSupport, ...] = (\n"


# Imported by every Python that runs with project_env(): an editable install of
# this project (`pip install -e .`, scikit-build-core's redirect mode) puts an
# import hook in front of sys.path that would serve the original package to a
# copy's scripts and tests; the copy's own package must win.
_COPY_SITECUSTOMIZE = """\
import sys

sys.meta_path[:] = [
    finder for finder in sys.meta_path
    if type(finder).__name__ not in ("ScikitBuildRedirectingFinder", "ScikitBuildInplaceFinder")
]
"""


def _copy_site(project: Path) -> Path:
    """The folder of a copy's sitecustomize (written by copy_project)."""
    return project / "build" / "copy-site"


def copy_project(destination: Path) -> Path:
    """This project without builds, caches and git metadata."""
    ignore = shutil.ignore_patterns(
        "build*", ".git", "__pycache__", "*.pte", ".pytest_cache", "_build"
    )
    shutil.copytree(PROJECT_ROOT, destination, ignore=ignore)
    site = _copy_site(destination)
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(_COPY_SITECUSTOMIZE, encoding="utf-8")
    return destination


def add_table_entry(project: Path, entry: str) -> None:
    """Append ``entry`` (one ``OpSupport(...)`` with its trailing comma) to OP_SUPPORT."""
    table = project / "{{ cookiecutter.package_name }}" / "op_support.py"
    text = table.read_text(encoding="utf-8")
    end = text.index("\n)\n", text.index(TABLE_START))
    table.write_text(text[: end + 1] + entry + text[end + 1 :], encoding="utf-8")


def project_env(project: Path) -> dict:
    """Environment for running a copy's scripts and tests with its own package."""
    path = os.pathsep.join([str(project), str(_copy_site(project))])
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def run_generate(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/generate.py", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=project_env(project),
    )
