"""Runs ExecuTorch's backend test suite against {{ cookiecutter.__backend_id }}, as its own test flow.

The suite (``executorch.backends.test.suite``) keeps a fixed list of flows in
``flow.all_flows`` and has no plugin mechanism, so this pytest plugin wraps
that function before the suite's conftest imports it. Load it with ``-p``:

    python -m pytest -p {{ cookiecutter.package_name }}.test.suite_flow \
        --pyargs executorch.backends.test.suite.operators -m flow_{{ cookiecutter.backend_slug }}

Each suite test lowers a model with the flow's tester, runs the ``.pte``
through the C++ delegate (loaded here with ``load_runtime``) and compares the
outputs with eager PyTorch. A test whose operator the backend does not claim
passes without delegating (the suite records it as "undelegated").

At the end of the session the plugin prints, for each flow that ran, how
many tests passed, failed and were skipped, and how many of the passing tests
delegated (lowered at least one node to a backend: the suite's own
``TestCaseSummary.is_delegated``). Select several flows in one run to compare
them, e.g. ``-m "flow_{{ cookiecutter.backend_slug }} or flow_xnnpack"``.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import executorch.backends.test.suite.flow as suite_flow
import pytest
from executorch.backends.test.suite.flow import TestFlow

from ..runtime_library import load_runtime
{%- if cookiecutter.include_quantizer %}
from .tester import Quantize, {{ cookiecutter.class_prefix }}Tester
{%- else %}
from .tester import {{ cookiecutter.class_prefix }}Tester
{%- endif %}

FLOWS = [
    TestFlow("{{ cookiecutter.backend_slug }}", backend="{{ cookiecutter.backend_slug }}", tester_factory={{ cookiecutter.class_prefix }}Tester),
{%- if cookiecutter.include_quantizer %}
    TestFlow(
        "{{ cookiecutter.backend_slug }}_static_int8",
        backend="{{ cookiecutter.backend_slug }}",
        tester_factory={{ cookiecutter.class_prefix }}Tester,
        quantize=True,
        quantize_stage_factory=Quantize,
    ),
{%- endif %}
]

_upstream_all_flows = suite_flow.all_flows


def all_flows() -> dict[str, TestFlow]:
    """The suite's own flows plus this backend's."""
    return {**_upstream_all_flows(), **{flow.name: flow for flow in FLOWS}}


# Must happen at import: the suite's conftest binds ``all_flows`` when pytest
# imports it, after plugins given with -p.
suite_flow.all_flows = all_flows


def pytest_configure(config):
    # The suite's outputs are computed by the C++ delegate: load it once.
    load_runtime()


# flow name -> Counter of the outcomes "passed", "failed", "skipped", and
# "delegated" (passed and lowered at least one node to a backend).
_TALLY = defaultdict(Counter)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The suite parametrizes its test_runner fixture with the flows.
    flow = getattr(item, "callspec", None) and item.callspec.params.get("test_runner")
    # A test's outcome is its call's, or its setup's when setup skipped or failed.
    decided = report.when == "call" or (report.when == "setup" and not report.passed)
    if isinstance(flow, TestFlow) and decided:
        tally = _TALLY[flow.name]
        tally[report.outcome] += 1
        # The runner keeps one summary per lowered model; the suite's conftest reads the same list.
        runner = item.funcargs.get("test_runner")
        if report.passed and any(summary.is_delegated() for summary in runner._results):
            tally["delegated"] += 1
    return report


def pytest_terminal_summary(terminalreporter):
    if not _TALLY:
        return
    terminalreporter.section("backend test suite: tests per flow")
    terminalreporter.write_line(
        f"{'flow':<32} {'passed':>7} {'failed':>7} {'skipped':>8} {'delegated':>10}"
    )
    for name, tally in sorted(_TALLY.items()):
        terminalreporter.write_line(
            f"{name:<32} {tally['passed']:>7} {tally['failed']:>7} {tally['skipped']:>8} {tally['delegated']:>10}"
        )
    terminalreporter.write_line(
        "delegated: passed tests that lowered at least one node to the backend"
    )
