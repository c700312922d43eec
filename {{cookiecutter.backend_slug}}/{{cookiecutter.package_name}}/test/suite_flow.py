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
"""

from __future__ import annotations

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


def pytest_configure(config):
    # The suite's outputs are computed by the C++ delegate: load it once.
    load_runtime()
