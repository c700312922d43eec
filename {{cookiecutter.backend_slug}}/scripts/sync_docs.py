"""Regenerate the parts of the docs that restate the operator-support table.

    python scripts/sync_docs.py          # rewrite docs/op-support.csv and the Features list
    python scripts/sync_docs.py --check  # exit 1 and name the stale files (used by the tests)

The table in ``{{ cookiecutter.package_name }}/op_support.py`` is the source of truth;
the docs only ever copy it through this script.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import re
import sys
from pathlib import Path

from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT

DOCS = Path(__file__).resolve().parents[1] / "docs"
OP_SUPPORT_CSV = DOCS / "op-support.csv"
OVERVIEW = DOCS / "{{ cookiecutter.backend_slug }}-overview.md"
BEGIN = "<!-- BEGIN GENERATED: supported operators (scripts/sync_docs.py) -->"
END = "<!-- END GENERATED: supported operators -->"
HAS_QUANTIZER = importlib.util.find_spec("{{ cookiecutter.package_name }}.quantizer") is not None


def _dtypes(entry) -> str:
    names = {"float32": "fp32", "float16": "fp16", "int8": "int8"}
    return ", ".join(names.get(str(d).replace("torch.", ""), str(d)) for d in entry.dtypes)


def op_support_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Operator", "Compute DType", "Quantization", "Constraints"])
    for entry in OP_SUPPORT:
        quantization = entry.quantization if HAS_QUANTIZER else "none"
        writer.writerow([entry.name, _dtypes(entry), quantization, entry.constraints])
    return out.getvalue()


def features_list() -> str:
    lines = [
        f"- `{entry.name}` (`{entry.aten_op}`): {_dtypes(entry)}; {entry.constraints}"
        for entry in OP_SUPPORT
    ]
    return "\n".join([BEGIN, *lines, END])


def expected_files() -> dict[Path, str]:
    overview = OVERVIEW.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(overview):
        raise SystemExit(f"{OVERVIEW}: the generated-block markers are missing")
    return {
        OP_SUPPORT_CSV: op_support_csv(),
        OVERVIEW: pattern.sub(lambda _: features_list(), overview),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    expected = expected_files()
    stale = [path for path, text in expected.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(DOCS.parent)} (run python scripts/sync_docs.py)")
        return 1 if stale else 0
    for path in stale:
        path.write_text(expected[path], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
