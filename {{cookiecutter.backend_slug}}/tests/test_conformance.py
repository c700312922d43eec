"""ExecuTorch's backend test suite, run as this backend's flows.

The whole suite is one command (see docs/tutorials). Here the float flow runs
the suite's modules of a few operators the backend claims, whose passing tests
must all delegate, and of one it does not (floor), whose tests must pass on
the CPU.
{%- if cookiecutter.include_quantizer %} The static int8 flow runs the suite's
module of every quantized operator the table claims: 0 failures, and no
subtest leaves on the CPU an operator the table claims or a
quantize/dequantize; a subtest of an unclaimed variant (div with a rounding
mode, mean with a dtype) passes on the CPU.
{%- endif %} The counts come from the table the suite_flow plugin prints per
flow, the operators left on the CPU from its --delegation-report.
"""

from __future__ import annotations
{% if cookiecutter.include_quantizer %}
import importlib.util
{%- endif %}
import json
import os
import re
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
# The suite's modules named otherwise than the table entry they test.
SUITE_MODULES = {
    "convolution": ["test_conv1d", "test_conv2d"],
    "avg_pool2d": ["test_avgpool2d"],
    "adaptive_avg_pool2d": ["test_adaptive_avgpool2d"],
    "max_pool2d": ["test_maxpool2d"],
}
# The suite's modules of each operator the quantizer annotates (quantize and
# dequantize are the groups' boundary; mm and bmm have no module upstream).
QUANTIZED_MODULES = [
    module
    for entry in OP_SUPPORT
    if entry.annotated
    for module in SUITE_MODULES.get(entry.name, [f"test_{entry.name}"])
    if importlib.util.find_spec(f"{SUITE}.{module}") is not None
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
# Subtests of variants the table refuses although it claims their overload:
# mean with a dtype argument (an int64 input, a float64 output), and the int64
# index arithmetic (abs, sub, clamp) of reflect, replicate and circular padding
# in front of a convolution, stay on the CPU.
UNCLAIMED_VARIANTS = {
    "test_mean_output_dtype",
    "test_conv1d_padding_modes",
    "test_conv2d_padding_modes",
}
{%- endif %}
SLICES = {
    "{{ cookiecutter.backend_slug }}": ["test_add", "test_relu", "test_clamp", "test_linear"],
{%- if cookiecutter.include_quantizer %}
    "{{ cookiecutter.backend_slug }}_static_int8": QUANTIZED_MODULES,
{%- endif %}
}
# Operators the backend does not claim: the suite's tests pass on the CPU.
CPU_ONLY_SLICE = ["test_floor"]


def run_suite(flow: str, modules: list, report: Path) -> dict:
    """``flow``'s counts on the suite ``modules``: passed, failed, skipped, delegated."""
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
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    row = re.search(rf"^{flow} +(\d+) +(\d+) +(\d+) +(\d+)$", run.stdout, re.MULTILINE)
    assert row, f"no result row for flow {flow}:\n{run.stdout[-3000:]}"
    return dict(zip(("passed", "failed", "skipped", "delegated"), map(int, row.groups())))


@pytest.mark.parametrize("flow", list(SLICES))
def test_claimed_operators_pass_and_delegate(flow, tmp_path):
    report = tmp_path / "delegation.json"
    counts = run_suite(flow, SLICES[flow], report)
    assert counts["failed"] == 0 and counts["passed"] > 0, counts
    records = json.loads(report.read_text(encoding="utf-8"))
    passed = [record for record in records if record["result"] == "Pass"]
    for module in SLICES[flow]:
        delegated = [r for r in passed if r["module"] == module and r["delegated"]]
        assert delegated, f"no subtest of {module} was delegated"
{%- if cookiecutter.include_quantizer %}
    if flow == "{{ cookiecutter.backend_slug }}_static_int8":
        left_on_cpu = [
            (r["test"], sorted(set(r["undelegated_ops"]) & CLAIMED))
            for r in passed
            if r["test"].split("[")[0] not in UNCLAIMED_VARIANTS
        ]
        assert [item for item in left_on_cpu if item[1]] == []
        return
{%- endif %}
    # Every passing test of a claimed operator delegates.
    assert counts["delegated"] == counts["passed"], counts


def test_unclaimed_operators_pass_on_the_cpu(tmp_path):
    counts = run_suite("{{ cookiecutter.backend_slug }}", CPU_ONLY_SLICE, tmp_path / "delegation.json")
    assert counts["failed"] == 0 and counts["passed"] > 0, counts
    assert counts["delegated"] == 0, counts
