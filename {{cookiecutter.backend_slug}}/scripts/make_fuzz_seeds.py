"""Write real delegate blobs, made by ``preprocess``, as seeds for the fuzzers.

    python scripts/make_fuzz_seeds.py                  # into build/fuzz_seeds/
    python scripts/make_fuzz_seeds.py --out seeds      # anywhere else

Each small model below is lowered with the partitioner; the blob of every
delegate it produces is written as ``<model>-<n>.bin``. The models use
broadcasting, constants with and without a bias, several delegates in one
program and bounded dynamic dimensions (``DYNAMIC_SHAPES``, with dimension references); on top of them, the first sample of every entry of the
operator-support table becomes a one-op model (``op-<entry>-0.bin``), so the
seeds cover every opcode and attribute of the format, including operators
added later. The fuzzers thus start from blobs exactly like the ones a .pte
carries. The C++ mutation test reads the folder
from ``${{ cookiecutter.__slug_upper }}_FUZZ_SEEDS`` and the libFuzzer target takes it as a
corpus folder (docs/guides/{{ cookiecutter.backend_slug }}-fuzzing-guide.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from {{ cookiecutter.package_name }}.upstream_noise import silence_known_upstream_noise

silence_known_upstream_noise()  # before torch and ExecuTorch load: see upstream_noise.py

import torch
from executorch.exir import to_edge_transform_and_lower
from executorch.exir.lowered_backend_module import get_lowered_submodules

from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}
from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT, OpSupport

# Inside the (git-ignored) build folder: seeds are made, not versioned.
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "build" / "fuzz_seeds"


class Mlp(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3, bias=False)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x))))


class Broadcast(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.rand(3) + 0.5)

    def forward(self, a, b):
        return torch.clamp((a - b) * 2.0 / self.scale + 1.0, -1.0, 1.0), torch.tanh(a + b)


class Matmuls(torch.nn.Module):
    def forward(self, x, y, m):
        return torch.bmm(x, y) * 0.5, torch.mm(torch.tanh(m), m.t())


class Split(torch.nn.Module):
    """Two delegates around an op the backend leaves to the CPU."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(6, 6)

    def forward(self, x):
        return torch.relu(self.fc(torch.floor(torch.sigmoid(self.fc(x)) * 4.0)))


class State(torch.nn.Module):
    """Sizes that name the input's batch: dimension references (FORMAT.md)."""

    def forward(self, x):
        state = torch.zeros(1, x.shape[0], 3)
        rows = x.view(1, x.shape[0], 3, -1).sum(-1)
        return torch.tanh(rows + state).expand(2, x.shape[0], 3)


MODELS: Dict[str, Tuple[Callable[[], torch.nn.Module], Tuple[torch.Tensor, ...]]] = {
    "mlp": (Mlp, (torch.randn(2, 4),)),
    "broadcast": (Broadcast, (torch.randn(2, 1, 3), torch.randn(4, 1))),
    "matmuls": (Matmuls, (torch.randn(2, 3, 4), torch.randn(2, 4, 5), torch.randn(3, 5))),
    "split": (Split, (torch.randn(3, 6),)),
    "mlp_dynamic_batch": (Mlp, (torch.randn(2, 4),)),
    "broadcast_dynamic": (Broadcast, (torch.randn(2, 1, 3), torch.randn(4, 1))),
    "state_dynamic": (State, (torch.randn(2, 6),)),
}

# Models exported with bounded dynamic dimensions (torch.export.Dim with max).
DYNAMIC_SHAPES = {
    "mlp_dynamic_batch": ({0: torch.export.Dim("batch", max=8)},),
    "broadcast_dynamic": (
        {0: torch.export.Dim("batch", max=4)},
        {0: torch.export.Dim("rows", max=6)},
    ),
    "state_dynamic": ({0: torch.export.Dim("batch", max=4)},),
}


class OneOp(torch.nn.Module):
    """Calls one table entry's ATen operator as its first sample does."""

    def __init__(self, entry: OpSupport) -> None:
        super().__init__()
        self.entry = entry
        self.op = entry.aten_op
        self.kwargs = dict(entry.samples[0].kwargs)
        self.first_output_only = entry.first_output_only

    def forward(self, *tensors):
        result = self.op(
            **self.entry.sample_operands(self.entry.samples[0], tensors), **self.kwargs
        )
        # An entry that computes output 0 of a multi-output op: the model returns that one.
        return result[0] if self.first_output_only else result


def table_models() -> Dict[str, Tuple[Callable[[], torch.nn.Module], Tuple[torch.Tensor, ...]]]:
    """One one-op model per entry of the operator-support table."""
    models = {}
    for entry in OP_SUPPORT:
        sample = entry.samples[0]
        inputs = tuple(
            (torch.rand(shape) * 4.0 - 2.0).to(sample.dtype)
            for shape in entry.sample_shapes(sample)
            if shape is not None
        )
        models[f"op-{entry.name}"] = (lambda entry=entry: OneOp(entry), inputs)
    return models


def delegate_blobs(
    model: torch.nn.Module, inputs: Tuple[torch.Tensor, ...], dynamic_shapes=None
) -> List[bytes]:
    exported = torch.export.export(model.eval(), inputs, dynamic_shapes=dynamic_shapes)
    manager = to_edge_transform_and_lower(exported, partitioner=[{{ cookiecutter.__partitioner_class }}()])
    graph_module = manager.exported_program().graph_module
    return [bytes(module.processed_bytes) for _, module, _ in get_lowered_submodules(graph_module)]


def write_seeds(out: Path) -> List[Path]:
    """Lowers every model of MODELS and writes its blobs to ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (make_model, inputs) in {**MODELS, **table_models()}.items():
        torch.manual_seed(0)
        blobs = delegate_blobs(make_model(), inputs, DYNAMIC_SHAPES.get(name))
        if not blobs:
            raise RuntimeError(f"{name}: the partitioner delegated nothing")
        for index, blob in enumerate(blobs):
            path = out / f"{name}-{index}.bin"
            path.write_bytes(blob)
            written.append(path)
    return written


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the seeds (default {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    for path in write_seeds(args.out):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
