"""Template updates reach a generated backend and keep the team's edits.

A backend is generated at the oldest release (CHANGELOG.md records its
commit), committed, and edited the way a team edits it: a new operator, sign,
added the old way (the checklist of 0.1.0: table entry, opcode, C++ switch
cases, test models), text in a marked place of the docs, a CMake option, and
the fuzzing page that a later release moved. Then it is updated to the
working tree's version, with copier and with cruft, following the steps of
the CHANGELOG's "Needs a hand" for operators added the old way: revert the
operator's commit, update, add the operator again the new way (table entry +
kernel + ``scripts/generate.py``).

The oracle is exact: the updated project must equal a fresh copy of the new
version with the same edits applied (sign added the new way), file for file.

The team's operator is one the template does not ship (0.3.0 added ``neg``,
which this test used before): a template operator of the same name would
replace the team's, and the oracle would compare two tables with it twice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest
import yaml

from conftest import (
    BIN, copier_copy, cruft_create, install_generated_project, run_generated_tests, tree_contents,
)
from release_history import CURRENT, OLDEST, commit_all, git, new_repository
from local_extensions import camel_from_slug, slug_from_name

DEFAULT_NAME = "Zeta Accel"
SLUG = slug_from_name(DEFAULT_NAME)
PACKAGE = f"executorch_{SLUG}"
PREFIX = camel_from_slug(SLUG)
OLD_FUZZ_PAGE = f"docs/{SLUG}-fuzzing.md"
NEW_FUZZ_PAGE = f"docs/guides/{SLUG}-fuzzing-guide.md"
CONFLICT_MARKERS = re.compile(rb"^(<<<<<<<|=======|>>>>>>>)( |$)", re.M)


def copier_generate(repo: Path, project: Path, version: str) -> Path:
    """The default backend of template ``version``, committed."""
    return new_repository(copier_copy(repo, project, {}, vcs_ref=version), "generated from the template")


def cruft_generate(repo: Path, project: Path, version: str) -> Path:
    """The same with cruft, which names the folder itself (``project``'s name)."""
    created = cruft_create(repo, project.parent, {}, checkout=version)
    assert created == project
    return new_repository(created, "generated from the template")


def copier_update(project: Path, version: str) -> None:
    import copier

    copier.run_update(project, vcs_ref=version, defaults=True, overwrite=True, unsafe=True, quiet=True)


# --- what a team does to its backend ----------------------------------------------------------

SIGN_TABLE_ENTRY = '''    OpSupport(
        name="sign",
        edge_op=exir_ops.edge.aten.sign.default,
        opcode=Opcode.SIGN,
        operands=(_ACT,),
        constraints="any shape",
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
'''
TANH_TABLE_ENTRY_END = '''        opcode=Opcode.TANH,
        operands=(_ACT,),
        constraints="any shape",
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
'''
TANH_KERNEL = '''    case UnaryOp::Tanh:
      for (size_t i = 0; i < numel; ++i) {
        out[i] = std::tanh(x[i]);
      }
      return;
'''
SIGN_KERNEL = '''    case UnaryOp::Sign:
      for (size_t i = 0; i < numel; ++i) {
        out[i] = std::isnan(x[i]) ? x[i] : float((x[i] > 0.0f) - (x[i] < 0.0f));
      }
      return;
'''
RUNTIME = f"{PACKAGE}/runtime/{PREFIX}"

# (file, text the team finds, text the team leaves): a new operator, aten.sign,
# everywhere the checklist at the top of op_support.py sends a team.
ADD_SIGN_OPERATOR = [
    (f"{PACKAGE}/op_support.py", TANH_TABLE_ENTRY_END, TANH_TABLE_ENTRY_END + SIGN_TABLE_ENTRY),
    (f"{PACKAGE}/serialization/blob_format.py", "    BMM = 11\n", "    BMM = 11\n    SIGN = 12\n"),
    (f"{PACKAGE}/serialization/blob_format.py", "    Opcode.BMM: (2, 2),\n", "    Opcode.BMM: (2, 2),\n    Opcode.SIGN: (1, 1),\n"),
    (f"{PACKAGE}/serialization/FORMAT.md", "| 11 | bmm | a, b | a: [b, n, k], b: [b, k, m] |\n",
     "| 11 | bmm | a, b | a: [b, n, k], b: [b, k, m] |\n| 12 | sign | x | |\n"),
    (f"{RUNTIME}Graph.h", "  Bmm = 11,\n", "  Bmm = 11,\n  Sign = 12,\n"),
    (f"{RUNTIME}Graph.cpp", '    case OpCode::Tanh:\n      return "tanh";\n',
     '    case OpCode::Tanh:\n      return "tanh";\n    case OpCode::Sign:\n      return "sign";\n'),
    (f"{RUNTIME}Graph.cpp", "    case OpCode::Tanh:\n    case OpCode::Clamp:\n      return 1;\n",
     "    case OpCode::Tanh:\n    case OpCode::Sign:\n    case OpCode::Clamp:\n      return 1;\n"),
    (f"{RUNTIME}Graph.cpp", "value <= uint32_t(OpCode::Bmm)", "value <= uint32_t(OpCode::Sign)"),
    (f"{RUNTIME}Graph.cpp", "      case OpCode::Tanh:\n      case OpCode::Clamp:\n        expected = shape_of",
     "      case OpCode::Tanh:\n      case OpCode::Sign:\n      case OpCode::Clamp:\n        expected = shape_of"),
    (f"{RUNTIME}Kernels.h", "enum class UnaryOp { Relu, Sigmoid, Tanh };", "enum class UnaryOp { Relu, Sigmoid, Tanh, Sign };"),
    (f"{RUNTIME}Kernels.cpp", TANH_KERNEL, TANH_KERNEL + SIGN_KERNEL),
    (f"{RUNTIME}Executor.cpp", "    case OpCode::Tanh:\n      return kernels::UnaryOp::Tanh;\n",
     "    case OpCode::Tanh:\n      return kernels::UnaryOp::Tanh;\n    case OpCode::Sign:\n      return kernels::UnaryOp::Sign;\n"),
    (f"{RUNTIME}Executor.cpp", "    case OpCode::Tanh:\n      kernels::unary(",
     "    case OpCode::Tanh:\n    case OpCode::Sign:\n      kernels::unary("),
    ("tests/cpp/graph_runner.h", "        kernels::unary(kernels::UnaryOp::Tanh, x, o, out.numel);\n        break;\n",
     "        kernels::unary(kernels::UnaryOp::Tanh, x, o, out.numel);\n        break;\n"
     "      case OpCode::Sign:\n        kernels::unary(kernels::UnaryOp::Sign, x, o, out.numel);\n        break;\n"),
    ("tests/cpp/test_graph_parser.cpp", "{0u, 12u, 0xFFFFFFFFu}", "{0u, 13u, 0xFFFFFFFFu}"),
    (f"{PACKAGE}/serialization/blob_format.py", "(Opcode.RELU, Opcode.SIGMOID, Opcode.TANH, Opcode.CLAMP)",
     "(Opcode.RELU, Opcode.SIGMOID, Opcode.TANH, Opcode.SIGN, Opcode.CLAMP)"),
    # The tests that cover every table entry get a model that uses it.
    ("tests/test_partitioner.py", '    ("tanh", Fn(torch.tanh), (x23(),), "tanh.default"),\n',
     '    ("tanh", Fn(torch.tanh), (x23(),), "tanh.default"),\n    ("sign", Fn(torch.sign), (x23(),), "sign.default"),\n'),
    # Not next to CLAMP's entry, which 0.3.0 reformats: an edit on or beside a line the template
    # changes is a conflict (CHANGELOG 0.3.0, Needs a hand).
    ("tests/test_preprocess.py", "    Opcode.SIGMOID: lambda p, x: 1 / (1 + torch.exp(-x)),\n",
     "    Opcode.SIGMOID: lambda p, x: 1 / (1 + torch.exp(-x)),\n    Opcode.SIGN: lambda p, x: torch.sign(x),\n"),
    ("tests/test_preprocess.py", "torch.sigmoid(torch.mm(a, self.mat)) - torch.tanh(a)",
     "torch.sigmoid(torch.mm(a, self.mat)) - torch.tanh(torch.sign(a))"),
    ("tests/test_quantizer.py", "a = torch.tanh(torch.nn.functional.hardtanh(a)).clamp(min=-0.5)",
     "a = torch.tanh(torch.sign(torch.nn.functional.hardtanh(a))).clamp(min=-0.5)"),
]
CHIP_NOTE = "Supported chips: Zeta A1 and A2 (driver 3.1 or later, firmware 2026.2).\n"
OTHER_EDITS = [
    # Doc text in a marked place.
    (f"docs/{SLUG}-overview.md",
     "<!-- HARDWARE-INTEGRATION: list the supported chips, driver and firmware versions. -->\n",
     "<!-- HARDWARE-INTEGRATION: list the supported chips, driver and firmware versions. -->\n\n" + CHIP_NOTE),
    # A CMake option: this team builds with -Werror.
    (f"{PACKAGE}/CMakeLists.txt", "\"Treat compiler warnings in this backend's sources as errors\" OFF",
     "\"Treat compiler warnings in this backend's sources as errors\" ON"),
]
FUZZ_TITLE_EDIT = (f"# Fuzzing the {DEFAULT_NAME} runtime\n", f"# Fuzzing the {DEFAULT_NAME} runtime (lab notes)\n")
NIGHTLY_SECTION = "\n## Nightly runs in the lab\n\nThe lab's fuzzing machine runs the libFuzzer target for eight hours every night.\n"


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# sign the new way (0.3.0): a table entry, its kernel, and the generator. Its
# old opcode, 12, belongs to a template operator since 0.3.0: the team takes
# the next free number, as the CHANGELOG says (models are re-exported anyway).
SIGN_ENTRY = '''    OpSupport(
        name="sign",
        edge_op=exir_ops.edge.aten.sign.default,
        opcode=OPCODE,
        operands=(Operand("self"),),
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        quantization=_NO_INTEGER_KERNEL,
        samples=_UNARY_SAMPLES,
        annotate=False,
    ),
'''
SIGN_KERNEL_FILE = f"{PACKAGE}/runtime/ops/sign.cpp"
TABLE_START = "OP_SUPPORT: Tuple[OpSupport, ...] = (\n"


def sign_kernel(project: Path) -> str:
    """runtime/ops/sign.cpp: the template's tanh kernel with the team's loop body.

    What the CHANGELOG tells a team to do: copy a kernel of the same kind.
    """
    tanh = (project / PACKAGE / "runtime" / "ops" / "tanh.cpp").read_text(encoding="utf-8")
    assert tanh.count("run_tanh") == 1, tanh
    loop_body = "[](float x) { return std::tanh(x); }"
    team_body = "[](float x) { return std::isnan(x) ? x : float((x > 0.0f) - (x < 0.0f)); }"
    assert tanh.count(loop_body) == 1, tanh
    kernel = tanh.replace("run_tanh", "run_sign").replace(loop_body, team_body)
    return kernel.replace("// tanh: out = tanh(x).", "// sign: out = -1, 0 or 1 by the sign of x; NaN stays NaN.")


def run_script(project: Path, *command: str) -> None:
    subprocess.run(
        [sys.executable, *command], cwd=project, check=True, capture_output=True,
        env={**os.environ, "PYTHONPATH": str(project), "PYTHONDONTWRITEBYTECODE": "1"},
    )


def add_sign_the_old_way(project: Path) -> None:
    for relative, old, new in ADD_SIGN_OPERATOR:
        replace_once(project / relative, old, new)
    # The op-support table changed: the docs that restate it are regenerated.
    run_script(project, "scripts/sync_docs.py")


def add_sign_the_new_way(project: Path) -> None:
    table = project / PACKAGE / "op_support.py"
    text = table.read_text(encoding="utf-8")
    end = text.index("\n)\n", text.index(TABLE_START))
    opcode = max(int(number) for number in re.findall(r"\bopcode=(\d+)", text)) + 1
    entry = SIGN_ENTRY.replace("OPCODE", str(opcode))
    table.write_text(text[: end + 1] + entry + text[end + 1 :], encoding="utf-8")
    (project / SIGN_KERNEL_FILE).write_text(sign_kernel(project), encoding="utf-8")
    run_script(project, "scripts/generate.py")


def edit_like_a_team(project: Path, fuzz_page: str) -> None:
    """The team's edits other than the operator."""
    for relative, old, new in OTHER_EDITS:
        replace_once(project / relative, old, new)
    page = project / fuzz_page
    replace_once(page, *FUZZ_TITLE_EDIT)
    page.write_text(page.read_text(encoding="utf-8") + NIGHTLY_SECTION, encoding="utf-8")


# --- checks ---------------------------------------------------------------------------------

def assert_merged_cleanly(project: Path) -> None:
    assert git(project, "ls-files", "--unmerged") == ""
    assert not list(project.rglob("*.rej")), "rejected hunks left behind"
    for relative, content in tree_contents(project).items():
        assert not CONFLICT_MARKERS.search(content), f"conflict markers in {relative}"


def assert_same_tree(actual: Path, expected: Dict[str, bytes]) -> None:
    got = tree_contents(actual)
    assert sorted(got) == sorted(expected)
    differing = [path for path in expected if got[path] != expected[path]]
    assert differing == [], f"differ from a fresh copy with the team's edits: {differing}"


@pytest.fixture(scope="session")
def expected_after_update(release_repo, tmp_path_factory) -> Dict[str, bytes]:
    """A fresh copy of the current version, with the same team edits."""
    project = copier_copy(release_repo, tmp_path_factory.mktemp("expected") / SLUG, {}, vcs_ref=CURRENT)
    edit_like_a_team(project, NEW_FUZZ_PAGE)
    add_sign_the_new_way(project)
    return tree_contents(project)


SIGN_COMMIT_MESSAGE = "add the sign operator"


def commit_team_edits(project: Path) -> Path:
    """A backend of the oldest release, as a team has made it its own."""
    add_sign_the_old_way(project)
    commit_all(project, SIGN_COMMIT_MESSAGE)
    edit_like_a_team(project, OLD_FUZZ_PAGE)
    commit_all(project, "chip list, -Werror and fuzzing notes")
    return project


def take_old_way_operators_out(project: Path) -> None:
    """CHANGELOG 0.3.0, Needs a hand, step 1: revert the commit that added the operator."""
    commit = git(project, "log", "--format=%H", f"--grep=^{SIGN_COMMIT_MESSAGE}$").split()
    assert len(commit) == 1
    git(project, "revert", "--no-edit", commit[0])


def add_operators_again(project: Path) -> None:
    """CHANGELOG 0.3.0, Needs a hand, step 3: table entry, kernel, generate."""
    assert_merged_cleanly(project)
    add_sign_the_new_way(project)


# --- tests ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def copier_updated(release_repo, tmp_path_factory) -> Path:
    """A team's backend of the oldest release, updated by copier to the current one."""
    project = commit_team_edits(copier_generate(release_repo, tmp_path_factory.mktemp("copier") / SLUG, OLDEST))
    take_old_way_operators_out(project)
    copier_update(project, CURRENT)
    add_operators_again(project)
    return project


def test_copier_update_brings_the_template_changes_and_keeps_every_edit(copier_updated, expected_after_update):
    project = copier_updated
    assert_merged_cleanly(project)
    assert_same_tree(project, expected_after_update)
    # The migration moved the team's fuzzing page, edits and all.
    assert not (project / OLD_FUZZ_PAGE).exists()
    page = (project / NEW_FUZZ_PAGE).read_text(encoding="utf-8")
    assert FUZZ_TITLE_EDIT[1] in page and NIGHTLY_SECTION in page
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["_commit"] == CURRENT


def test_a_second_copier_update_changes_nothing(copier_updated, tmp_path):
    project = tmp_path / SLUG
    shutil.copytree(copier_updated, project)
    commit_all(project, f"update the template to {CURRENT}")
    copier_update(project, CURRENT)
    assert git(project, "status", "--porcelain") == "", "a second update changed something"


@pytest.mark.e2e
def test_the_updated_backend_passes_its_own_tests(copier_updated, tmp_path):
    project = tmp_path / SLUG
    shutil.copytree(copier_updated, project)
    python = install_generated_project(project, tmp_path / "venv")
    run_generated_tests(project, python, "-m", "not slow")  # test_generated_project runs them


def test_cruft_update_brings_the_same_result(release_repo, expected_after_update, tmp_path):
    import cruft

    project = commit_team_edits(cruft_generate(release_repo, tmp_path / SLUG, OLDEST))
    take_old_way_operators_out(project)

    assert cruft.update(project, checkout=CURRENT, skip_apply_ask=True, refresh_private_variables=True)
    add_operators_again(project)

    assert_merged_cleanly(project)
    assert_same_tree(project, expected_after_update)
    # cruft's diff sees the rename: the page moved with the team's edits.
    assert not (project / OLD_FUZZ_PAGE).exists()
    assert NIGHTLY_SECTION in (project / NEW_FUZZ_PAGE).read_text(encoding="utf-8")

    commit_all(project, f"update the template to {CURRENT}")
    cruft.update(project, checkout=CURRENT, skip_apply_ask=True, refresh_private_variables=True)
    assert git(project, "status", "--porcelain") == "", "a second update changed something"


def test_a_deleted_page_stays_deleted_under_its_new_name(release_repo, tmp_path):
    project = copier_generate(release_repo, tmp_path / SLUG, OLDEST)
    git(project, "rm", "-q", OLD_FUZZ_PAGE)
    commit_all(project, "we do not fuzz")

    copier_update(project, CURRENT)

    assert not (project / OLD_FUZZ_PAGE).exists()
    assert not (project / NEW_FUZZ_PAGE).exists()
    assert_merged_cleanly(project)


# The team bumps its version on the line the template rewrote in the new release.
TEAM_VERSION_LINE = f"project({SLUG}_backend VERSION 0.3.0 LANGUAGES CXX)"


def conflicting_project(project: Path) -> Path:
    cmake = project / PACKAGE / "CMakeLists.txt"
    replace_once(cmake, f"project({SLUG}_backend VERSION 0.1.0 LANGUAGES CXX)", TEAM_VERSION_LINE)
    commit_all(project, "version 0.3.0")
    return cmake


def conflict_sides(text: str, ours: str, theirs: str) -> Tuple[str, str]:
    """The two sides of the one conflict in ``text``, between the given labels."""
    match = re.search(rf"^<<<<<<< {ours}\n(.*?)^=======\n(.*?)^>>>>>>> {theirs}\n", text, re.M | re.S)
    assert match, f"no conflict between {ours!r} and {theirs!r}:\n{text[:3000]}"
    assert text.count("<<<<<<<") == 1
    return match.group(1), match.group(2)


# How each engine is run from the command line, and the labels of its markers.
CONFLICTING_UPDATES = {
    "copier": (copier_generate, ["copier", "update", "--trust", "--defaults", "--vcs-ref", CURRENT],
               ("before updating", "after updating")),
    "cruft": (cruft_generate,
              ["cruft", "update", "--skip-apply-ask", "--refresh-private-variables", "--checkout", CURRENT],
              ("ours", "theirs")),
}


@pytest.mark.parametrize("engine", list(CONFLICTING_UPDATES))
def test_a_conflict_is_shown_with_both_sides_and_the_update_still_exits_0(engine, release_repo, tmp_path):
    generate, command, (team_label, template_label) = CONFLICTING_UPDATES[engine]
    project = generate(release_repo, tmp_path / SLUG, OLDEST)
    cmake = conflicting_project(project)

    update = subprocess.run([BIN / command[0], *command[1:]], cwd=project, capture_output=True, text=True)

    assert update.returncode == 0, update.stderr
    assert f"{PACKAGE}/CMakeLists.txt" in git(project, "ls-files", "--unmerged")
    team, template = conflict_sides(cmake.read_text(encoding="utf-8"), team_label, template_label)
    assert TEAM_VERSION_LINE in team
    assert "file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/VERSION" in template
    # cmake-format may spread the call over several lines.
    assert re.search(rf"project\(\s*{SLUG}_backend\s+VERSION\s+\$\{{package_version\}}\s+LANGUAGES\s+CXX\s*\)", template)
    # Outside the conflict the update went through.
    assert (project / PACKAGE / "VERSION").is_file()
    assert not list(project.rglob("*.rej"))
