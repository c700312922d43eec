"""Export a small model, delegate it to {{ cookiecutter.__backend_id }} and write a .pte file.

    python examples/export_model.py --output model.pte [--debug-names]

The steps are the ones every ExecuTorch backend uses: ``torch.export``, then
``to_edge_transform_and_lower`` with the backend's partitioner, then
``to_executorch``. The script prints which parts of the graph were delegated.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

from {{ cookiecutter.package_name }}.upstream_noise import silence_known_upstream_noise

silence_known_upstream_noise()  # before torch and ExecuTorch load: see upstream_noise.py

import torch
from executorch.exir import to_edge_transform_and_lower
from executorch.exir.backend.utils import format_delegated_graph

from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}, generate_compile_specs


class SmallMLP(torch.nn.Module):
    """Two linear layers with activations; every op runs on the backend."""

    def __init__(self, features: int = 16, hidden: int = 32, classes: int = 4) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(features, hidden)
        self.classifier = torch.nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.classifier(torch.relu(self.hidden(x))))


def export_model(output: Path, debug_names: bool = False) -> Path:
    model = SmallMLP().eval()
    example_inputs = (torch.randn(1, 16),)
    exported = torch.export.export(model, example_inputs)
    partitioner = {{ cookiecutter.__partitioner_class }}(generate_compile_specs(debug_names=debug_names))
    edge = to_edge_transform_and_lower(exported, partitioner=[partitioner])
    print(format_delegated_graph(edge.exported_program().graph_module))
    program = edge.to_executorch()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(program.buffer)
    print(f"wrote {output} ({len(program.buffer)} bytes)")
    return output


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", "-o", type=Path, default=Path("model.pte"), help="where to write the .pte"
    )
    parser.add_argument(
        "--debug-names", action="store_true", help="keep op names in the delegate blob"
    )
    args = parser.parse_args(argv)
    export_model(args.output, debug_names=args.debug_names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
