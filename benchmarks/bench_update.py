"""Update cost: `copier update` of the default backend vs `copier copy` of it.

Copier renders the old and the new template version to compute an update, so
an update costs a few copies whatever the template does; this measures the
template's share on top. Three cases, interleaved, each a fresh process:

- copy:                 copier copy of the current version (the peer);
- update:               a backend of the current version updated to a newer
                        release that changes one file (no migration crossed);
- update + migration:   a backend of the oldest release (CHANGELOG.md)
                        updated to the current version, crossing the
                        migration that carries the renamed fuzzing page
                        (once in a backend's life);
- the migration script alone, for its share of the above.

Each backend to update is generated and committed beforehand, untimed, with
one local edit (as a team would have).

    python benchmarks/bench_update.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import _common

sys.path.insert(0, str(_common.TEMPLATE_ROOT / "tests"))
from release_history import CURRENT, OLDEST, build_release_repo, commit_all, git, new_repository  # noqa: E402

# A release after CURRENT that touches one generated file.
NEXT = f"{CURRENT}.post1"


def add_next_release(repo: Path) -> None:
    readme = repo / "{{cookiecutter.backend_slug}}" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n<!-- template release " + NEXT + " -->\n",
                      encoding="utf-8")
    commit_all(repo, f"release {NEXT}")
    git(repo, "tag", NEXT)


def copier(*args: str, cwd: Path | None = None) -> None:
    subprocess.run([_common.tool("copier"), *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def committed_backend(repo: Path, destination: Path, version: str) -> Path:
    """A backend generated at ``version``, with one edit, committed (untimed)."""
    copier("copy", "--trust", "--defaults", "--vcs-ref", version, str(repo), str(destination))
    new_repository(destination, "generated")
    readme = destination / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur notes.\n", encoding="utf-8")
    commit_all(destination, "team edit")
    return destination


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)

    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    repo = build_release_repo(work / "backend-template")
    add_next_release(repo)
    counter = iter(range(10**6))

    def fresh() -> Path:
        return work / f"project{next(counter)}"

    def copy() -> float:
        destination = fresh()
        return _common.timed(lambda: copier("copy", "--trust", "--defaults", "--vcs-ref", CURRENT, str(repo), str(destination)))

    def migration_alone() -> float:
        """The migration script, in the state copier leaves before running it."""
        project = committed_backend(repo, fresh(), OLDEST)
        old, new = "docs/zeta_accel-fuzzing.md", "docs/guides/zeta_accel-fuzzing-guide.md"
        (project / new).parent.mkdir(parents=True)
        (project / old).rename(project / new)
        script = _common.TEMPLATE_ROOT / "migrations" / "carry_renamed_files.py"
        return _common.timed(lambda: subprocess.run(
            [sys.executable, str(script), old, new], cwd=project, check=True, stdout=subprocess.DEVNULL))

    def update(start: str, target: str) -> float:
        project = committed_backend(repo, fresh(), start)
        return _common.timed(lambda: copier("update", "--trust", "--defaults", "--vcs-ref", target, cwd=project))

    cases = {
        "copy": copy,
        "update": lambda: update(CURRENT, NEXT),
        "update + migration": lambda: update(OLDEST, CURRENT),
        "(migration script alone)": migration_alone,
    }
    for measure in cases.values():  # warm the file cache once
        measure()
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, measure in cases.items():  # interleaved
            samples[name].append(measure())
    med = {name: _common.median(values) for name, values in samples.items()}
    rows = []
    for name in cases:
        ratio = med[name] / med["copy"]
        rows.append([name, _common.ms(med[name]), f"{ratio:.2f}x"])
    _common.print_table(
        f"Update vs copy (copier): median of {repeats}, fresh process each",
        ["case", "wall", "vs copy"], rows,
    )
    shutil.rmtree(work, ignore_errors=True)
    return {name: {"wall": med[name], "ratio": med[name] / med["copy"]} for name in cases}


if __name__ == "__main__":
    main()
