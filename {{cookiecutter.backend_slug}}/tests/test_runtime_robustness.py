"""A .pte whose delegate payload is corrupted in place never takes the process
down: loading it through ``executorch.runtime`` either fails with a clear error
from {{ cookiecutter.__backend_id }}, or (when the corruption leaves a valid blob) loads and
runs; and a good program loads and runs right after every attempt.

The corruptions are single and multiple bit flips at positions drawn with a
fixed seed from the whole blob, plus version skew and a non-UTF-8 constant key
in place. They run in worker subprocesses
(``python tests/test_runtime_robustness.py <spec.json>``), so a crash shows up
as a failed test that names the case, not as a dead pytest.
Truncated blobs and other hand-made corruptions are in test_runtime_errors.py.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import pytest
import torch

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED = 20251124
SINGLE_FLIPS = 320  # one bit each
MULTI_FLIPS = 80  # four bits each
BATCHES = 2  # worker processes, run in parallel
BACKEND_PREFIX = "{{ cookiecutter.__backend_id }}: "


class Model(torch.nn.Module):
    """linear (weight and bias as named data), mul, add of a constant, relu."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(11)
        self.fc = torch.nn.Linear(4, 3)
        self.offset = torch.nn.Parameter(torch.tensor([0.25, -0.5, 1.0]))

    def forward(self, x):
        return torch.relu(self.fc(x) * 0.5 + self.offset)


