"""The operator-support table and what is made from it agree.

``op_support.py`` is the single source of an operator's facts; ``python
scripts/generate.py`` writes the rest (blob schemas, FORMAT.md's opcode table,
the C++ tables, the docs' lists). These tests fail when a generated file is
older than the table, when a table entry has no kernel, or a kernel no entry,
and (slow) prove that the C++ build itself refuses an entry without a kernel,
naming the operator.
"""

from __future__ import annotations

import importlib.util
import re

import pytest
from cmake_build import build_delegate_library
from conftest import (
    PROJECT_ROOT,
    add_table_entry,
    copy_project,
    run_generate,
    unsupported_unary,
)

from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT

PACKAGE_DIR = PROJECT_ROOT / "{{ cookiecutter.package_name }}"
OPS_DIR = PACKAGE_DIR / "runtime" / "ops"


def test_generated_files_are_up_to_date():
    """What `python scripts/generate.py --check` checks, in this process (the table is loaded)."""
    spec = importlib.util.spec_from_file_location(
        "generate", PROJECT_ROOT / "scripts" / "generate.py"
    )
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)  # puts scripts/ on sys.path for its writer modules
    stale = [
        str(path.relative_to(PROJECT_ROOT))
        for path in generate.stale_files(generate.expected_files())
    ]
    assert stale == [], f"stale generated files {stale}: run python scripts/generate.py"


@pytest.mark.slow  # runs the generator three times
def test_the_check_command_reports_a_stale_file(tmp_path):
    project = copy_project(tmp_path / "project")
    schema = project / "{{ cookiecutter.package_name }}" / "serialization" / "op_schema.py"
    schema.write_text(schema.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    check = run_generate(project, "--check")
    assert check.returncode == 1
    assert "op_schema.py" in check.stdout + check.stderr
    assert run_generate(project).returncode == 0
    assert run_generate(project, "--check").returncode == 0


def kernel_files() -> dict:
    """{name: file} of every kernel in runtime/ops: a file <name>.cpp defining run_<name>."""
    return {
        path.stem: path
        for path in sorted(OPS_DIR.glob("*.cpp"))
        if re.search(rf"\brun_{re.escape(path.stem)}\s*\(", path.read_text(encoding="utf-8"))
    }


def table_kernels() -> set:
    """The kernels the table declares: run_<name>, and run_<name>_int8 for integer-capable
    entries (an entry that only moves elements is its own int8 kernel)."""
    return {e.kernel_name for e in OP_SUPPORT} | {
        f"{e.kernel_name}_int8" for e in OP_SUPPORT if e.int8 and not e.moves_data
    }


def test_every_table_entry_has_a_kernel():
    missing = sorted(table_kernels() - set(kernel_files()))
    assert missing == [], (
        f"op_support.py has entries without a kernel: write runtime/ops/<name>.cpp for {missing}"
    )


def test_every_kernel_has_a_table_entry():
    orphans = sorted(set(kernel_files()) - table_kernels())
    assert orphans == [], (
        f"kernels without an entry in op_support.py (never built, never run): {orphans}"
    )


@pytest.mark.slow
def test_an_entry_without_its_kernel_fails_the_build(tmp_path):
    op = unsupported_unary()
    name = op.overloadpacket.__name__
    project = copy_project(tmp_path / "project")
    add_table_entry(
        project,
        f"""    OpSupport(
        name="{name}",
        edge_op=exir_ops.edge.aten.{name}.default,
        opcode={max(e.opcode for e in OP_SUPPORT) + 1},
        operands=(Operand("self"),),
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        quantization="none",
        samples=(Sample(inputs=((2, 3),)),),
    ),
""",
    )
    generate = run_generate(project)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert run_generate(project, "--check").returncode == 0

    build, _ = build_delegate_library(project, tmp_path / "build")
    assert build.returncode != 0, "the delegate library built without a kernel for the new entry"
    log = build.stdout + build.stderr
    assert re.search(rf"ops/{name}\.cpp|run_{name}\b", log), log[-4000:]
