"""A generated backend installs and passes its own test suite, out of the box."""

from __future__ import annotations

import pytest

from conftest import copier_copy, install_generated_project, run_generated_tests

COMBINATIONS = {
    "defaults": {},
    "nova-mit-no-quantizer": {
        "backend_name": "Nova NPU", "license": "MIT", "include_quantizer": False,
        "vendor": 'Nova "Silicon" Ltd.', "description": "Runs models on Nova's NPU\n(second line).",
    },
}


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_generated_backend_passes_its_own_tests(template_repo, tmp_path, name):
    project = copier_copy(template_repo, tmp_path / "project", COMBINATIONS[name])
    python = install_generated_project(project, tmp_path / "venv")
    # The slow tests (the AArch64 cross build under qemu) run with the defaults only.
    run_generated_tests(project, python, *(() if name == "defaults" else ("-m", "not slow")))
