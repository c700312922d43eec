"""load_runtime(): where the delegate library comes from, how it is built,
and what a user sees when building is impossible or fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from executorch.runtime import Runtime

from {{ cookiecutter.package_name }} import runtime
from {{ cookiecutter.package_name }}.runtime import (
    BACKEND_ID,
    build_key,
    build_library,
    CACHE_ENV,
    library_file_name,
    LIBRARY_ENV,
    load_runtime,
    RuntimeBuildError,
    SOURCE_DIR,
)

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow


def copy_sources(destination: Path) -> Path:
    """The library's CMake project, copied so a test can change it."""
    shutil.copytree(
        SOURCE_DIR,
        destination,
        ignore=lambda folder, names: [n for n in names if n.endswith((".py", ".pyc", "__pycache__"))],
    )
    return destination


def test_load_runtime_registers_the_backend_once():
    path = load_runtime()
    assert path.is_file() and path.name == library_file_name()
    assert BACKEND_ID in Runtime.get().backend_registry.registered_backend_names
    assert Runtime.get().backend_registry.is_available(BACKEND_ID)
    assert load_runtime() == path
    with pytest.raises(RuntimeError, match="already loaded"):
        load_runtime(rebuild=True)


def test_build_key_follows_the_sources(tmp_path):
    copy = copy_sources(tmp_path / "src")
    assert build_key(copy) == build_key(SOURCE_DIR)
    # Any kernel or generated file counts, not only the top-level sources.
    for changed in ("runtime/ops/add.cpp", "runtime/generated/OpTable.inc", "runtime/generated/ops.cmake"):
        copy = copy_sources(tmp_path / changed.replace("/", "-"))
        path = copy / changed
        path.write_text(path.read_text() + "\n// changed\n")
        assert build_key(copy) != build_key(SOURCE_DIR), changed


def test_missing_cmake_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(runtime, "_tool_candidates", lambda name: [])
    with pytest.raises(RuntimeBuildError, match=r"needs CMake 3\.28 or newer; CMake was not found") as error:
        build_library(SOURCE_DIR, tmp_path / library_file_name())
    assert "pip install" in str(error.value) and LIBRARY_ENV in str(error.value)


def test_too_old_cmake_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(runtime, "_cmake_version", lambda cmake: (3, 20))
    with pytest.raises(RuntimeBuildError, match=r"only found .*\(3\.20\)"):
        build_library(SOURCE_DIR, tmp_path / library_file_name())


def test_failed_build_shows_the_end_of_the_log(tmp_path):
    source = copy_sources(tmp_path / "src")
    graph = source / "runtime" / "{{ cookiecutter.class_prefix }}Graph.cpp"
    graph.write_text(graph.read_text() + "\n#error deliberately broken runtime\n")
    destination = tmp_path / "cache" / library_file_name()
    with pytest.raises(RuntimeBuildError) as error:
        build_library(source, destination)
    message = str(error.value)
    assert "build step failed" in message
    assert "deliberately broken runtime" in message
    # Nothing half-built is left where a later load would pick it up.
    assert not destination.exists()
    assert not [p for p in destination.parent.iterdir() if p.name.startswith(".build-")]


def test_explicit_library_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(LIBRARY_ENV, str(tmp_path / "missing.so"))
    with pytest.raises(FileNotFoundError, match=LIBRARY_ENV):
        runtime._locate_or_build(None, False)


def test_concurrent_first_loads_build_once(tmp_path):
    """Two processes racing on an empty cache both end up with one complete library."""
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env[CACHE_ENV] = str(tmp_path / "cache")
    script = "from {{ cookiecutter.package_name }} import load_runtime; print(load_runtime())"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(*p.communicate(timeout=900), p.returncode) for p in processes]
    for _, stderr, returncode in results:
        assert returncode == 0, stderr[-3000:]
    paths = {stdout.strip().splitlines()[-1] for stdout, _, _ in results}
    assert len(paths) == 1
    library = Path(paths.pop())
    assert library.is_file() and library.parent.parent == tmp_path / "cache"
    assert not [p for p in library.parent.iterdir() if p.name.startswith(".build-")]
