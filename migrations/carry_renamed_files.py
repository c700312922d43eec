"""Carry a backend team's version of a file across a template rename.

Runs as a copier "after" migration (copier.yml, ``_migrations``) in the
backend being updated:

    carry_renamed_files.py OLD_PATH NEW_PATH [OLD_PATH NEW_PATH ...]

Why a migration: copier diffs the old template rendering against the
project path by path, so a file the template moved comes out at its new path
with the template's text only, and copier deletes the old path (team edits
and all) before "after" migrations run. The edits are still in ``HEAD``,
because copier only updates committed projects. For each pair this script
three-way merges them into the new path:

    ours   HEAD:OLD_PATH         what the team committed
    base   OLD_PATH as the old template version rendered it
    theirs NEW_PATH as copier just rendered it from the new version

so that both the team's edits and the template's later changes to the file
land. A conflict is left with copier's own markers and registered as an
unmerged path, like every other conflict of the update.

The base is rendered by copier from the template version and answers that
``HEAD:.copier-answers.yml`` records, limited to the one file. When that is
impossible (template unreachable), the team's version is kept as it is and
the script says which template changes to look at.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ANSWERS_FILE = ".copier-answers.yml"
# The labels copier gives the three sides of a conflict.
LABELS = ("before updating", "last update", "after updating")


def git(*args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], input=stdin, capture_output=True, check=check)


def committed(path: str) -> bytes | None:
    """The file as ``HEAD`` has it, or None when HEAD has no such file."""
    shown = git("show", f"HEAD:{path}", check=False)
    return shown.stdout if shown.returncode == 0 else None


def exclude_all_but(path: str) -> list[str]:
    """copier ``exclude`` patterns (gitignore syntax) that leave only ``path``.

    Rendering one file instead of the whole backend keeps the migration
    cheap. Each folder on the way is let back in, then emptied again.
    """
    patterns = ["*"]
    parts = path.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        patterns += [f"!/{folder}/", f"/{folder}/**"]
    return patterns + [f"!/{path}"]


def old_template_rendering(path: str) -> bytes | None:
    """``path`` as the template version recorded in HEAD's answers renders it."""
    import copier

    recorded = yaml.safe_load(committed(ANSWERS_FILE) or b"{}") or {}
    source, version = recorded.get("_src_path"), recorded.get("_commit")
    if not source or not version:
        return None
    answers = {name: value for name, value in recorded.items() if not name.startswith("_")}
    only_this_file = exclude_all_but(path)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            copier.run_copy(
                source, scratch, data=answers, vcs_ref=version, exclude=only_this_file,
                defaults=True, quiet=True, unsafe=True,
            )
        except Exception as error:  # any failure means: no base, handled by the caller
            print(f"carry_renamed_files: cannot render {path} of template {version}: {error}", file=sys.stderr)
            return None
        rendered = Path(scratch, path)
        return rendered.read_bytes() if rendered.is_file() else None


def mark_unmerged(path: str, base: bytes, ours: bytes, theirs: bytes) -> None:
    """Record the three sides in the index, so ``git status`` lists the conflict."""
    def blob(content: bytes) -> str:
        return git("hash-object", "-w", "--stdin", stdin=content).stdout.decode().strip()

    entries = [f"0 {'0' * 40}\t{path}"] + [
        f"100644 {blob(content)} {stage}\t{path}"
        for stage, content in ((1, base), (2, ours), (3, theirs))
    ]
    git("update-index", "--index-info", stdin=("\n".join(entries) + "\n").encode())


def merge(ours: bytes, base: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """git merge-file of the three versions: (result, has conflicts)."""
    with tempfile.TemporaryDirectory() as scratch:
        files = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            files.append(Path(scratch, name))
            files[-1].write_bytes(content)
        labels = [arg for label in LABELS for arg in ("-L", label)]
        result = git("merge-file", *labels, *map(str, files), check=False)
        # The exit status counts the conflicts (at most 127); an error is -1, i.e. 255.
        if result.returncode > 127:
            raise RuntimeError(f"git merge-file failed: {result.stderr.decode()}")
        return files[0].read_bytes(), result.returncode > 0


def carry(old: str, new: str) -> str:
    """Move the team's version of ``old`` to ``new``; returns what was done."""
    ours = committed(old)
    if committed(new) is not None:
        return f"{new}: already in the project, nothing to carry"
    target = Path(new)
    if ours is None:
        # The team had deleted the file: keep it deleted under its new name too.
        target.unlink(missing_ok=True)
        return f"{new}: not created, because {old} had been deleted"
    theirs = target.read_bytes() if target.is_file() else b""
    base = old_template_rendering(old)
    target.parent.mkdir(parents=True, exist_ok=True)
    # copier has deleted it already; a manual run has not.
    Path(old).unlink(missing_ok=True)
    if base is None:
        target.write_bytes(ours)
        return (f"{new}: your {old}, moved as it was; compare it with the template's "
                f"new version (copier recopy) for changes the template made since")
    result, conflicted = merge(ours, base, theirs)
    target.write_bytes(result)
    if conflicted:
        mark_unmerged(new, base, ours, theirs)
        return f"{new}: your {old}, merged with CONFLICTS to resolve"
    return f"{new}: your {old}, merged with the template's version"


def main(arguments: list[str]) -> int:
    if not arguments or len(arguments) % 2:
        print("usage: carry_renamed_files.py OLD NEW [OLD NEW ...]", file=sys.stderr)
        return 2
    for old, new in zip(arguments[::2], arguments[1::2]):
        print(f"migration: {carry(old, new)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
