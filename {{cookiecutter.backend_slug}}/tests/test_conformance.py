"""ExecuTorch's backend test suite, run as this backend's flows.

The whole suite is one command (see docs/tutorials): the float flow runs a
slice that covers operators the backend claims and one it does not (floor),
which must pass by staying on the CPU.
{%- if cookiecutter.include_quantizer %} The static int8 flow runs the suite's
module of every quantized operator the table claims: 0 failures, and no
subtest leaves on the CPU an operator the table claims or a
quantize/dequantize (the plugin's --delegation-report). A subtest of an
unclaimed variant (div with a rounding mode) passes on the CPU.
{%- endif %}
"""

from __future__ import annotations
{% if cookiecutter.include_quantizer %}
import importlib.util
{%- endif %}
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
{%- if cookiecutter.include_quantizer %}

from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT
{%- endif %}

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SUITE = "executorch.backends.test.suite.operators"
{%- if cookiecutter.include_quantizer %}
# The suite's module of each operator the quantizer annotates (quantize and
# dequantize are the groups' boundary; mm and bmm have no module upstream).
QUANTIZED_MODULES = [
    f"test_{entry.name}"
    for entry in OP_SUPPORT
    if not entry.converts and importlib.util.find_spec(f"{SUITE}.test_{entry.name}") is not None
]


def suite_op_name(op) -> str:
    """The suite's name of an operator overload: 'aten::add.Tensor', 'aten::relu'."""
    overload = op._overloadname
    return op._schema.name + ("" if overload == "default" else f".{overload}")


# What must never stay on the CPU in a quantized subtest: the operators of the
# table (quantize/dequantize included) and the weights' per-channel dequantize.
CLAIMED = {suite_op_name(entry.aten_op) for entry in OP_SUPPORT} | {
    "quantized_decomposed::dequantize_per_channel"
}
{%- endif %}
SLICES = {
    "{{ cookiecutter.backend_slug }}": ["test_add", "test_relu", "test_clamp", "test_linear", "test_floor"],
{%- if cookiecutter.include_quantizer %}
    "{{ cookiecutter.backend_slug }}_static_int8": QUANTIZED_MODULES,
{%- endif %}
}


def run_suite(flow: str, modules: list, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
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
            *[f"{SUITE}.{name}" for name in modules],
            "-m",
            f"flow_{flow}",
            "-W",
            "ignore",
            "--delegation-report",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("flow", list(SLICES))
def test_backend_test_suite(flow, tmp_path):
    report = tmp_path / "delegation.json"
    run = run_suite(flow, SLICES[flow], report)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    records = json.loads(report.read_text(encoding="utf-8"))
    assert records, "the plugin recorded no subtest"
{%- if cookiecutter.include_quantizer %}
    if flow == "{{ cookiecutter.backend_slug }}":
        return
    passed = [record for record in records if record["result"] == "Pass"]
    left_on_cpu = [
        (record["test"], sorted(set(record["undelegated_ops"]) & CLAIMED)) for record in passed
    ]
    assert [item for item in left_on_cpu if item[1]] == []
    for module in SLICES[flow]:
        delegated = [r for r in passed if r["module"] == module and r["delegated"]]
        assert delegated, f"no subtest of {module} was delegated"
{%- endif %}
