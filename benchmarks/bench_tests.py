"""Test-suite wall time: the generated project's suite, optionally the template's.

    python benchmarks/bench_tests.py [--template] [--template-e2e]

Runs once (a suite takes minutes; no repeats). The generated suite is run as
its README says, from a freshly generated default project. ``--template``
also times the template's own suite without e2e tests (``-m "not e2e"``), and
``--template-e2e`` the e2e tests alone; both are heavy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import _common


def timed_pytest(args: List[str], cwd: Path, env: Dict[str, str]) -> Dict[str, object]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = result.stdout.strip().splitlines() or ["(no output)"]
    failed = [line.split(" - ")[0] for line in lines if line.startswith(("FAILED", "ERROR"))]
    return {"wall": wall, "rc": result.returncode, "summary": lines[-1], "failed": failed}


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", action="store_true", help='also time the template suite, -m "not e2e"')
    parser.add_argument("--template-e2e", action="store_true", help="also time the template's e2e tests")
    parser.add_argument("--backend", type=Path, default=None, help="an already generated project")
    args = parser.parse_args(argv)

    project = args.backend or _common.generate_backend()
    env = dict(os.environ, PYTHONPATH=str(project), PYTEST_ADDOPTS="-p no:cookies -p no:copie")
    results = {"generated": timed_pytest(["tests"], project, env)}
    template_env = dict(os.environ)
    if args.template:
        results["template (not e2e)"] = timed_pytest(["tests", "-m", "not e2e"], _common.TEMPLATE_ROOT, template_env)
    if args.template_e2e:
        results["template (e2e)"] = timed_pytest(["tests", "-m", "e2e"], _common.TEMPLATE_ROOT, template_env)
    rows = []
    for name, r in results.items():
        target = ("met" if r["wall"] < 300 else "NOT met") if name == "generated" else ""
        rows.append([name, f"{r['wall']:.1f} s", r["summary"], target])
    _common.print_table(f"Test suites: wall time, one run, {os.cpu_count()} CPUs",
                        ["suite", "wall", "pytest summary", "target < 5 min"], rows)
    for name, r in results.items():
        for line in r["failed"]:
            print(f"{name}: {line}")
    return results


if __name__ == "__main__":
    main()
