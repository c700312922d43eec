"""Lowering cost: to_edge_transform_and_lower of elementwise chains and of real networks.

Same exported programs, lowered with no partitioner (the floor), with the
generated partitioner, and with XnnpackPartitioner. The chains grow to find
superlinear steps; the networks are the generated backend's reference models
(``executorch_zeta_accel.test.models.MODELS``: CNNs, transformer blocks, ...). Also times the generated
partitioner's partition() and the backend's preprocess() on their own
(wrapped in place), and prints the cost per graph node for each size so that
a superlinear step shows.

    python benchmarks/bench_lowering.py [--quick] [--repeats N] [--sizes 150,600,2400]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path
from typing import Dict, List

import _common

OPS_PER_CYCLE = 6  # add, mul, relu, sub, tanh, sigmoid: all claimed by the backend


def chain_module(torch, length: int):
    class Chain(torch.nn.Module):
        def forward(self, x, y):
            for i in range(length):
                k = i % OPS_PER_CYCLE
                if k == 0:
                    x = x + y
                elif k == 1:
                    x = x * y
                elif k == 2:
                    x = torch.relu(x)
                elif k == 3:
                    x = x - y
                elif k == 4:
                    x = torch.tanh(x)
                else:
                    x = torch.sigmoid(x)
            return x

    return Chain()


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes 150,600 and 1 repeat")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sizes", default=None, help="graph sizes in nodes, comma-separated")
    parser.add_argument("--no-xnnpack", action="store_true", help="skip the XNNPACK column")
    parser.add_argument("--backend", type=Path, default=None, help="an already generated project")
    parser.add_argument("--models-only", action="store_true", help="only the reference networks")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("150,600" if args.quick else "150,600,2400")).split(",")]
    repeats = args.repeats or (1 if args.quick else 3)

    _common.setup_backend(args.backend, runtime=False)
    import torch
    from executorch.exir import to_edge_transform_and_lower
    from executorch_zeta_accel import ZetaAccelBackend, ZetaAccelPartitioner

    # Time partition() and preprocess() inside the lowering.
    inner = {"partition": 0.0, "preprocess": 0.0}
    original_partition = ZetaAccelPartitioner.partition
    original_preprocess = ZetaAccelBackend.preprocess

    def timed_partition(self, ep):
        start = time.perf_counter()
        try:
            return original_partition(self, ep)
        finally:
            inner["partition"] += time.perf_counter() - start

    def timed_preprocess(edge_program, compile_specs):
        start = time.perf_counter()
        try:
            return original_preprocess(edge_program, compile_specs)
        finally:
            inner["preprocess"] += time.perf_counter() - start

    ZetaAccelPartitioner.partition = timed_partition
    ZetaAccelBackend.preprocess = staticmethod(timed_preprocess)

    from executorch.exir.backend.partitioner import Partitioner, PartitionResult

    class ClaimsNothing(Partitioner):
        """ExecuTorch's partitioner path with no backend work: what any partitioner pays."""

        def partition(self, exported_program):
            return PartitionResult(tagged_exported_program=exported_program, partition_tags={})

    variants = {"floor": lambda: None, "generated": ZetaAccelPartitioner}
    if not args.no_xnnpack:
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

        variants["xnnpack"] = XnnpackPartitioner

    results = {}
    if args.models_only:
        sizes = []
    rows = []
    for size in sizes:
        length = size - 3  # two inputs and the output node
        exported = torch.export.export(chain_module(torch, length), (torch.randn(4, 8), torch.randn(4, 8)))
        nodes = len(exported.graph.nodes)
        times = {name: [] for name in variants}
        inner_times = []
        delegates = {}
        for _ in range(repeats):
            for name, make in variants.items():  # interleaved
                program = copy.deepcopy(exported)
                partitioner = make()
                inner["partition"] = inner["preprocess"] = 0.0
                start = time.perf_counter()
                lowered = to_edge_transform_and_lower(program, partitioner=[partitioner] if partitioner else None)
                times[name].append(time.perf_counter() - start)
                if name == "generated":
                    inner_times.append(inner["partition"] + inner["preprocess"])
                graph = lowered.exported_program().graph
                delegates[name] = sum(1 for n in graph.nodes if n.op == "call_function" and "delegate" in str(n.target))
        med = {name: _common.median(v) for name, v in times.items()}
        own = _common.median(inner_times)
        results[size] = {"nodes": nodes, **med, "partition+preprocess": own, "delegates": delegates}
        row = [
            nodes,
            _common.ms(med["floor"]),
            _common.ms(med["generated"]),
            f"{med['generated'] / med['floor']:.2f}x",
            _common.ms(own),
            f"{own / med['floor'] * 100:.1f}%",
            _common.us(med["floor"] / nodes),
            _common.us(med["generated"] / nodes),
            _common.us(own / nodes),
        ]
        if "xnnpack" in med:
            row += [_common.ms(med["xnnpack"]), f"{med['xnnpack'] / med['floor']:.2f}x"]
        rows.append(row)

    header = ["nodes", "floor (no partitioner)", "generated", "gen/floor", "partition+preprocess",
              "of floor", "floor/node", "gen/node", "p+p/node"]
    if not args.no_xnnpack:
        header += ["xnnpack", "xnn/floor"]
    if rows:
        _common.print_table(f"Lowering: to_edge_transform_and_lower, median of {repeats}", header, rows)

    # Linearity: per-node cost of each step against the previous size.
    notes = []
    for prev, cur in zip(sizes, sizes[1:]):
        for key in ("floor", "generated", "partition+preprocess"):
            a = results[prev][key] / results[prev]["nodes"]
            b = results[cur][key] / results[cur]["nodes"]
            growth = b / a
            flag = "  <-- SUPERLINEAR (per-node cost grew >1.5x)" if growth > 1.5 else ""
            notes.append(f"{key}: per-node cost {prev}->{cur} nodes x{growth:.2f}{flag}")
    print("\n" + "\n".join(notes))
    print("target: generated within 1.3x of floor; per-node cost flat across sizes")
    variants = {"floor": variants["floor"], "claims nothing": ClaimsNothing, **variants}
    results["models"] = lower_models(torch, to_edge_transform_and_lower, variants, repeats, inner)
    return results


