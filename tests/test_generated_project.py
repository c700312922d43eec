"""A generated backend installs and passes its own test suite, out of the box."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import copier_copy

COMBINATIONS = {
    "defaults": {},
    "nova-mit-no-quantizer": {
        "backend_name": "Nova NPU", "license": "MIT", "include_quantizer": False,
        "vendor": 'Nova "Silicon" Ltd.', "description": "Runs models on Nova's NPU\n(second line).",
    },
}


def _install(project: Path, env_dir: Path) -> Path:
    """pip install -e the project into a venv that sees this suite's packages.

    A ``.pth`` file puts this environment's site-packages on the new venv's
    path, so the pinned torch/executorch are reused (a fresh resolve of torch
    would download a CUDA build); --no-deps keeps pip from touching them.
    """
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    new_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    (Path(new_site) / "template-test-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-build-isolation", "-e", project],
        check=True,
    )
    return python


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_generated_backend_passes_its_own_tests(template_repo, tmp_path, name):
    project = copier_copy(template_repo, tmp_path / "project", COMBINATIONS[name])
    python = _install(project, tmp_path / "venv")
    env = {
        **os.environ,
        "PATH": f"{python.parent}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        # The template's own pytest plugins (both register --template) are
        # visible to the generated project here, and to the pytest runs its
        # tests start; a backend team's environment has neither.
        "PYTEST_ADDOPTS": "-p no:cookies -p no:copie",
    }
    run = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
