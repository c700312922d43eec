"""Runtime cost: per-call latency and init (load_method) time.

Two small models, fully claimed by the backend: "add" (x + y on 1x4
tensors, so the call is nearly all fixed overhead) and "mlp" (linear -> relu
-> linear -> tanh on a 1x32 input). Each is saved three ways: undelegated (portable/optimized CPU
kernels; the floor), delegated to the generated backend, delegated to
XNNPACK. Calls are timed through executorch.runtime from Python (rounds
interleaved across the three programs) and, for the first two, through the
generated C++ example app's ``--iterations`` mode (its build has no XNNPACK).
The reference networks of the generated backend (``executorch_zeta_accel.test.models``:
CNNs, transformer blocks, ...) are timed the same way from Python, in float32.
Init: load_method time (uncached, a new Method each time) of Linear(d, d) models whose weights grow, delegated
vs undelegated, with the time per MB of weights.

    python benchmarks/bench_runtime.py [--quick] [--no-cpp]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import _common


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument("--no-cpp", action="store_true", help="skip building and timing the C++ example app")
    parser.add_argument("--backend", type=Path, default=None, help="an already generated project")
    args = parser.parse_args(argv)
    calls, rounds = (200, 5) if args.quick else (1000, 9)

    project = _common.setup_backend(args.backend)
    import torch
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower
    from executorch.runtime import Runtime
    from executorch_zeta_accel import load_runtime, ZetaAccelPartitioner
    from executorch_zeta_accel.runtime_library import get_option

    load_runtime()
    work = Path(tempfile.mkdtemp(prefix="bench-runtime-"))

    def save(model, inputs, partitioner, name) -> Path:
        exported = torch.export.export(model, inputs)
        lowered = to_edge_transform_and_lower(exported, partitioner=[partitioner] if partitioner else None)
        path = work / f"{name}.pte"
        path.write_bytes(lowered.to_executorch().buffer)
        return path

    class Add(torch.nn.Module):
        def forward(self, a, b):
            return a + b

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(32, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.Tanh()
    ).eval()
    models = {"add": (Add(), (torch.randn(1, 4), torch.randn(1, 4))), "mlp": (mlp, (torch.randn(1, 32),))}
    makers = {"undelegated": lambda: None, "generated": ZetaAccelPartitioner, "xnnpack": XnnpackPartitioner}
    runtime = Runtime.get()
    py: Dict[str, float] = {}
    cpp: Dict[str, float] = {}
    rows = []
    for model_name, (model, example) in models.items():
        ptes = {name: save(model, example, make(), f"{model_name}_{name}") for name, make in makers.items()}
        methods = {name: runtime.load_program(path).load_method("forward") for name, path in ptes.items()}
        expected = model(*example)
        before = get_option("executed_ops")
        for name, method in methods.items():
            torch.testing.assert_close(method.execute(list(example))[0], expected, rtol=1e-4, atol=1e-4)
        assert get_option("executed_ops") > before, "the generated delegate did not run"

        per_call = {name: [] for name in methods}
        for _ in range(rounds):
            for name, method in methods.items():  # interleaved rounds
                inputs = list(example)
                start = time.perf_counter()
                for _ in range(calls):
                    method.execute(inputs)
                per_call[name].append((time.perf_counter() - start) / calls)
        for name, v in per_call.items():
            py[f"{model_name}/{name}"] = _common.median(v)
        if not args.no_cpp:
            for name, value in time_cpp(project, ptes, calls, rounds).items():
                cpp[f"{model_name}/{name}"] = value

        for name in makers:
            key, floor = f"{model_name}/{name}", f"{model_name}/undelegated"
            row = [model_name, name, _common.us(py[key]), f"{py[key] / py[floor]:.3f}x"]
            if not args.no_cpp:
                row += [_common.us(cpp[key]) if key in cpp else "n/a (not linked)",
                        f"{cpp[key] / cpp[floor]:.3f}x" if key in cpp else ""]
            rows.append(row)
    header = ["model", "program", "python per call", "vs undelegated"]
    if cpp:
        header += ["C++ app per call", "vs undelegated"]
    _common.print_table(
        f"Runtime: per-call latency, median of {rounds} rounds x {calls} calls", header, rows
    )
    print("target: generated within 1.05x of undelegated")
    py.update(time_reference_models(torch, save, makers, runtime, calls // 10, rounds))

    # Init: load_method for growing weights.
    dims = [128, 512, 1024] if args.quick else [128, 512, 1024, 2048]
    init_rows = []
    init = {}
    for d in dims:
        lin = torch.nn.Linear(d, d).eval()
        xi = torch.randn(1, d)
        paths = {"undelegated": save(lin, (xi,), None, f"init{d}_u"), "generated": save(lin, (xi,), ZetaAccelPartitioner(), f"init{d}_g")}
        programs = {name: runtime.load_program(path) for name, path in paths.items()}
        samples = {name: [] for name in paths}
        for _ in range(rounds):
            for name, program in programs.items():
                start = time.perf_counter()
                method = program._program.load_method("forward")  # uncached
                samples[name].append(time.perf_counter() - start)
                del method
        mb = (d * d + d) * 4 / 2**20
        med = {name: _common.median(v) for name, v in samples.items()}
        init[d] = {"mb": mb, **med}
        init_rows.append([f"{d}x{d}", f"{mb:.2f}", _common.us(med["undelegated"]), _common.us(med["generated"]),
                          f"{med['generated'] / med['undelegated']:.2f}x", _common.us(med["generated"] / mb) + "/MB"])
    _common.print_table(
        f"Runtime: init (load_method), median of {rounds}",
        ["Linear", "weights MB", "undelegated", "generated", "gen/undelegated", "generated per MB"], init_rows,
    )
    notes = []
    for a, b in zip(dims, dims[1:]):
        growth = (init[b]["generated"] / init[b]["mb"]) / (init[a]["generated"] / init[a]["mb"])
        flag = "  <-- SUPERLINEAR" if growth > 1.5 else ""
        notes.append(f"generated init per MB {a}->{b}: x{growth:.2f}{flag}")
    print("\n".join(notes))
    print("target: init linear in weight size (per-MB cost flat or falling)")
    return {"python": py, "cpp": cpp, "init": init}


def time_reference_models(torch, save, makers, runtime, calls: int, rounds: int) -> Dict[str, float]:
    """Per-call latency of each reference network: undelegated (portable kernels), generated, XNNPACK."""
    from executorch_zeta_accel.test.models import MODELS

    per_model: Dict[str, float] = {}
    rows = []
    for model_name, case in MODELS.items():
        model, example = case.build(), case.inputs()
        ptes = {name: save(model, example, make(), f"{model_name}_{name}") for name, make in makers.items()}
        methods = {name: runtime.load_program(path).load_method("forward") for name, path in ptes.items()}
        expected = model(*example)
        for name, method in methods.items():
            torch.testing.assert_close(method.execute(list(example))[0], expected, rtol=1e-3, atol=1e-3)
        samples = {name: [] for name in methods}
        for _ in range(rounds):
            for name, method in methods.items():  # interleaved rounds
                inputs = list(example)
                start = time.perf_counter()
                for _ in range(calls):
                    method.execute(inputs)
                samples[name].append((time.perf_counter() - start) / calls)
        med = {name: _common.median(v) for name, v in samples.items()}
        per_model.update({f"{model_name}/{name}": value for name, value in med.items()})
        rows.append([model_name, _common.us(med["undelegated"]), _common.us(med["generated"]),
                     f"{med['generated'] / med['undelegated']:.2f}x", _common.us(med["xnnpack"]),
                     f"{med['generated'] / med['xnnpack']:.2f}x"])
    _common.print_table(
        f"Runtime: reference networks in float32, per call from Python, median of {rounds} rounds x {calls} calls",
        ["model", "portable CPU", "generated", "gen/portable", "xnnpack", "gen/xnnpack"], rows,
    )
    return per_model


def time_cpp(project: Path, ptes: Dict[str, Path], calls: int, rounds: int) -> Dict[str, float]:
    """Build the example app (Release, no sanitizers) and time its --iterations mode."""
    import executorch

    build = project / "build-bench"
    prefix = list(executorch.__path__)[0]
    subprocess.run(
        [_common.tool("cmake"), "-S", str(project), "-B", str(build), "-G", "Ninja",
         f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTING=OFF"],
        check=True, stdout=subprocess.DEVNULL,
    )
    subprocess.run([_common.tool("cmake"), "--build", str(build), "--target", "zeta_accel_run_pte"],
                   check=True, stdout=subprocess.DEVNULL)
    runner = build / "zeta_accel_run_pte"
    samples: Dict[str, List[float]] = {name: [] for name in ptes if name != "xnnpack"}
    for _ in range(rounds):
        for name in samples:
            out = subprocess.run([str(runner), str(ptes[name]), "--iterations", str(calls)],
                                 check=True, capture_output=True, text=True).stdout
            match = re.search(r"per-call median: ([0-9.]+) us", out)
            samples[name].append(float(match.group(1)) * 1e-6)
    return {name: _common.median(v) for name, v in samples.items()}


if __name__ == "__main__":
    main()
