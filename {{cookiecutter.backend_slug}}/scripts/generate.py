"""Regenerate every file (and block) that restates the operator-support table.

    python scripts/generate.py          # rewrite what is stale
    python scripts/generate.py --check  # exit 1 naming each stale file (the tests run this)

``{{ cookiecutter.package_name }}/op_support.py`` is the single source of an operator's
facts. Each module in ``WRITERS`` maps the table to the full expected text of
the files it owns (``outputs(table) -> {path: text}``); this script compares and
rewrites. To generate something new, add a writer module here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

SCRIPTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPTS_DIR.parent
# Run from anywhere, installed or not: the package and the writer modules.
for _path in (str(PROJECT_ROOT), str(SCRIPTS_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

# Writer modules, each with outputs(table) -> {path: text}.
WRITERS = [
    "gen_schema",  # serialization/op_schema.py
    "gen_cpp",  # runtime/generated/*.inc, runtime/generated/ops.cmake
    "gen_format",  # FORMAT.md's opcode table
    "gen_docs",  # docs/op-support.csv, the overview's operator lists
]


def expected_files(table: Optional[Sequence] = None) -> Dict[Path, str]:
    """Every generated path with its expected text, from all writers."""
    if table is None:
        from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT as table
    files: Dict[Path, str] = {}
    for name in WRITERS:
        for path, text in importlib.import_module(name).outputs(table).items():
            if path in files:
                raise RuntimeError(f"{path} is written by two generator modules")
            files[path] = text
    return files


def stale_files(files: Dict[Path, str]) -> list:
    return [
        path
        for path, text in files.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a generated file is stale"
    )
    args = parser.parse_args(argv)
    files = expected_files()
    stale = stale_files(files)
    for path in stale:
        relative = path.relative_to(PROJECT_ROOT)
        if args.check:
            print(f"stale: {relative}", file=sys.stderr)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], encoding="utf-8")
            print(f"wrote {relative}")
    if args.check and stale:
        print(
            f"{len(stale)} generated file(s) do not match op_support.py; "
            "run: python scripts/generate.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
