"""A bounded slice of ExecuTorch's backend test suite, run as this backend's flow.

The whole suite is one command (see docs/tutorials): this slice covers
operators the backend claims, whose passing tests must all delegate, and one it
does not (floor), whose tests must pass by staying on the CPU. The counts come
from the table that the suite_flow plugin prints per flow.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SUITE = "executorch.backends.test.suite.operators"
SLICES = {
    "{{ cookiecutter.backend_slug }}": ["test_add", "test_relu", "test_clamp", "test_linear"],
{%- if cookiecutter.include_quantizer %}
    "{{ cookiecutter.backend_slug }}_static_int8": ["test_add", "test_linear"],
{%- endif %}
}
# Operators the backend does not claim: the suite's tests pass on the CPU.
CPU_ONLY_SLICE = ["test_floor"]


def run_suite(flow, names):
    """{"passed": n, "failed": n, "skipped": n, "delegated": n} of ``flow`` on the suite modules ``names``."""
    modules = [f"{SUITE}.{name}" for name in names]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "{{ cookiecutter.package_name }}.test.suite_flow",
            "--pyargs",
            *modules,
            "-m",
            f"flow_{flow}",
            "-W",
            "ignore",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    row = re.search(rf"^{flow} +(\d+) +(\d+) +(\d+) +(\d+)$", run.stdout, re.MULTILINE)
    assert row, f"no result row for flow {flow}:\n{run.stdout[-3000:]}"
    return dict(zip(("passed", "failed", "skipped", "delegated"), map(int, row.groups())))


@pytest.mark.parametrize("flow", list(SLICES))
def test_claimed_operators_pass_and_delegate(flow):
    counts = run_suite(flow, SLICES[flow])
    assert counts["failed"] == 0 and counts["passed"] > 0, counts
    assert counts["delegated"] == counts["passed"], counts


def test_unclaimed_operators_pass_on_the_cpu():
    counts = run_suite("{{ cookiecutter.backend_slug }}", CPU_ONLY_SLICE)
    assert counts["failed"] == 0 and counts["passed"] > 0, counts
    assert counts["delegated"] == 0, counts
