"""Writer of the C++ side of the operator table, under ``<package>/runtime/generated/``.

* ``OpSchema.inc``: the ``OpCode`` enum, each opcode's operands, outputs,
  attributes, dtypes and shape rule (``kOpSchemas``), and per-op constants that
  name operand and attribute positions (``schema::linear::kInputBias``).
  Included by ``<Prefix>OpSchema.h`` inside the backend's namespace.
* ``OpTable.inc``: the declaration of every kernel ``run_<name>`` (and of the
  ``prepare_<name>_int8`` of each ``int8_prepare`` entry) and the dispatch
  table ``kKernelTable``. Included by ``ops/OpKernel.h``. A kernel or prepare
  function that is declared here but not written fails the link, naming it.
* ``ops.cmake``: the list of kernel names; CMake compiles ``ops/<name>.cpp``
  for each and stops with a message naming the operator if the file is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Sequence

from gen_schema import PACKAGE_DIR, header, op_schemas, schema_of

from {{ cookiecutter.package_name }}.serialization.schema_types import camel_case

GENERATED_DIR = PACKAGE_DIR / "runtime" / "generated"

_ATTR_TYPES = {1: "Int", 2: "Float", 3: "Bool", 4: "IntList", 5: "FloatList"}


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _braced(text: str) -> str:
    return "{" + text + "}"


def _array(kind: str, name: str, items: List[str]) -> List[str]:
    if not items:
        return []
    return [f"inline constexpr {kind} {name}[] = " + "{", *[f"    {item}," for item in items], "};"]


def op_schema_inc(schemas: Sequence[Any]) -> str:
    lines = [
        header("//"),
        "// Included by the backend's OpSchema.h inside its namespace, after the",
        "// definitions of OpSchema, OperandSchema, AttrSchema, AttrType and ShapeRule.",
        "",
        "enum class OpCode : uint32_t {",
        *[f"  {camel_case(s.name)} = {s.opcode}," for s in schemas],
        "};",
        "",
        f"inline constexpr uint32_t kNumOpCodes = {len(schemas)};",
        "// Opcodes are 1..kMaxOpCode; a value above it is unknown to this runtime.",
        f"inline constexpr uint32_t kMaxOpCode = {max(s.opcode for s in schemas)};",
        "",
        "// Positions of each op's operands (kInput*) and attributes (kAttr*).",
    ]
    for s in schemas:
        lines.append(f"namespace schema::{s.name} " + "{")
        for index, operand in enumerate(s.operands):
            lines.append(f"inline constexpr uint32_t kInput{camel_case(operand.name)} = {index};")
        for index, attr in enumerate(s.attrs):
            lines.append(f"inline constexpr uint32_t kAttr{camel_case(attr.name)} = {index};")
        lines.append("} " + f"// namespace schema::{s.name}")
    lines.append("")
    for s in schemas:
        camel = camel_case(s.name)
        lines += _array(
            "OperandSchema",
            f"k{camel}Operands",
            [_braced(f'"{o.name}", {_bool(o.optional)}, {_bool(o.variadic)}') for o in s.operands],
        )
        lines += _array(
            "AttrSchema",
            f"k{camel}Attrs",
            [_braced(f'"{a.name}", AttrType::{_ATTR_TYPES[int(a.type)]}') for a in s.attrs],
        )
        lines += _array("uint32_t", f"k{camel}Dtypes", [str(d) for d in s.dtypes])
    lines += ["", "// In opcode order.", "inline constexpr OpSchema kOpSchemas[] = {"]
    for s in schemas:
        camel = camel_case(s.name)
        operands = f"k{camel}Operands" if s.operands else "nullptr"
        attrs = f"k{camel}Attrs" if s.attrs else "nullptr"
        lines += [
            "    {",
            f"        OpCode::{camel},",
            f'        "{s.name}",',
            f"        {operands},",
            f"        {len(s.operands)},",
            f"        {s.num_outputs},",
            f"        {_bool(s.variadic_outputs)},",
            f"        {attrs},",
            f"        {len(s.attrs)},",
            f"        ShapeRule::{camel_case(s.shape_rule.value)},",
            f"        k{camel}Dtypes,",
            f"        {len(s.dtypes)},",
            f"        {'true' if s.int8_kernel else 'false'},",
            "    },",
        ]
    lines.append("};")
    return "\n".join(lines) + "\n"


def kernel_names(schemas: Sequence[Any], moves_data: AbstractSet[str]) -> List[str]:
    """The kernel files (``runtime/ops/<name>.cpp``) of all opcodes, in opcode order.

    ``moves_data``: the kernels that serve every dtype (``OpSupport.moves_data``),
    which are their own int8 kernel.
    """
    names: List[str] = []
    for s in schemas:
        names.append(s.name)
        if s.int8_kernel and s.name not in moves_data:
            names.append(f"{s.name}_int8")
    return names


def _int8_kernel(schema: Any, moves_data: AbstractSet[str]) -> str:
    if not schema.int8_kernel:
        return "nullptr"
    return f"&run_{schema.name}" if schema.name in moves_data else f"&run_{schema.name}_int8"


def _prepare_int8(schema: Any, prepared: AbstractSet[str]) -> str:
    return f"&prepare_{schema.name}_int8" if schema.name in prepared else "nullptr"


def op_table_inc(
    schemas: Sequence[Any], moves_data: AbstractSet[str], prepared: AbstractSet[str]
) -> str:
    """``prepared``: the kernels whose int8 kernel prepares state at init
    (``OpSupport.int8_prepare``)."""
    lines = [
        header("//"),
        "// Included by ops/OpKernel.h inside the backend's namespace. Each kernel is",
        "// defined in ops/<name>.cpp; a missing one fails the link naming run_<name>.",
        "",
        *[
            f"void run_{name}(const KernelContext& context);"
            for name in kernel_names(schemas, moves_data)
        ],
        *[
            f"executorch::runtime::Error prepare_{s.name}_int8("
            "const KernelContext& context, executorch::runtime::MemoryAllocator& allocator, "
            "void** state);"
            for s in schemas
            if s.name in prepared
        ],
        "",
        "// In opcode order, one entry per opcode of kOpSchemas: the float kernel",
        "// and the integer one (run when the op's output is int8; null when the",
        "// table entry has no int8 kernel; the float one again for an op that only",
        "// moves elements, whose kernel serves every dtype), and the integer",
        "// kernel's prepare function (run once at init; null when it has none).",
        "inline constexpr KernelEntry kKernelTable[] = {",
        *[
            "    "
            + _braced(
                f"OpCode::{camel_case(s.name)}, &run_{s.name}, {_int8_kernel(s, moves_data)}, "
                f"{_prepare_int8(s, prepared)}"
            )
            + ","
            for s in schemas
        ],
        "};",
        "static_assert(",
        "    sizeof(kKernelTable) / sizeof(kKernelTable[0]) == kNumOpCodes,",
        '    "every opcode needs exactly one kernel");',
    ]
    return "\n".join(lines) + "\n"


def ops_cmake(schemas: Sequence[Any], moves_data: AbstractSet[str]) -> str:
    lines = [
        header("#"),
        "# One kernel per opcode: runtime/ops/<name>.cpp defines run_<name>; an",
        "# opcode with an integer kernel also has runtime/ops/<name>_int8.cpp.",
        "set(OP_KERNELS",
        *[f"    {name}" for name in kernel_names(schemas, moves_data)],
        ")",
    ]
    return "\n".join(lines) + "\n"


def outputs(table: Sequence[Any]) -> Dict[Path, str]:
    schemas = op_schemas(table)
    moves_data = {schema_of(entry).name for entry in table if entry.moves_data}
    prepared = {schema_of(entry).name for entry in table if entry.int8_prepare}
    return {
        GENERATED_DIR / "OpSchema.inc": op_schema_inc(schemas),
        GENERATED_DIR / "OpTable.inc": op_table_inc(schemas, moves_data, prepared),
        GENERATED_DIR / "ops.cmake": ops_cmake(schemas, moves_data),
    }
