"""The template's releases, rebuilt as a tagged git repository.

CHANGELOG.md names each release and records the commit it was tagged on;
tags themselves may not reach a clone, commits on main do. The update tests
and the update benchmark generate backends at an old release and update them
to the working tree, so they need both as tags of one repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import List, Optional, Tuple

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]


def git(cwd: Path, *args: str, stdin: Optional[bytes] = None) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Template Tests", "-c", "user.email=tests@example.com", *args],
        cwd=cwd, check=True, capture_output=True, input=stdin,
    ).stdout.decode()


def releases() -> List[Tuple[str, Optional[str]]]:
    """(version, release commit or None) of each CHANGELOG entry, newest first."""
    text = (TEMPLATE_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    found = []
    for entry in re.split(r"^## ", text, flags=re.M)[1:]:
        commit = re.search(r"^Release commit: ([0-9a-f]{40})$", entry, re.M)
        found.append((entry.split()[0], commit.group(1) if commit else None))
    return found


CURRENT = releases()[0][0]
OLDEST, OLDEST_COMMIT = releases()[-1]


class MissingRelease(RuntimeError):
    """A release commit that this clone does not have."""


def copy_working_tree(destination: Path) -> None:
    """The template's tracked and untracked-but-not-ignored files."""
    listed = git(TEMPLATE_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for relative in filter(None, listed.split("\0")):
        source = TEMPLATE_ROOT / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def new_repository(folder: Path, message: str) -> Path:
    """A git repository on ``main`` with everything in ``folder`` committed."""
    git(folder, "init", "-q", "-b", "main")
    commit_all(folder, message)
    return folder


def build_release_repo(repo: Path) -> Path:
    """A git repository with the oldest release and the working tree (as CURRENT), tagged."""
    archive = subprocess.run(["git", "archive", OLDEST_COMMIT], cwd=TEMPLATE_ROOT, capture_output=True)
    if archive.returncode:
        raise MissingRelease(
            f"release {OLDEST} (commit {OLDEST_COMMIT}) is not in this clone: "
            f"{archive.stderr.decode().strip()}; fetch the history with `git fetch --unshallow`"
        )
    repo.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", repo], input=archive.stdout, check=True)
    new_repository(repo, f"release {OLDEST}")
    git(repo, "tag", OLDEST)

    git(repo, "rm", "-rq", ".")
    copy_working_tree(repo)
    commit_all(repo, f"release {CURRENT}")
    git(repo, "tag", CURRENT)
    return repo
