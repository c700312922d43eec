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

With ``--delegation-report FILE`` the plugin also writes, per suite subtest,
whether it was delegated and which operators stayed on the CPU (JSON, from
the suite's own records), and prints the totals at the end of the run.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import executorch.backends.test.suite.flow as suite_flow
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


def pytest_addoption(parser):
    parser.addoption(
        "--delegation-report",
        type=Path,
        default=None,
        help="write each suite subtest's delegated and undelegated operators to this JSON file",
    )


_RECORDS: list[dict] = []


def pytest_configure(config):
    # The suite's outputs are computed by the C++ delegate: load it once.
    load_runtime()


def pytest_runtest_teardown(item):
    # The suite's TestRunner keeps one record per subtest (lower_and_run_model).
    runner = getattr(item, "funcargs", {}).get("test_runner")
    for record in getattr(runner, "_results", ()):
        _RECORDS.append(
            {
                "module": item.path.stem,
                "test": item.name,
                "flow": record.flow,
                "result": record.result.to_short_str(),
                "delegated": record.is_delegated(),
                "delegated_ops": dict(record.delegated_op_counts or {}),
                "undelegated_ops": dict(record.undelegated_op_counts or {}),
            }
        )


def pytest_terminal_summary(terminalreporter, config):
    path = config.getoption("--delegation-report")
    if path is None:
        return
    path.write_text(json.dumps(_RECORDS, indent=1), encoding="utf-8")
    left = Counter()
    for record in _RECORDS:
        left.update(record["undelegated_ops"])
    delegated = sum(record["delegated"] for record in _RECORDS)
    terminalreporter.write_line(
        f"{{ cookiecutter.backend_slug }} delegation: {delegated} of {len(_RECORDS)} subtests delegated; "
        f"operators left on the CPU: {dict(left) or 'none'} (details: {path})"
    )
