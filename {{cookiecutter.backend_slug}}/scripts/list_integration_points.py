"""List every place left for the hardware team to fill, in code and docs.

    python scripts/list_integration_points.py

Each place is a comment that starts with ``HARDWARE-INTEGRATION:`` (``#``,
``//`` or ``<!-- -->``); the script prints ``path:line: text`` for each.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"(?:#|//|<!--)\s*HARDWARE-INTEGRATION:\s*(.*?)\s*(?:-->)?$")
SKIPPED_DIRS = {".git", "build", "_build", "__pycache__", ".pytest_cache"}
SUFFIXES = {".py", ".cpp", ".h", ".txt", ".cmake", ".md", ".in"}


def integration_points(root: Path = ROOT):
    for path in sorted(root.rglob("*")):
        if path.suffix not in SUFFIXES or SKIPPED_DIRS & set(path.relative_to(root).parts):
            continue
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            match = MARKER.search(line)
            if match:
                yield path.relative_to(root), number, match.group(1)


def main() -> int:
    points = list(integration_points())
    for path, number, text in points:
        print(f"{path}:{number}: {text}")
    print(f"{len(points)} places to fill", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
