"""Writer of the docs that restate the operator-support table (run by scripts/generate.py).

- ``docs/op-support.csv``: one row per table entry;
- the Features list of the overview page;
- the operator list of the quantization page (with a quantizer).

The two lists sit between ``<!-- BEGIN GENERATED: ... -->`` and
``<!-- END GENERATED: ... -->`` markers; the text around them is written by hand.
Nothing here depends on the backend's name, so the same table gives the same text
in every generated backend.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Dict, Sequence

from gen_schema import PACKAGE_DIR, PROJECT_ROOT, replace_block

DOCS = PROJECT_ROOT / "docs"
OP_SUPPORT_CSV = DOCS / "op-support.csv"
# The quantizer is optional: without it the docs say nothing about quantization.
HAS_QUANTIZER = (PACKAGE_DIR / "quantizer" / "__init__.py").is_file()

FEATURES = "supported operators"
QUANTIZED = "quantized operators"


def begin(block: str) -> str:
    return f"<!-- BEGIN GENERATED: {block} (scripts/generate.py) -->"


def end(block: str) -> str:
    return f"<!-- END GENERATED: {block} -->"


def _dtypes(entry: Any) -> str:
    names = {"float32": "fp32", "float16": "fp16", "int8": "int8", "int32": "int32"}
    dtypes = getattr(entry, "blob_dtypes", entry.dtypes)
    return ", ".join(names.get(str(d).replace("torch.", ""), str(d)) for d in dtypes)


def quantization(entry: Any) -> str:
    """The Quantization column: what PT2E does to the op and how the delegate computes it."""
    if not HAS_QUANTIZER:
        return "none"
    if entry.converts or not entry.annotated:
        return entry.quantization
    if entry.moves_data:
        return f"{entry.quantization}; static int8 runs in integer (run_{entry.kernel_name} moves the int8 values)"
    if entry.int8:
        return f"{entry.quantization}; static int8 runs in integer (run_{entry.kernel_name}_int8)"
    return f"{entry.quantization}; computes in float32 inside the delegate between dequantize and quantize"


def op_support_csv(table: Sequence[Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Operator", "Compute DType", "Quantization", "Constraints"])
    for entry in table:
        writer.writerow([entry.name, _dtypes(entry), quantization(entry), entry.constraints])
    return out.getvalue()


def features_list(table: Sequence[Any]) -> str:
    return "\n".join(
        f"- `{entry.name}` (`{entry.aten_op}`): {_dtypes(entry)}; {entry.constraints}"
        for entry in table
    )


def quantized_list(table: Sequence[Any]) -> str:
    """What the quantizer annotates (``OpSupport.annotated``); dynamic and weight-only: entries with weights."""
    annotated = [entry for entry in table if entry.annotated]
    static = ", ".join(f"`{entry.name}`" for entry in annotated)
    integer = ", ".join(f"`{entry.name}`" for entry in annotated if entry.int8)
    floating = ", ".join(f"`{entry.name}`" for entry in annotated if not entry.int8)
    weighted = ", ".join(
        f"`{entry.name}`"
        for entry in annotated
        if any(o.role.value == "weight" for o in entry.operands)
    )
    return "\n".join(
        [
            f"- Operators: {static}.",
            f"- Static int8 runs in integer kernels: {integer or 'none'}.",
            f"- Static int8 computes in float32 inside the delegate, between a dequantize and a "
            f"quantize: {floating or 'none'}.",
            f"- Operators with weights (dynamic and weight-only schemes): {weighted or 'none'}.",
        ]
    )


def page(suffix: str) -> Path:
    """docs/<slug>-<suffix>.md (one page of each kind)."""
    (found,) = DOCS.glob(f"*-{suffix}.md")
    return found


def outputs(table: Sequence[Any]) -> Dict[Path, str]:
    pages = [(page("overview"), FEATURES, features_list(table))]
    if HAS_QUANTIZER:
        pages.append((page("quantization"), QUANTIZED, quantized_list(table)))
    written = {OP_SUPPORT_CSV: op_support_csv(table)}
    for path, block, body in pages:
        written[path] = replace_block(
            path.read_text(encoding="utf-8"), begin(block), end(block), body, path
        )
    return written
