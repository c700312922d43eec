"""Generation cost: the default backend vs a one-file template, per engine.

Both engines render the full skeleton (``cookiecutter --no-input`` and
``copier copy --defaults --trust``) and, in the same run and interleaved, a
tiny template (its own cookiecutter.json / copier.yml and one file) made in a
temp dir: the floor, i.e. what starting the engine costs. Each run is a fresh
process, as a user would run it.

    python benchmarks/bench_generation.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List

import _common


def make_floor_template(root: Path) -> Path:
    cc = root / "floor-cookiecutter"
    (cc / "{{cookiecutter.name}}").mkdir(parents=True)
    (cc / "cookiecutter.json").write_text('{"name": "tiny"}\n')
    (cc / "{{cookiecutter.name}}" / "README.md").write_text("# {{ cookiecutter.name }}\n")
    cp = root / "floor-copier"
    cp.mkdir()
    (cp / "copier.yml").write_text("name:\n  type: str\n  default: tiny\n")
    (cp / "README.md.jinja").write_text("# {{ name }}\n")
    # The real template is a git repository, which copier clones; so is the
    # floor, or the ratio would charge the clone to the skeleton.
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=cp, check=True)
    subprocess.run([*git, "add", "-A"], cwd=cp, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "floor"], cwd=cp, check=True)
    return root


def main(argv: List[str] | None = None) -> Dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)

    work = Path(tempfile.mkdtemp(prefix="bench-generation-"))
    floors = make_floor_template(work)
    cookiecutter, copier = _common.tool("cookiecutter"), _common.tool("copier")
    template = str(_common.TEMPLATE_ROOT)

    def run(cmd: List[str]) -> None:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    counter = iter(range(10**6))

    def out() -> str:
        return str(work / f"out{next(counter)}")

    commands = {
        ("cookiecutter", "full"): lambda: [cookiecutter, "--no-input", template, "-o", out()],
        ("cookiecutter", "floor"): lambda: [cookiecutter, "--no-input", str(floors / "floor-cookiecutter"), "-o", out()],
        # copier reads the template's committed HEAD (--vcs-ref=HEAD).
        ("copier", "full"): lambda: [copier, "copy", "--trust", "--defaults", "--vcs-ref=HEAD", template, out()],
        ("copier", "floor"): lambda: [copier, "copy", "--trust", "--defaults", "--vcs-ref=HEAD", str(floors / "floor-copier"), out()],
    }
    cases = {key: (lambda command=command: run(command())) for key, command in commands.items()}
    samples = {key: [] for key in cases}
    for fn in cases.values():  # warm the file cache once
        fn()
    for _ in range(repeats):
        for key, fn in cases.items():  # interleaved
            samples[key].append(_common.timed(fn))
    med = {key: _common.median(v) for key, v in samples.items()}
    rows = []
    results = {}
    for engine in ("cookiecutter", "copier"):
        full, floor = med[(engine, "full")], med[(engine, "floor")]
        results[engine] = {"full": full, "floor": floor, "ratio": full / floor}
        rows.append([engine, _common.ms(full), _common.ms(floor), f"{full / floor:.2f}x"])
    _common.print_table(f"Generation: median of {repeats}, fresh process each",
                        ["engine", "full skeleton", "one-file floor", "full/floor"], rows)
    shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
