"""Load the C++ runtime of {{ cookiecutter.__backend_id }} into this process.

ExecuTorch runs a delegate only when a backend registered under the delegate's
id lives in the process. The delegate library (built from ``runtime/`` by
CMake when the package is built, see pyproject.toml) registers
``{{ cookiecutter.__backend_id }}`` from a static initializer, so loading it is enough:

    from {{ cookiecutter.package_name }} import load_runtime
    load_runtime()
    program = Runtime.get().load_program("model.pte")

The library is the one installed with this package
(``{{ cookiecutter.package_name }}/lib/``), or the one ``${{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY`` names
(a build of your own, e.g. from the development CMake build). Nothing is
compiled at run time.

The library must have been built against the ExecuTorch release this
process runs: the build records that release next to the library, and
:func:`load_runtime` refuses a library built for another one.

The ExecuTorch Python bindings expose no backend options, so :func:`set_option`
and :func:`get_option` reach them through C entry points of the library,
which call ``executorch::runtime::set_option``/``get_option`` just like a C++
application would.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import Dict, List, Optional, Union

__all__ = [
    "BACKEND_ID",
    "LIBRARY_ENV",
    "OPTION_TYPES",
    "executorch_build_version",
    "get_option",
    "library_file_name",
    "load_runtime",
    "set_option",
    "shipped_library",
]

BACKEND_ID = "{{ cookiecutter.__backend_id }}"
CMAKE_TARGET = "{{ cookiecutter.__cmake_target }}"
LIBRARY_ENV = "{{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY"
# Written by {{ cookiecutter.package_name }}/CMakeLists.txt next to the library: the
# ExecuTorch release the library was compiled against.
VERSION_FILE = f"{CMAKE_TARGET}-executorch-version.txt"

# Runtime options of the backend (runtime/{{ cookiecutter.class_prefix }}Backend.h) and their types.
OPTION_TYPES: Dict[str, type] = {
    # Log every executed op through ExecuTorch's log (stderr by default).
    "trace": bool,
    # Ops executed by the backend since the library was loaded (read-only).
    "executed_ops": int,
}

_lock = threading.Lock()
_loaded_path: Optional[Path] = None
_library: Optional[ctypes.CDLL] = None


def library_file_name() -> str:
    """File name of the shared library CMake produces on this platform."""
    if sys.platform == "darwin":
        return f"lib{CMAKE_TARGET}.dylib"
    if sys.platform == "win32":
        return f"{CMAKE_TARGET}.dll"
    return f"lib{CMAKE_TARGET}.so"


def shipped_library() -> Optional[Path]:
    """The library installed with this package, or None when there is none.

    Looked up in every folder of the package (an editable install has the
    sources in one and the built library in another).
    """
    package = sys.modules[__package__]
    for folder in getattr(package, "__path__", []):
        candidate = Path(folder) / "lib" / library_file_name()
        if candidate.is_file():
            return candidate.resolve()
    return None


def executorch_build_version(library: Union[str, os.PathLike]) -> Optional[str]:
    """The ExecuTorch release ``library`` was built against, if its build recorded it."""
    record = Path(library).with_name(VERSION_FILE)
    if not record.is_file():
        return None
    return record.read_text(encoding="utf-8").strip() or None


def load_runtime() -> Path:
    """Load the delegate library into this process.

    Returns:
        The path of the loaded library. The library is loaded once per
        process; later calls return the same path.

    Raises:
        FileNotFoundError: ``${{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY`` names no file, or the
            package was installed without its library.
        RuntimeError: the library was built against another ExecuTorch
            release, cannot be loaded, or did not register the backend.
    """
    global _loaded_path, _library
    with _lock:
        if _loaded_path is None:
            path = _locate()
            _library = _load(path)
            _loaded_path = path
        return _loaded_path


def set_option(key: str, value: bool) -> None:
    """Set a runtime option of the backend (see OPTION_TYPES)."""
    if _option_type(key) is not bool:
        raise TypeError(f"{BACKEND_ID} option {key!r} is read-only")
    if not isinstance(value, bool):
        raise TypeError(f"{BACKEND_ID} option {key!r} takes a bool, not {value!r}")
    library = _require_library()
    _check(library.{{ cookiecutter.backend_slug }}_set_bool_option(key.encode(), int(value)), key)


def get_option(key: str) -> Union[bool, int]:
    """Read a runtime option of the backend (see OPTION_TYPES)."""
    expected = _option_type(key)
    library = _require_library()
    out = ctypes.c_int(0)
    getter = (
        library.{{ cookiecutter.backend_slug }}_get_bool_option
        if expected is bool
        else library.{{ cookiecutter.backend_slug }}_get_int_option
    )
    _check(getter(key.encode(), ctypes.byref(out)), key)
    return bool(out.value) if expected is bool else int(out.value)


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------


def _option_type(key: str) -> type:
    if key not in OPTION_TYPES:
        raise KeyError(f"{BACKEND_ID} has no option {key!r}; options: {', '.join(OPTION_TYPES)}")
    return OPTION_TYPES[key]


def _require_library() -> ctypes.CDLL:
    if _library is None:
        raise RuntimeError(f"{BACKEND_ID}: call load_runtime() before using runtime options")
    return _library


# The executorch::runtime::Error codes the option entry points return.
_ERROR_NAMES = {0x12: "InvalidArgument", 0x20: "NotFound"}


def _check(error: int, key: str) -> None:
    if error != 0:
        name = _ERROR_NAMES.get(error, "error")
        raise RuntimeError(f"{BACKEND_ID} option {key!r}: ExecuTorch returned {name} (0x{error:x})")


def _declare_c_functions(library: ctypes.CDLL) -> None:
    prefix = "{{ cookiecutter.backend_slug }}"
    for name, argtypes in (
        ("set_bool_option", [ctypes.c_char_p, ctypes.c_int]),
        ("get_bool_option", [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
        ("get_int_option", [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    ):
        function = getattr(library, f"{prefix}_{name}")
        function.argtypes = argtypes
        function.restype = ctypes.c_int


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def _locate() -> Path:
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"{LIBRARY_ENV}={explicit} does not name a file")
        return path
    shipped = shipped_library()
    if shipped is None:
        searched: List[str] = [
            str(Path(f) / "lib") for f in getattr(sys.modules[__package__], "__path__", [])
        ]
        raise FileNotFoundError(
            f"{BACKEND_ID}: no {library_file_name()} in {', '.join(searched)}. "
            "The package was installed without its C++ runtime: install it with pip "
            f"(`pip install .` builds the library), or point {LIBRARY_ENV} at a library you built."
        )
    return shipped


def _public(version: str) -> str:
    return version.split("+", 1)[0]


def _check_executorch_version(path: Path, running: str) -> None:
    built = executorch_build_version(path)
    if built is None:
        if os.environ.get(LIBRARY_ENV):
            return  # a build of the user's own that does not record its ExecuTorch
        raise RuntimeError(
            f"{BACKEND_ID}: {path.with_name(VERSION_FILE)} is missing, so the ExecuTorch release "
            f"the library was built against is unknown; reinstall {__package__}"
        )
    if _public(built) != _public(running):
        raise RuntimeError(
            f"{BACKEND_ID}: {path} "
            f"was built against executorch {built}, but this process runs executorch {running}. "
            f"Install executorch=={_public(built)}, or build {__package__} again against "
            f"executorch {running} (pip install --force-reinstall --no-deps <its sources>)."
        )


def _load(path: Path) -> ctypes.CDLL:
    # The Python bindings load libexecutorch first, so the library binds to
    # that same runtime and registers into the registry the bindings use.
    from executorch import version
    from executorch.runtime import Runtime

    _check_executorch_version(path, version.__version__)
    registry = Runtime.get().backend_registry
    try:
        library = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    except OSError as error:
        raise RuntimeError(f"{BACKEND_ID}: cannot load {path}: {error}") from error
    if BACKEND_ID not in registry.registered_backend_names:
        raise RuntimeError(
            f"{BACKEND_ID}: loaded {path} but the backend did not register "
            f"(registered: {', '.join(registry.registered_backend_names)}). It links another "
            "copy of ExecuTorch's runtime than the one imported (a wheel repaired by auditwheel "
            "without --exclude 'libexecutorch*.so'?)."
        )
    _declare_c_functions(library)
    return library
