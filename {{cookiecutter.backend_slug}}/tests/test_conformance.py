"""A bounded slice of ExecuTorch's backend test suite, run as this backend's flow.

The whole suite is one command (see docs/tutorials): this slice covers
operators the backend claims and one it does not (floor), which must pass by
staying on the CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SUITE = "executorch.backends.test.suite.operators"
SLICES = {
    "{{ cookiecutter.backend_slug }}": ["test_add", "test_relu", "test_clamp", "test_linear", "test_floor"],
{%- if cookiecutter.include_quantizer %}
    "{{ cookiecutter.backend_slug }}_static_int8": ["test_add", "test_linear"],
{%- endif %}
}


@pytest.mark.parametrize("flow", list(SLICES))
def test_backend_test_suite_slice(flow):
    modules = [f"{SUITE}.{name}" for name in SLICES[flow]]
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
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
