"""Quantized MLP and CNN per call: int8 delegated vs float32 delegated, int8 on the CPU, XNNPACK int8.

The issue-12 models: Linear 64-64-64-10 with ReLU, batch 8, and the tiny CNN
of the generated tests (``test/models.py``: two convolutions with ReLU, max
and average pooling, global mean, linear), each quantized with the generated
quantizer's default configuration (PT2E static int8, per-channel weights).
Four programs per model, timed through executorch.runtime from Python with
rounds interleaved:

- int8 delegated: the quantized program lowered with the generated partitioner
  (one delegate call, integer kernels);
- float32 delegated: the float model lowered with the generated partitioner;
- int8 CPU only: the quantized program lowered with no partitioner
  (ExecuTorch's quantize/dequantize kernels around portable float ops);
- XNNPACK int8: the model quantized with XNNPACKQuantizer (symmetric,
  per-channel) and lowered with XnnpackPartitioner.

Also prints the delegate calls and the operators left on the CPU of each
program. Ratios are against the int8 delegated program of the same run
(the CNN runs a tenth of the MLP's calls per round).

    python benchmarks/bench_int8.py [--quick] [--backend DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import _common


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument("--backend", type=Path, default=None, help="an already generated project")
    args = parser.parse_args(argv)
    calls, rounds = (200, 5) if args.quick else (1000, 9)

    _common.setup_backend(args.backend)
    import torch
    import executorch.kernels.quantized  # noqa: F401  (CPU quantize/dequantize kernels)
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        get_symmetric_quantization_config,
        XNNPACKQuantizer,
    )
    from executorch.exir import to_edge_transform_and_lower
    from executorch.runtime import Runtime
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
    from executorch_zeta_accel import get_zeta_accel_quantization_config, load_runtime, ZetaAccelPartitioner, ZetaAccelQuantizer

    from executorch_zeta_accel.test.models import MODELS

    load_runtime()
    work = Path(tempfile.mkdtemp(prefix="bench-int8-"))

    def measure(name, model, example, title, calls, rounds):
        """The four programs of ``model``, checked and timed; prints the table."""

        def quantize(quantizer):
            prepared = prepare_pt2e(torch.export.export(model, example).module(), quantizer)
            generator = torch.Generator().manual_seed(0)
            for _ in range(8):
                prepared(*(torch.randn(x.shape, generator=generator) for x in example))
            return convert_pt2e(prepared)

        def save(program_model, partitioner, program):
            manager = to_edge_transform_and_lower(
                torch.export.export(program_model, example), partitioner=[partitioner] if partitioner else []
            )
            graph = manager.exported_program().graph_module.graph
            nodes = [n for n in graph.nodes if n.op == "call_function"]
            delegates = sum(1 for n in nodes if "executorch_call_delegate" in n.name)
            cpu = sum(1 for n in nodes if "executorch_call_delegate" not in n.name and "getitem" not in n.name)
            path = work / f"{name}_{program}.pte"
            path.write_bytes(manager.to_executorch().buffer)
            return path, delegates, cpu

        ours = quantize(ZetaAccelQuantizer().set_global(get_zeta_accel_quantization_config()))
        xnn = quantize(XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True)))
        programs = {
            "int8 delegated": save(ours, ZetaAccelPartitioner(), "int8_delegated"),
            "float32 delegated": save(model, ZetaAccelPartitioner(), "fp32_delegated"),
            "int8 CPU only": save(ours, None, "int8_cpu"),
            "XNNPACK int8": save(xnn, XnnpackPartitioner(), "xnnpack_int8"),
        }
        runtime = Runtime.get()
        methods = {
            program: runtime.load_program(path).load_method("forward") for program, (path, _, _) in programs.items()
        }
        reference = ours(*example)
        step = max(float(n.args[1]) for n in ours.graph.nodes if "quantize_per_tensor" in str(n.target))
        for program in ("int8 delegated", "int8 CPU only"):
            torch.testing.assert_close(methods[program].execute(list(example))[0], reference, rtol=0, atol=3 * step)

        per_call = {program: [] for program in methods}
        for _ in range(rounds):
            for program, method in methods.items():  # interleaved rounds
                inputs = list(example)
                start = time.perf_counter()
                for _ in range(calls):
                    method.execute(inputs)
                per_call[program].append((time.perf_counter() - start) / calls)
        median = {program: _common.median(v) for program, v in per_call.items()}
        floor = median["int8 delegated"]
        rows = [
            [program, delegates, cpu, _common.us(median[program]), f"{median[program] / floor:.2f}x"]
            for program, (_, delegates, cpu) in programs.items()
        ]
        _common.print_table(
            f"{title}: per call, median of {rounds} rounds x {calls} calls",
            ["program", "delegate calls", "CPU ops", "per call", "vs int8 delegated"],
            rows,
        )
        return {
            "per_call": median,
            "programs": {p: {"delegates": d, "cpu_ops": c} for p, (_, d, c) in programs.items()},
        }

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    ).eval()
    results = {
        "mlp": measure(
            "mlp", mlp, (torch.randn(8, 64),), "Quantized MLP 64-64-64-10, batch 8", calls, rounds
        )
    }
    cnn = MODELS["tiny_cnn"]
    results["tiny_cnn"] = measure(
        "tiny_cnn",
        cnn.build().eval(),
        cnn.inputs(),
        f"Quantized tiny CNN (conv-relu-maxpool, conv-relu-avgpool, mean, linear), input {list(cnn.input_shapes[0])}",
        max(calls // 10, 10),
        rounds,
    )
    print("targets: int8 delegated is one delegate call with no CPU op, no slower than float32 delegated")
    return results


if __name__ == "__main__":
    main()