def lower_models(torch, to_edge_transform_and_lower, variants, repeats: int, inner) -> Dict[str, object]:
    """Lowering time of each reference network with each partitioner, and what stays on the CPU.

    "claims nothing" is a partitioner that tags no node: ExecuTorch's partitioner
    path alone (it decomposes the program once more than the no-partitioner
    path does), which every backend pays; p+p is the time in the generated
    partition() and preprocess() themselves."""
    from executorch_zeta_accel.test.models import MODELS

    results = {}
    rows = []
    for index, (name, case) in enumerate(MODELS.items()):
        exported = torch.export.export(case.build(), case.inputs())
        if index == 0:  # untimed warm-up: first-use imports and caches of each partitioner
            for make in variants.values():
                partitioner = make()
                to_edge_transform_and_lower(copy.deepcopy(exported), partitioner=[partitioner] if partitioner else None)
        times = {variant: [] for variant in variants}
        own = []
        cpu_ops = {}
        for _ in range(repeats):
            for variant, make in variants.items():  # interleaved
                program = copy.deepcopy(exported)
                partitioner = make()
                inner["partition"] = inner["preprocess"] = 0.0
                start = time.perf_counter()
                lowered = to_edge_transform_and_lower(program, partitioner=[partitioner] if partitioner else None)
                times[variant].append(time.perf_counter() - start)
                if variant == "generated":
                    own.append(inner["partition"] + inner["preprocess"])
                graph = lowered.exported_program().graph
                cpu_ops[variant] = sum(
                    1 for n in graph.nodes if n.op == "call_function" and "delegate" not in str(n.target)
                    and "getitem" not in str(n.target)
                )
        med = {variant: _common.median(v) for variant, v in times.items()}
        results[name] = {**med, "partition+preprocess": _common.median(own), "cpu_ops": cpu_ops}
        row = [name, len(exported.graph.nodes), _common.ms(med["floor"]),
               _common.ms(med["claims nothing"]), f"{med['claims nothing'] / med['floor']:.2f}x",
               _common.ms(med["generated"]), f"{med['generated'] / med['floor']:.2f}x",
               f"{med['generated'] / med['claims nothing']:.2f}x", _common.ms(_common.median(own)),
               cpu_ops["generated"]]
        if "xnnpack" in med:
            row += [_common.ms(med["xnnpack"]), f"{med['xnnpack'] / med['floor']:.2f}x", cpu_ops["xnnpack"]]
        rows.append(row)
    header = ["model", "nodes", "floor", "claims nothing", "nothing/floor", "generated", "gen/floor",
              "gen/nothing", "p+p", "CPU ops left (gen)"]
    if "xnnpack" in variants:
        header += ["xnnpack", "xnn/floor", "CPU ops left (xnn)"]
    _common.print_table(f"Lowering the reference networks, median of {repeats}", header, rows)
    print("target: generated within 1.3x of floor; CPU ops left: operators outside the delegate (getitem excluded)")
    print("claims nothing: ExecuTorch's partitioner path with a partitioner that tags no node")
    return results


if __name__ == "__main__":
    main()
