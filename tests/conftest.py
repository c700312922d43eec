"""Shared fixtures: a committed copy of the template and one driver per engine.

Cookiecutter is driven through pytest-cookies, copier and cruft through their
Python APIs (pytest-cookies and pytest-copie both register ``--template`` and
cannot share a session, see pytest.ini).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Mapping

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
ANSWERS_FILES = {".copier-answers.yml", ".cruft.json"}
SKIPPED_PARTS = {".git", "__pycache__"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Template Tests", "-c", "user.email=tests@example.com", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    """The working tree's template files, committed in a fresh git repository.

    Copier and cruft read a template through git; copying the tracked and
    untracked-but-not-ignored files makes a dirty working tree and a clean
    CI clone behave the same.
    """
    repo = tmp_path_factory.mktemp("template") / "backend-template"
    listed = git(TEMPLATE_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for relative in filter(None, listed.split("\0")):
        source = TEMPLATE_ROOT / relative
        if source.is_file():
            target = repo / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "template under test")
    return repo


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


def copier_copy(template: Path, destination: Path, answers: Mapping[str, Any]) -> Path:
    import copier

    copier.run_copy(
        str(template), destination, data=dict(answers), defaults=True, unsafe=True,
        vcs_ref="HEAD", quiet=True,
    )
    return destination


def cruft_create(template: Path, output_dir: Path, answers: Mapping[str, Any]) -> Path:
    import cruft

    return cruft.create(
        str(template), output_dir=output_dir, extra_context=cookiecutter_context(answers),
        no_input=True,
    )


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
