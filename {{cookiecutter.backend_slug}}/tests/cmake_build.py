"""Finding CMake and building this project's C++ code from the tests.

The C++ tests build the development project, and the tests that change a copy
of the project (a new table entry, the guide's steps) build the copy's
delegate library the way ``pip install -e .`` does, then load it through
``$LIBRARY_ENV`` instead of the installed one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import executorch
import pytest

from {{ cookiecutter.package_name }}.runtime_library import library_file_name

EXECUTORCH_DIR = Path(list(executorch.__path__)[0])
MIN_CMAKE = (3, 28)


def tool_candidates(name: str) -> List[str]:
    """``name`` next to this interpreter (pip's cmake and ninja in a venv that
    was not activated), then on PATH."""
    candidates = []
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        candidates.append(str(beside_python))
    on_path = shutil.which(name)
    if on_path and on_path not in candidates:
        candidates.append(on_path)
    return candidates


def cmake_version(cmake: str) -> Tuple[int, ...]:
    result = subprocess.run([cmake, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"version (\d+)\.(\d+)", result.stdout)
    return tuple(int(part) for part in match.groups()) if match else ()


def find_cmake() -> str:
    """The first CMake 3.28+ of tool_candidates(); fails the test when there is none."""
    found = []
    for cmake in tool_candidates("cmake"):
        version = cmake_version(cmake)
        if version >= MIN_CMAKE:
            return cmake
        found.append(f"{cmake} ({'.'.join(map(str, version)) or 'unknown version'})")
    needed = ".".join(map(str, MIN_CMAKE))
    pytest.fail(
        f"the C++ tests need CMake {needed} or newer ({', '.join(found) or 'none found'}); "
        f"install the test extra: pip install -e '.[test]'"
    )


def generator() -> List[str]:
    ninjas = tool_candidates("ninja")
    return ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninjas[0]}"] if ninjas else []


def build_delegate_library(project: Path, build: Path) -> Tuple[subprocess.CompletedProcess, Path]:
    """Configure and build ``project``'s delegate library (what the wheel carries).

    Returns the last CMake step run (a failed configure or build, or the
    successful build) and where the library is when it succeeded.
    """
    source = project / "{{ cookiecutter.package_name }}"
    cmake = find_cmake()
    steps = [
        [
            cmake,
            "-S",
            source,
            "-B",
            build,
            *generator(),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DCMAKE_PREFIX_PATH={EXECUTORCH_DIR}",
        ],
        [cmake, "--build", build, "--parallel"],
    ]
    for step in steps:
        result = subprocess.run(
            [str(part) for part in step], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            break
    return result, build / library_file_name()
