"""The guide "Adding an operator" works as written, and every one of its steps matters.

The steps are read from the guide's own code blocks (``{code-block}`` with a
``:name: step-<example>-<what>`` option), so the page and this test cannot
drift apart: a Python block is an entry appended to OP_SUPPORT, a C++ block a
new file named by its caption, a bash block commands run in the project.

All steps, on a copy of this project: the generated-file tests pass and every
sample of the new entries runs on the C++ runtime like eager PyTorch. One
example's steps with any one left out: the tests fail.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest
from cmake_build import build_delegate_library
from conftest import PROJECT_ROOT, add_table_entry, copy_project, project_env
from markdown_it import MarkdownIt

from {{ cookiecutter.package_name }}.op_support import OP_SUPPORT_BY_NAME
from {{ cookiecutter.package_name }}.runtime_library import LIBRARY_ENV

GUIDE = PROJECT_ROOT / "docs" / "guides" / "{{ cookiecutter.backend_slug }}-adding-an-operator.md"
TABLE_FILE = "{{ cookiecutter.package_name }}/op_support.py"


@dataclass(frozen=True)
class Step:
    name: str  # e.g. "step-erf-kernel"
    example: str  # e.g. "erf"
    language: str
    caption: str
    code: str


def guide_steps() -> List[Step]:
    steps = []
    for token in MarkdownIt("commonmark").parse(GUIDE.read_text(encoding="utf-8")):
        match = (
            re.fullmatch(r"\{code-block\}\s+(\w+)", token.info.strip())
            if token.type == "fence"
            else None
        )
        if not match:
            continue
        options, _, code = token.content.partition("\n\n")
        fields = dict(re.findall(r"^:(\w+): *(.*)$", options, re.M))
        if not fields.get("name", "").startswith("step-"):
            continue
        # "step-hard-shrink-entry" would be example "hard_shrink" (labels spell _ as -).
        example = fields["name"][len("step-") :].rsplit("-", 1)[0].replace("-", "_")
        steps.append(Step(fields["name"], example, match.group(1), fields.get("caption", ""), code))
    return steps


ALL_STEPS = guide_steps()
ALL_EXAMPLES = sorted(
    {step.example for step in ALL_STEPS}, key=[s.example for s in ALL_STEPS].index
)
# A backend that has followed the guide has its operators already.
EXAMPLES = [example for example in ALL_EXAMPLES if example not in OP_SUPPORT_BY_NAME]
STEPS = [step for step in ALL_STEPS if step.example in EXAMPLES]


def next_opcode(project: Path) -> int:
    table = (project / TABLE_FILE).read_text(encoding="utf-8")
    return max(int(n) for n in re.findall(r"^\s*opcode=(\d+),", table, re.M)) + 1


def apply(step: Step, project: Path) -> None:
    if step.language == "python":
        assert step.caption.startswith(f"{TABLE_FILE}, at the end of OP_SUPPORT"), step
        # "a new number": in a backend that has added operators of its own,
        # the guide's opcode may be taken.
        entry, count = re.subn(
            r"(?m)^(\s*opcode=)\d+,", rf"\g<1>{next_opcode(project)},", step.code
        )
        assert count == 1, step
        add_table_entry(project, entry)
    elif step.language == "cpp":
        path, _, note = step.caption.partition(" ")
        assert note == "(new file)", step
        target = project / path
        assert not target.exists(), f"{step.name}: {path} already exists"
        target.write_text(step.code, encoding="utf-8")
    elif step.language == "bash":
        for line in step.code.splitlines():
            if line.strip():
                command = shlex.split(line)
                assert command[0] == "python", step
                done = subprocess.run(
                    [sys.executable, *command[1:]],
                    cwd=project,
                    capture_output=True,
                    text=True,
                    env=project_env(project),
                )
                assert done.returncode == 0, done.stdout + done.stderr
    else:
        raise AssertionError(f"{step.name}: no rule to apply a {step.language} block")


def run_tests(project: Path, *selection: str) -> subprocess.CompletedProcess:
    """Rebuild the copy's delegate library (the guide's `pip install -e .`), then
    run ``selection`` of its tests on that library; a failed build is the result."""
    build, library = build_delegate_library(project, project / "build" / "guide")
    if build.returncode != 0:
        return build
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *selection],
        cwd=project,
        capture_output=True,
        text=True,
        env={**project_env(project), LIBRARY_ENV: str(library)},
    )


def project_with(tmp_path: Path, steps: List[Step]) -> Path:
    project = copy_project(tmp_path / "project")
    for step in steps:
        apply(step, project)
    return project


def edited_files(example: str) -> set:
    """The files an example's steps edit by hand (commands edit none)."""
    return {
        TABLE_FILE if s.language == "python" else s.caption.partition(" ")[0]
        for s in ALL_STEPS
        if s.example == example and s.language != "bash"
    }


def test_the_guide_has_steps_for_both_examples():
    assert len(ALL_EXAMPLES) >= 2, ALL_EXAMPLES
    for example in ALL_EXAMPLES:
        kinds = [s.language for s in ALL_STEPS if s.example == example]
        assert kinds == ["python", "cpp", "bash"], (example, kinds)


def test_the_guide_states_the_count_of_hand_edited_files():
    counts = {example: len(edited_files(example)) for example in ALL_EXAMPLES}
    assert set(counts.values()) == {2}, counts
    assert "**two files and one command**" in GUIDE.read_text(encoding="utf-8")


@pytest.mark.slow  # builds and runs the C++ runtime of a modified copy
@pytest.mark.skipif(not EXAMPLES, reason="the table has the guide's operators already")
def test_all_steps_give_a_backend_that_runs_the_new_operators(tmp_path):
    project = project_with(tmp_path, STEPS)
    names = " or ".join(EXAMPLES)
    result = run_tests(
        project,
        "-rA",
        "tests/test_generated.py",
        "tests/test_ops.py",
        "-k",
        f"not without_its_kernel and ({names} or generated or kernel)",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    for example in EXAMPLES:  # every new entry ran on the C++ runtime
        assert re.search(rf"^PASSED tests/test_ops.py::\S+\[{example}[-\]]", result.stdout, re.M), (
            f"no sample of {example} ran:\n{result.stdout[-3000:]}"
        )


@pytest.mark.slow
@pytest.mark.parametrize("skipped", [s.name for s in STEPS])
def test_leaving_out_a_step_fails_the_tests(skipped, tmp_path):
    """Each example on its own, with one step left out."""
    (step,) = [s for s in STEPS if s.name == skipped]
    project = project_with(
        tmp_path, [s for s in STEPS if s.example == step.example and s is not step]
    )
    result = run_tests(
        project, "tests/test_generated.py", "tests/test_ops.py", "-k", "not without_its_kernel"
    )
    assert result.returncode != 0, f"the tests pass without {skipped}:\n{result.stdout[-3000:]}"
