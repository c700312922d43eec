"""Every command shown is a tested command.

Each page (README.md, CONTRIBUTING.md and every page under docs/) runs the way a
newcomer follows it: its code blocks in page order, in a fresh copy of the
project, from the project's root folder. A page added later is covered without
any change here.

How each block is run, by the language of its fence:

- ``bash``: with ``bash -e -u -o pipefail``, one shell per block; ``python`` and
  ``pip`` are this interpreter's.
- ``python``: alone, in a fresh namespace, unless its first line is a comment
  that starts with ``# Continues from``: then it runs in the namespace that the
  page's previous blocks built (the comment tells the reader which ones).
- ``cmake``: a snippet for an application's own CMakeLists.txt; every call in it
  must be in tests/cpp/consumer/CMakeLists.txt, line breaks aside (with
  ``my_app`` for the consumer's name), which tests/test_cpp.py builds against
  an installed backend.
- ``text``: output shown to the reader, not run.

An HTML comment right above a block changes how it is run, in the page's source
for everyone to see (several directives may share one comment, separated by
``;``; quote an argument that holds spaces or ``;``):

- ``<!-- docs-test: replace "OLD" "NEW" -->`` runs the block with OLD replaced
  by NEW: a command too long for the suite is checked without its long part
  (pytest collects instead of running, fewer iterations, pip's dry run). OLD
  must be in the block.
- ``<!-- docs-test: needs PROGRAM -->`` skips the rest of the page when PROGRAM
  is not installed.
- ``<!-- docs-test: skip "REASON" -->`` does not run the block; the reason says
  where else what it does is tested.
- ``<!-- docs-test: slow -->`` marks the page's test ``slow``: it builds C++, builds a package
  (pip), or starts the test suite, which the quick loop (``-m "not slow"``) leaves out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
# Not copied into the temporary project: version control, caches and build output.
NOT_COPIED = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".nox", ".venv", "_build"}
CONTINUES = "# Continues from"
DIRECTIVE = re.compile(r"<!--\s*docs-test:(.*?)-->", re.S)
CONSUMER_CMAKE = ROOT / "tests" / "cpp" / "consumer" / "CMakeLists.txt"
BLOCK_TIMEOUT = 1800


@dataclass
class Block:
    page: Path
    line: int
    language: str
    code: str
    replacements: List[Tuple[str, str]] = field(default_factory=list)
    needs: List[str] = field(default_factory=list)
    skip: Optional[str] = None
    slow: bool = False

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def code_to_run(self) -> str:
        code = self.code
        for old, new in self.replacements:
            assert old in code, (
                f"{self.where}: docs-test replace {old!r}, but the block has no such text"
            )
            code = code.replace(old, new)
        return code


def parse_directives(text: str, where: str) -> dict:
    found = {"replacements": [], "needs": [], "skip": None, "slow": False}
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";")
    lexer.whitespace_split = True
    directives = [[]]
    for token in lexer:
        if token == ";":
            directives.append([])
        else:
            directives[-1].append(token)
    for words in filter(None, directives):
        directive = " ".join(words)
        if words[0] == "replace" and len(words) == 3:
            found["replacements"].append((words[1], words[2]))
        elif words[0] == "needs" and len(words) == 2:
            found["needs"].append(words[1])
        elif words[0] == "skip" and len(words) == 2:
            found["skip"] = words[1]
        elif words == ["slow"]:
            found["slow"] = True
        else:
            raise ValueError(f"{where}: unknown docs-test directive {directive!r}")
    return found


def blocks(page: Path) -> List[Block]:
    """The fenced blocks of a page, in order, with the directives written above them."""
    found, pending = [], []
    for token in MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8")):
        if token.type == "html_block":
            pending += [m.group(1) for m in DIRECTIVE.finditer(token.content)]
        elif token.type == "fence":
            language = token.info.strip().split()[0] if token.info.strip() else ""
            if language.startswith("{"):  # a MyST directive (toctree, csv-table): not code
                pending = []
                continue
            line = token.map[0] + 1
            directives = parse_directives(";".join(pending), f"{page.name}:{line}")
            found.append(Block(page, line, language, token.content, **directives))
            pending = []
        else:  # a directive belongs to the block right below it
            pending = []
    return found


def page_param(page: Path):
    slow = any(block.slow for block in blocks(page))
    return pytest.param(
        page, id=page.relative_to(ROOT).as_posix(), marks=[pytest.mark.slow] if slow else []
    )


def copy_project(destination: Path) -> Path:
    def ignore(folder: str, names: List[str]) -> List[str]:
        relative = Path(folder).relative_to(ROOT)
        return [
            name
            for name in names
            if name in NOT_COPIED
            or name.endswith(".egg-info")
            # Build and install trees of the project root (build/, build-fuzz/, install/).
            or (relative == Path(".") and (name.startswith("build") or name == "install"))
        ]

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    return destination


def newcomer_environment(tmp_path: Path) -> Dict[str, str]:
    """PATH with ``python`` and ``pip`` that are this interpreter, whatever it is called."""
    tools = tmp_path / "bin"
    tools.mkdir()
    # Scripts rather than symlinks: a virtual environment's python finds its
    # packages from the path it is started by.
    for name, command in (("python", ""), ("pip", " -m pip")):
        (tools / name).write_text(f'#!/bin/sh\nexec "{sys.executable}"{command} "$@"\n')
        (tools / name).chmod(0o755)
    return {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}


def run_bash(block: Block, cwd: Path, env: Dict[str, str]) -> None:
    run = subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", block.code_to_run()],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert run.returncode == 0, (
        f"{block.where}: the command failed ({run.returncode}):\n{block.code_to_run()}\n"
        f"--- stdout\n{run.stdout[-4000:]}\n--- stderr\n{run.stderr[-4000:]}"
    )


def run_python(block: Block, namespace: dict) -> dict:
    code = block.code_to_run()
    if not code.lstrip().startswith(CONTINUES):
        namespace = {"__name__": "__main__"}
    exec(compile(code, block.where, "exec"), namespace)
    return namespace


def cmake_words(text: str) -> str:
    """CMake code with its layout taken out (a formatter may wrap any call)."""
    text = re.sub(r"#.*", "", text)
    return re.sub(r"\s*\)", ")", re.sub(r"\(\s*", "(", " ".join(text.split())))


def check_cmake_snippet(block: Block) -> None:
    consumer = CONSUMER_CMAKE.read_text(encoding="utf-8")
    consumer = consumer.replace(" ${EXPECTED_VERSION}", "").replace("{{ cookiecutter.backend_slug }}_consumer", "my_app")
    calls = re.findall(r"\w+\([^)]*\)", cmake_words(block.code))
    assert calls, f"{block.where}: no CMake call in the block"
    for call in calls:
        assert call in cmake_words(consumer), (
            f"{block.where}: {call!r} is not in {CONSUMER_CMAKE.relative_to(ROOT)}"
        )


def test_every_page_is_covered():
    """Each block's language has a rule, so that no block is silently left out."""
    for page in PAGES:
        for block in blocks(page):
            assert block.language in ("bash", "python", "cmake", "text"), (
                f"{block.where}: no rule to test a {block.language or 'plain'!r} block; "
                "give the fence a language (bash, python, cmake, text)"
            )


@pytest.mark.parametrize("page", [page_param(page) for page in PAGES if blocks(page)])
def test_page_commands_run_in_order(page, tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    env = newcomer_environment(tmp_path)
    monkeypatch.chdir(project)
    namespace: dict = {}
    for block in blocks(page):
        missing = [program for program in block.needs if shutil.which(program) is None]
        if missing:
            pytest.skip(f"{block.where} and the rest of the page need {', '.join(missing)}")
        if block.skip is not None or block.language == "text":
            continue
        if block.language == "bash":
            run_bash(block, project, env)
        elif block.language == "python":
            namespace = run_python(block, namespace)
        elif block.language == "cmake":
            check_cmake_snippet(block)
