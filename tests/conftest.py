"""Shared fixtures: a committed copy of the template and one driver per engine.

Cookiecutter is driven through pytest-cookies, copier and cruft through their
Python APIs (pytest-cookies and pytest-copie both register ``--template`` and
cannot share a session, see pytest.ini).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from typing import Any, Mapping, Tuple

import pytest

from release_history import MissingRelease, build_release_repo, copy_working_tree, new_repository

ANSWERS_FILES = {".copier-answers.yml", ".cruft.json"}
# The console scripts (cookiecutter, copier, cruft) next to this interpreter.
BIN = Path(sys.executable).parent
# What a backend generated with every answer at its default is called.
DEFAULT_SLUG = "zeta_accel"
SKIPPED_PARTS = {".git", "__pycache__"}


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    """The working tree's template files, committed in a fresh git repository.

    Copier and cruft read a template through git; copying the tracked and
    untracked-but-not-ignored files makes a dirty working tree and a clean
    CI clone behave the same.
    """
    repo = tmp_path_factory.mktemp("template") / "backend-template"
    copy_working_tree(repo)
    return new_repository(repo, "template under test")


@pytest.fixture(scope="session")
def release_repo(tmp_path_factory) -> Path:
    """A template repository with two tagged releases: the oldest one and the working tree."""
    try:
        return build_release_repo(tmp_path_factory.mktemp("releases") / "backend-template")
    except MissingRelease as error:
        pytest.fail(str(error))


def cookiecutter_literal(value: Any) -> Any:
    """How to pass text to cookiecutter non-interactively so it stays literal.

    Cookiecutter renders answers given as extra context (command line, config
    file) as Jinja templates; copier and interactive answers are taken as
    typed. Replacing every ``{`` by an expression that prints ``{`` leaves no
    Jinja delimiter in the text.
    """
    return value.replace("{", "{{ '{' }}") if isinstance(value, str) else value


def cookiecutter_context(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {name: cookiecutter_literal(value) for name, value in answers.items()}


def bake(cookies, template: Path, answers: Mapping[str, Any]):
    """Cookiecutter through pytest-cookies; returns its Result."""
    return cookies.bake(extra_context=cookiecutter_context(answers), template=str(template))


def copier_copy(template: Path, destination: Path, answers: Mapping[str, Any], vcs_ref: str = "HEAD") -> Path:
    import copier

    copier.run_copy(
        str(template), destination, data=dict(answers), defaults=True, unsafe=True,
        vcs_ref=vcs_ref, quiet=True,
    )
    return destination


def cruft_create(
    template: Path, output_dir: Path, answers: Mapping[str, Any], checkout: str | None = None
) -> Path:
    import cruft

    return Path(cruft.create(
        str(template), output_dir=output_dir, extra_context=cookiecutter_context(answers),
        no_input=True, checkout=checkout,
    ))


# Each engine's command line with every answer at its default, and where it
# puts the backend (under the output folder, or in the named folder).
COMMAND_LINES = {
    "cookiecutter": (lambda template, out: ["cookiecutter", "--no-input", template, "--output-dir", out], True),
    "copier": (lambda template, out: ["copier", "copy", "--trust", "--defaults", "--vcs-ref=HEAD", template, out], False),
    "cruft": (lambda template, out: ["cruft", "create", "--no-input", "--output-dir", out, template], True),
}


def generate_with_command_line(engine: str, template: Path, out: Path, env: Mapping[str, str] | None = None) -> Path:
    """The default backend through the engine's real program; returns its folder."""
    command, makes_subfolder = COMMAND_LINES[engine]
    program, *arguments = command(str(template), str(out))
    run = subprocess.run([BIN / program, *arguments], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return out / DEFAULT_SLUG if makes_subfolder else out


def fresh_venv(env_dir: Path) -> Tuple[Path, Path]:
    """A new venv without pip: its python and its site-packages folder."""
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return python, Path(site)


def share_suite_packages(site: Path) -> None:
    """Put this environment's site-packages on a venv's path (a .pth file in
    ``site``), so the pinned torch/executorch are reused: a fresh resolve of
    torch would download a CUDA build."""
    (site / "template-test-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


def install_generated_project(project: Path, env_dir: Path) -> Path:
    """pip install -e the project into a venv that sees this suite's packages
    (share_suite_packages); --no-deps keeps pip from touching them."""
    python, site = fresh_venv(env_dir)
    share_suite_packages(site)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-build-isolation", "-e", project],
        check=True,
    )
    return python


def run_generated_tests(project: Path, python: Path, *pytest_args: str) -> str:
    """The generated project's pytest suite, which must pass; returns its output.

    ``pytest_args`` narrow it (``"-m", "not slow"`` leaves out the AArch64
    cross build, which one run per session is enough to cover).
    """
    env = {
        **os.environ,
        "PATH": f"{python.parent}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
        # The template's own pytest plugins (both register --template) are
        # visible to the generated project here, and to the pytest runs its
        # tests start; a backend team's environment has neither.
        "PYTEST_ADDOPTS": "-p no:cookies -p no:copie",
    }
    run = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
    return run.stdout


def tree_folders(root: Path) -> list[str]:
    """Every generated folder (an empty one left behind shows up here)."""
    return sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*")
        if path.is_dir() and not SKIPPED_PARTS & set(path.relative_to(root).parts)
    )


def tree_contents(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every generated file, answers files aside."""
    contents = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.name not in ANSWERS_FILES and not SKIPPED_PARTS & set(relative.parts):
            contents[relative.as_posix()] = path.read_bytes()
    return contents
