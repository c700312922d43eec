"""Shared pieces of the ahead-of-time tests: tiny models and a lower-and-inspect helper."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.upstream_noise import silence_known_upstream_noise

silence_known_upstream_noise()  # before torch and ExecuTorch load: see upstream_noise.py

from typing import Callable, List, Optional

import pytest
import torch
from executorch.exir import EdgeProgramManager, to_edge_transform_and_lower
from executorch.exir.lowered_backend_module import get_lowered_submodules, LoweredBackendModule

from {{ cookiecutter.package_name }} import {{ cookiecutter.__backend_id }}, {{ cookiecutter.__partitioner_class }}
from {{ cookiecutter.package_name }}.serialization import DelegateGraph, deserialize

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
            if n.op == "call_function"
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
    return str(getattr(target, "_op", target)).split(".", 1)[-1]


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
