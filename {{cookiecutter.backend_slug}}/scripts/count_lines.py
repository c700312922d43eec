"""Lines of code per operator: its op_support.py entry and its kernel files.

    python scripts/count_lines.py

The backend should grow with operators, not with plumbing: an operator costs
one table entry and one kernel (``runtime/ops/<kernel>.cpp``, plus
``<kernel>_int8.cpp`` where it has an integer kernel), while the parser,
backend, partitioner and preprocess stay the same size. This prints both so a
reader can check. Counted lines are non-blank and not comment-only; the
license header is a comment, so the ``license`` answer does not change them.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT  # noqa: E402

PACKAGE = PROJECT_ROOT / "{{ cookiecutter.package_name }}"
KERNELS = PACKAGE / "runtime" / "ops"
# Code every operator shares, whatever the number of operators.
PLUMBING = {
    "C++ runtime (parser, backend, executor)": [
        path for path in sorted((PACKAGE / "runtime").glob("*")) if path.suffix in {".cpp", ".h"}
    ],
    "shared kernel helpers (ops/OpKernel.h)": [KERNELS / "OpKernel.h"],
    "partitioner and preprocess": [
        *sorted((PACKAGE / "partition").glob("*.py")),
        *PACKAGE.glob("*_preprocess.py"),
    ],
    "serialization (hand-written)": [
        PACKAGE / "serialization" / "blob_format.py",
        PACKAGE / "serialization" / "schema_types.py",
    ],
}


def code_lines(lines: Iterable[str], comment: str) -> int:
    """Non-blank lines that are not comment-only."""
    return sum(1 for line in lines if line.strip() and not line.strip().startswith(comment))


def file_lines(path: Path) -> int:
    comment = "#" if path.suffix == ".py" else "//"
    return code_lines(path.read_text(encoding="utf-8").splitlines(), comment)


def entry_spans(source: str) -> Dict[str, Tuple[int, int]]:
    """{entry name: (first line, last line)} of each OpSupport(...) call in op_support.py."""
    spans = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "OpSupport":
            names = [k.value for k in node.keywords if k.arg == "name"]
            if names and isinstance(names[0], ast.Constant):
                spans[names[0].value] = (node.lineno, node.end_lineno)
    return spans


def kernel_files(kernel: str) -> List[Path]:
    return [
        path
        for path in (KERNELS / f"{kernel}.cpp", KERNELS / f"{kernel}_int8.cpp")
        if path.is_file()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    source_lines = (PACKAGE / "op_support.py").read_text(encoding="utf-8").splitlines()
    spans = entry_spans("\n".join(source_lines))
    missing = [entry.name for entry in OP_SUPPORT if entry.name not in spans]
    if missing:
        raise SystemExit(
            f"op_support.py: no OpSupport(name=...) call found for {', '.join(missing)}"
        )

    rows = []
    counted_kernels = set()
    in_entries = set()
    for entry in OP_SUPPORT:
        first, last = spans[entry.name]
        in_entries.update(range(first - 1, last))
        table = code_lines(source_lines[first - 1 : last], "#")
        if entry.kernel_name in counted_kernels:
            kernel, files = 0, f"(shares {entry.kernel_name})"
        else:
            paths = kernel_files(entry.kernel_name)
            if not paths:
                raise SystemExit(
                    f"{entry.name}: no kernel file runtime/ops/{entry.kernel_name}.cpp"
                )
            counted_kernels.add(entry.kernel_name)
            kernel = sum(file_lines(path) for path in paths)
            files = ", ".join(path.name for path in paths)
        rows.append((entry.name, table, kernel, files))

    outside = [line for number, line in enumerate(source_lines) if number not in in_entries]
    print(f"{'operator':<16} {'entry':>5} {'kernel':>6}  kernel files")
    for name, table, kernel, files in rows:
        print(f"{name:<16} {table:>5} {kernel:>6}  {files}")
    tables = [row[1] for row in rows]
    kernels = [row[2] for row in rows if row[2]]
    print()
    print(
        f"{len(rows)} operators: median {statistics.median(tables):g} lines of table entry "
        f"and {statistics.median(kernels):g} lines of kernel per operator"
    )
    print("Shared by all operators (grows with new shape rules and dtypes, not with operators):")
    for what, paths in PLUMBING.items():
        print(f"  {what}: {sum(file_lines(path) for path in paths)} lines")
    print(f"  op_support.py outside the table entries: {code_lines(outside, '#')} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
