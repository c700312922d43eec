"""Writer of FORMAT.md's opcode table (the block between the GENERATED markers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Sequence

from gen_schema import PACKAGE_DIR, op_schemas, replace_block

FORMAT_MD = PACKAGE_DIR / "serialization" / "FORMAT.md"
BEGIN = "<!-- BEGIN GENERATED: opcode table (scripts/generate.py) -->"
END = "<!-- END GENERATED: opcode table -->"

_DTYPES = {0: "uint8", 1: "int8", 3: "int32", 4: "int64", 6: "float32"}
_ATTR_TYPES = {1: "int", 2: "float", 3: "bool", 4: "int list", 5: "float list"}


def opcode_table(schemas: Sequence[Any]) -> str:
    lines = [
        "| opcode | op | operands | outputs | attributes | dtypes | shape rule |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in schemas:
        operands = ", ".join(
            o.name + ("?" if o.optional else "") + ("..." if o.variadic else "") for o in s.operands
        )
        outputs = "1 or more" if s.variadic_outputs else str(s.num_outputs)
        attrs = ", ".join(f"`{a.name}`: {_ATTR_TYPES[int(a.type)]}" for a in s.attrs)
        dtypes = ", ".join(_DTYPES.get(d, str(d)) for d in s.dtypes)
        lines.append(
            f"| {s.opcode} | {s.name} | {operands} | {outputs} | {attrs} | {dtypes} | "
            f"`{s.shape_rule.value}` |"
        )
    return "\n".join(lines)


def outputs(table: Sequence[Any]) -> Dict[Path, str]:
    text = FORMAT_MD.read_text(encoding="utf-8")
    return {FORMAT_MD: replace_block(text, BEGIN, END, opcode_table(op_schemas(table)), FORMAT_MD)}
