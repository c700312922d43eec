"""load_runtime(): which delegate library it loads, how that library finds
ExecuTorch's, and what a user sees when the library is missing or was built
against another ExecuTorch release."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import executorch
import pytest
from executorch import version as executorch_version
from executorch.runtime import Runtime

from {{ cookiecutter.package_name }} import runtime_library
from {{ cookiecutter.package_name }}.runtime_library import (
    BACKEND_ID,
    LIBRARY_ENV,
    VERSION_FILE,
    executorch_build_version,
    library_file_name,
    load_runtime,
    shipped_library,
)

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )


def test_load_runtime_registers_the_backend_once():
    path = load_runtime()
    assert path.is_file() and path.name == library_file_name()
    assert BACKEND_ID in Runtime.get().backend_registry.registered_backend_names
    assert Runtime.get().backend_registry.is_available(BACKEND_ID)
    assert load_runtime() == path


def test_the_installed_package_ships_its_library():
    library = shipped_library()
    assert library is not None, (
        "install the package with pip (pip install -e .) to build the library"
    )
    assert library.parent.name == "lib"
    # The build recorded the ExecuTorch it compiled against: this one.
    assert executorch_build_version(library) == executorch_version.__version__


def test_shipped_library_finds_executorchs_through_its_run_path():
    """Loaded before anything of ExecuTorch, the library still resolves
    libexecutorch.so, and to the executorch package's own copy."""
    library = shipped_library()
    executorch_dir = Path(list(executorch.__path__)[0]).resolve()
    if library is None or library.parents[2] != executorch_dir.parent:
        pytest.skip(
            "the run path finds executorch installed next to this package (as pip installs them); "
            f"here executorch is in {executorch_dir.parent}"
        )
    code = (
        "import ctypes, sys\n"
        "from {{ cookiecutter.package_name }}.runtime_library import shipped_library\n"
        "ctypes.CDLL(str(shipped_library()))\n"
        "assert 'executorch' not in sys.modules\n"
        "print('\\n'.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libexecutorch.so' in l})))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [Path(line).resolve() for line in result.stdout.split()] == [
        executorch_dir / "lib" / "libexecutorch.so"
    ]


def test_explicit_library_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(LIBRARY_ENV, str(tmp_path / "missing.so"))
    with pytest.raises(FileNotFoundError, match=LIBRARY_ENV):
        runtime_library._locate()


def test_missing_library_is_explained(monkeypatch):
    monkeypatch.delenv(LIBRARY_ENV, raising=False)
    monkeypatch.setattr(runtime_library, "shipped_library", lambda: None)
    with pytest.raises(
        FileNotFoundError, match=rf"no {library_file_name()} in .*pip install .*{LIBRARY_ENV}"
    ):
        runtime_library._locate()


def test_library_built_for_another_executorch_is_refused(tmp_path):
    """The message names both releases, and nothing was loaded."""
    library = tmp_path / library_file_name()
    shutil.copy2(load_runtime(), library)
    (tmp_path / VERSION_FILE).write_text("1.4.0\n")
    code = (
        "import sys\n"
        "from {{ cookiecutter.package_name }} import load_runtime\n"
        "try:\n"
        "    load_runtime()\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
        "    sys.exit(3)\n"
    )
    result = run_python(code, **{LIBRARY_ENV: str(library)})
    assert result.returncode == 3, result.stdout + result.stderr[-3000:]
    assert (
        f"built against executorch 1.4.0, but this process runs executorch {executorch_version.__version__}"
        in result.stdout
    )
    assert "executorch==1.4.0" in result.stdout


def test_explicit_library_of_the_same_release_loads(tmp_path):
    """A library of one's own (${{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY) is what gets loaded."""
    shutil.copy2(load_runtime(), tmp_path / library_file_name())
    shutil.copy2(load_runtime().with_name(VERSION_FILE), tmp_path / VERSION_FILE)
    code = "from {{ cookiecutter.package_name }} import load_runtime; print(load_runtime())"
    result = run_python(code, **{LIBRARY_ENV: str(tmp_path / library_file_name())})
    assert result.returncode == 0, result.stderr[-3000:]
    assert Path(result.stdout.split()[-1]) == (tmp_path / library_file_name()).resolve()