def example_inputs() -> List[torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    return [torch.randn(2, 4, generator=generator)]


# ---------------------------------------------------------------- worker side


def _attempt(runtime, data: bytes, inputs) -> Dict[str, str]:
    """Loads and runs one program with fd 2 captured; never raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            try:
                method = runtime.load_program(data).load_method("forward")
            except Exception as error:  # noqa: BLE001 - the outcome is what we record
                result = {"outcome": "load_error", "error": str(error)}
            else:
                try:
                    method.execute(inputs)
                    result = {"outcome": "ran", "error": ""}
                except Exception as error:  # noqa: BLE001
                    result = {"outcome": "execute_error", "error": str(error)}
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        log.seek(0)
        result["log"] = log.read().decode("utf-8", "replace")[-2000:]
    return result


def worker(spec_path: str) -> int:
    from executorch.runtime import Runtime

    from {{ cookiecutter.package_name }} import load_runtime

    spec = json.loads(Path(spec_path).read_text())
    load_runtime()
    runtime = Runtime.get()
    good = Path(spec["good"]).read_bytes()
    inputs = example_inputs()
    (expected,) = runtime.load_program(good).load_method("forward").execute(inputs)
    results = []
    for case in spec["cases"]:
        data = bytearray(good)
        for offset, bit in case.get("flips", []):
            data[offset] ^= 1 << bit
        for offset, value in case.get("u32", []):
            struct.pack_into("<I", data, offset, value)
        for offset, value in case.get("u8", []):
            data[offset] = value
        # The last case named on stdout is the culprit if the process dies.
        print(f"case {case['name']}", flush=True)
        result = _attempt(runtime, bytes(data), inputs)
        # The process keeps working: the good program, right after.
        (output,) = runtime.load_program(good).load_method("forward").execute(inputs)
        result["good_after"] = bool(torch.equal(output, expected))
        result["name"] = case["name"]
        results.append(result)
    print("RESULTS " + json.dumps(results), flush=True)
    return 0


# ------------------------------------------------------------------ test side


# The blob header's u64 total_size (FORMAT.md).
TOTAL_SIZE_OFFSET = 56


def blob_span(pte: bytes):
    """(offset, size) of the one delegate blob inside the .pte."""
    from {{ cookiecutter.package_name }}.serialization.blob_format import MAGIC

    offset = pte.find(MAGIC)
    assert offset >= 0 and pte.find(MAGIC, offset + 1) < 0, "expected exactly one delegate blob"
    size = struct.unpack_from("<Q", pte, offset + TOTAL_SIZE_OFFSET)[0]
    assert offset + size <= len(pte)
    return offset, size


def make_cases(pte: bytes, offset: int, size: int) -> List[dict]:
    from {{ cookiecutter.package_name }}.serialization.blob_format import FORMAT_VERSION

    rng = random.Random(SEED)
    cases = []
    for index in range(SINGLE_FLIPS):
        position = rng.randrange(size)
        bit = rng.randrange(8)
        cases.append(
            {"name": f"flip-{index}@{position}.{bit}", "flips": [[offset + position, bit]]}
        )
    for index in range(MULTI_FLIPS):
        flips = [[offset + rng.randrange(size), rng.randrange(8)] for _ in range(4)]
        cases.append({"name": f"flips4-{index}", "flips": flips})
    cases.append({"name": "newer_version", "u32": [[offset + 4, FORMAT_VERSION + 1]]})
    cases.append({"name": "older_version", "u32": [[offset + 4, FORMAT_VERSION - 1]]})
    cases.append({"name": "total_size_short", "u32": [[offset + TOTAL_SIZE_OFFSET, size - 4]]})
    # A constant key that is not UTF-8: the Python log sink used to abort on it.
    key = pte.find(b"{{ cookiecutter.__backend_id }}_", offset, offset + size)
    assert key > 0
    cases.append({"name": "key_not_utf8", "u8": [[key + 3, 0xC2]]})
    return cases


def run_batches(good_pte: Path, cases: List[dict], workdir: Path) -> Dict[str, dict]:
    from {{ cookiecutter.package_name }} import load_runtime

    env = dict(os.environ)
    # Every worker loads the library this process built, without rebuilding.
    env["{{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY"] = str(load_runtime())
    env["{{ cookiecutter.__slug_upper }}_TRACE"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    workers = []
    for batch in range(BATCHES):
        spec = workdir / f"batch{batch}.json"
        spec.write_text(json.dumps({"good": str(good_pte), "cases": cases[batch::BATCHES]}))
        workers.append(
            subprocess.Popen(
                [sys.executable, __file__, str(spec)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    results = {}
    for batch, process in enumerate(workers):
        stdout, stderr = process.communicate(timeout=300)
        started = [line for line in stdout.splitlines() if line.startswith("case ")]
        assert process.returncode == 0, (
            f"worker {batch} died ({process.returncode}) at {started[-1] if started else 'startup'}:\n"
            f"{stderr[-3000:]}"
        )
        (line,) = [line for line in stdout.splitlines() if line.startswith("RESULTS ")]
        for result in json.loads(line[len("RESULTS ") :]):
            results[result["name"]] = result
    return results


def test_corrupted_payloads_fail_cleanly_and_the_process_keeps_working(tmp_path, capsys):
    from executorch.exir import to_edge_transform_and_lower

    from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}

    exported = torch.export.export(Model().eval(), tuple(example_inputs()))
    manager = to_edge_transform_and_lower(exported, partitioner=[{{ cookiecutter.__partitioner_class }}()])
    pte = manager.to_executorch().buffer
    good_pte = tmp_path / "good.pte"
    good_pte.write_bytes(pte)
    offset, size = blob_span(pte)
    cases = make_cases(pte, offset, size)

    results = run_batches(good_pte, cases, tmp_path)

    assert sorted(results) == sorted(case["name"] for case in cases)
    counts: Dict[str, int] = {}
    for name, result in results.items():
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
        assert result["good_after"], f"{name}: the good program gave a different result afterwards"
        if result["outcome"] == "load_error":
            assert "Failed to load method forward" in result["error"], (name, result)
            assert BACKEND_PREFIX in result["log"], (name, result)
        elif result["outcome"] == "execute_error":
            assert BACKEND_PREFIX in result["log"], (name, result)
    with capsys.disabled():
        print(f"\n{len(results)} corrupted programs, blob of {size} bytes: {counts}")
    # Most flips hit a checked field; some (in float parameters, names) do not.
    assert counts.get("load_error", 0) > len(cases) // 3, counts

    newer = results["newer_version"]
    assert newer["outcome"] == "load_error"
    assert "format version 3; this runtime reads version 2: re-export the model" in newer["log"]
    assert "format version 1; this runtime reads version 2" in results["older_version"]["log"]
    assert results["total_size_short"]["outcome"] == "load_error"
    assert "key is not valid UTF-8" in results["key_not_utf8"]["log"]


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1]))
