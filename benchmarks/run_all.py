"""Run every benchmark and print their tables.

    python benchmarks/run_all.py            # full: about 10 min on a quiet 2-core machine
    python benchmarks/run_all.py --quick    # fewer sizes/repeats, no 2,400-node chain: ~1.5 min + tests
    python benchmarks/run_all.py --skip tests,runtime

Each script also runs alone (see its docstring). The benchmarks print figures
and ratios against a floor measured in the same run; they assert nothing
about timings.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

import _common

BENCHMARKS = ("generation", "update", "lowering", "runtime", "int8", "tests")


def describe_machine() -> None:
    import executorch  # noqa: F401
    import torch
    from importlib.metadata import version

    try:
        model = next(line.split(":", 1)[1].strip() for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name"))
    except (StopIteration, OSError):
        model = platform.processor()
    import os

    print(f"machine: {os.cpu_count()} CPUs, {model}")
    print(f"python {platform.python_version()}, torch {torch.__version__}, executorch {version('executorch')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", default="", help=f"comma-separated, from {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    describe_machine()
    project = _common.generate_backend()
    quick = ["--quick"] if args.quick else []
    backend = ["--backend", str(project)]
    here = Path(__file__).resolve().parent
    for name in BENCHMARKS:
        if name in skip:
            continue
        extra = quick if name != "tests" else []
        start = time.perf_counter()
        # One process per benchmark, so that imports and the loaded runtime
        # of one do not colour the next.
        cmd = [sys.executable, str(here / f"bench_{name}.py"), *extra]
        if name not in ("generation", "update"):
            cmd += backend
        subprocess.run(cmd, check=False)
        print(f"({name}: {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
