"""The C++ runtime of {{ cookiecutter.__backend_id }}: find, build and load the delegate library.

ExecuTorch runs a delegate only when a backend registered under the delegate's
id lives in the process. The C++ library next to this file registers
``{{ cookiecutter.__backend_id }}`` from a static initializer, so loading it is enough:

    from {{ cookiecutter.package_name }} import load_runtime
    load_runtime()                      # builds once, then loads from the cache
    program = Runtime.get().load_program("model.pte")

Where the library comes from, in order:

1. ``${{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY``: an explicit path to a built library.
2. A prebuilt library shipped inside this package (a binary wheel puts it
   next to this file).
3. A cache folder (``build_dir``, else ``${{ cookiecutter.__slug_upper }}_CACHE_DIR``, else
   ``~/.cache/{{ cookiecutter.package_name }}``) holding one build per hash of the C++
   sources, the ExecuTorch version and the compiler. A missing build is made
   with CMake (and Ninja when available, both installable from PyPI) in a few
   seconds. Concurrent builders (pytest-xdist, several processes) are
   serialized with a file lock, and the library appears by an atomic rename,
   so no process ever loads a half-written file.

The ExecuTorch Python bindings expose no backend options, so :func:`set_option`
and :func:`get_option` reach them through C entry points of the library,
which call ``executorch::runtime::set_option``/``get_option`` just like a C++
application would.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

__all__ = [
    "BACKEND_ID",
    "OPTION_TYPES",
    "RuntimeBuildError",
    "build_key",
    "build_library",
    "get_option",
    "library_file_name",
    "load_runtime",
    "set_option",
]

BACKEND_ID = "{{ cookiecutter.__backend_id }}"
CMAKE_TARGET = "{{ cookiecutter.__cmake_target }}"
LIBRARY_ENV = "{{ cookiecutter.__slug_upper }}_RUNTIME_LIBRARY"
CACHE_ENV = "{{ cookiecutter.__slug_upper }}_CACHE_DIR"

# Runtime options of the backend (runtime/{{ cookiecutter.class_prefix }}Backend.h) and their types.
OPTION_TYPES: Dict[str, type] = {
    # Log every executed op through ExecuTorch's log (stderr by default).
    "trace": bool,
    # Ops executed by the backend since the library was loaded (read-only).
    "executed_ops": int,
}

# The CMake project of the library: the package folder itself, so that an
# installed package can build it as well as a source checkout.
SOURCE_DIR = Path(__file__).resolve().parent.parent
_SOURCE_PATTERNS = (
    "CMakeLists.txt",
    "cmake/*",
    "runtime/*.h",
    "runtime/*.cpp",
    "runtime/ops/*.h",
    "runtime/ops/*.cpp",
    "runtime/generated/*",
)
_BUILD_TYPE = "Release"
# The oldest CMake that writes the wheel's $ORIGIN run paths correctly.
_MIN_CMAKE = (3, 28)
_LOG_TAIL_LINES = 40

_lock = threading.Lock()
_loaded_path: Optional[Path] = None
_library: Optional[ctypes.CDLL] = None


class RuntimeBuildError(RuntimeError):
    """The delegate library could not be built (missing tools or a failed build)."""


def library_file_name() -> str:
    """File name of the shared library CMake produces on this platform."""
    if sys.platform == "darwin":
        return f"lib{CMAKE_TARGET}.dylib"
    if sys.platform == "win32":
        return f"{CMAKE_TARGET}.dll"
    return f"lib{CMAKE_TARGET}.so"


def load_runtime(
    build_dir: Optional[Union[str, os.PathLike]] = None, rebuild: bool = False
) -> Path:
    """Load the delegate library into this process, building it if needed.

    Args:
        build_dir: folder for cached builds instead of the default cache.
        rebuild: build again even when a cached build exists.

    Returns:
        The path of the loaded library. The library is loaded once per
        process; later calls return the same path.

    Raises:
        RuntimeBuildError: CMake is missing or the build failed (the message
            ends with the build log).
        RuntimeError: the library loaded but did not register the backend.
    """
    global _loaded_path, _library
    with _lock:
        if _loaded_path is not None:
            if rebuild:
                raise RuntimeError(
                    f"{BACKEND_ID}: the runtime library {_loaded_path} is already loaded; "
                    "a rebuilt library can only be loaded by a new process"
                )
            return _loaded_path
        path = _locate_or_build(build_dir, rebuild)
        _library = _load(path)
        _loaded_path = path
        return path


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


def _load(path: Path) -> ctypes.CDLL:
    # The Python bindings load libexecutorch first, so the library binds to
    # that same runtime and registers into the registry the bindings use.
    from executorch.runtime import Runtime

    registry = Runtime.get().backend_registry
    library = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    if BACKEND_ID not in registry.registered_backend_names:
        raise RuntimeError(
            f"{BACKEND_ID}: loaded {path} but the backend did not register "
            f"(registered: {', '.join(registry.registered_backend_names)}). Was the "
            f"library built against another ExecuTorch than {_executorch_version()}?"
        )
    _declare_c_functions(library)
    return library


def _locate_or_build(build_dir: Optional[Union[str, os.PathLike]], rebuild: bool) -> Path:
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"{LIBRARY_ENV}={explicit} does not name a file")
        return path
    prebuilt = Path(__file__).resolve().parent / library_file_name()
    if prebuilt.is_file() and build_dir is None and not rebuild:
        return prebuilt
    cache = _cache_root(build_dir) / build_key()
    library = cache / library_file_name()
    if library.is_file() and not rebuild:
        return library
    cache.mkdir(parents=True, exist_ok=True)
    with _file_lock(cache / ".lock"):
        # Another process may have finished the build while we waited.
        if library.is_file() and not rebuild:
            return library
        build_library(SOURCE_DIR, library)
    return library


def _cache_root(build_dir: Optional[Union[str, os.PathLike]]) -> Path:
    if build_dir is not None:
        return Path(build_dir).expanduser().resolve()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "{{ cookiecutter.package_name }}"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the atomic rename alone keeps builds safe
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


def build_key(source_dir: Path = SOURCE_DIR) -> str:
    """Hash of everything the library binary depends on."""
    digest = hashlib.sha256()
    for path in _source_files(source_dir):
        digest.update(path.relative_to(source_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    digest.update(_executorch_version().encode() + b"\0")
    digest.update(_compiler_identity().encode() + b"\0")
    digest.update(f"{platform.system()}-{platform.machine()}-{_BUILD_TYPE}".encode())
    return digest.hexdigest()[:16]


def _source_files(source_dir: Path) -> List[Path]:
    files = {p for pattern in _SOURCE_PATTERNS for p in source_dir.glob(pattern) if p.is_file()}
    return sorted(files)


def _executorch_version() -> str:
    from executorch import version

    return f"{version.__version__}+{version.git_version}"


def _compiler_identity() -> str:
    compiler = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or ""
    if not compiler:
        return "no-compiler"
    try:
        result = subprocess.run(
            [compiler, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return compiler
    first_line = (result.stdout or result.stderr).splitlines()[:1]
    return f"{compiler}: {first_line[0] if first_line else ''}"


def _tool_candidates(name: str) -> List[str]:
    # pip installs cmake and ninja next to the interpreter, which need not be
    # on PATH (a venv that was not activated); prefer those to system tools.
    candidates = []
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        candidates.append(str(beside_python))
    on_path = shutil.which(name)
    if on_path and on_path not in candidates:
        candidates.append(on_path)
    return candidates


def _cmake_version(cmake: str) -> Tuple[int, ...]:
    try:
        result = subprocess.run(
            [cmake, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    match = re.search(r"version (\d+)\.(\d+)", result.stdout)
    return tuple(int(part) for part in match.groups()) if match else ()


def _find_cmake() -> str:
    found = []
    for cmake in _tool_candidates("cmake"):
        version = _cmake_version(cmake)
        if version >= _MIN_CMAKE:
            return cmake
        found.append(f"{cmake} ({'.'.join(map(str, version)) or 'unknown version'})")
    needed = ".".join(map(str, _MIN_CMAKE))
    problem = f"only found {', '.join(found)}" if found else "CMake was not found"
    raise RuntimeBuildError(
        f"{BACKEND_ID}: building the runtime library needs CMake {needed} or newer; "
        f"{problem}. Install it with `pip install 'cmake>={needed}' ninja`, "
        f"or point {LIBRARY_ENV} at a library you built."
    )


def build_library(source_dir: Path, destination: Path) -> Path:
    """Build the backend library from ``source_dir`` and move it to ``destination``.

    Only the library target is built, in a temporary folder next to
    ``destination``; the result is renamed into place atomically.
    """
    cmake = _find_cmake()
    import executorch

    executorch_dir = Path(list(executorch.__path__)[0])
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=destination.parent))
    log_path = work / "build.log"
    try:
        configure = [
            cmake, "-S", str(source_dir), "-B", str(work / "build"),
            f"-DCMAKE_BUILD_TYPE={_BUILD_TYPE}",
            f"-DCMAKE_PREFIX_PATH={executorch_dir}",
            "-D{{ cookiecutter.__slug_upper }}_BUILD_SHARED_LIBS=ON",
        ]
        ninjas = _tool_candidates("ninja")
        if ninjas:
            configure += ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninjas[0]}"]
        build = [cmake, "--build", str(work / "build"), "--target", CMAKE_TARGET,
                 "--parallel", str(os.cpu_count() or 2)]
        with open(log_path, "w") as log:
            for command in (configure, build):
                log.write("$ " + " ".join(command) + "\n")
                log.flush()
                result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
                if result.returncode != 0:
                    raise RuntimeBuildError(_failure_message(command, result.returncode, log_path))
        built = work / "build" / library_file_name()
        if not built.is_file():
            raise RuntimeBuildError(
                f"{BACKEND_ID}: the build succeeded but produced no {built.name}\n"
                + _log_tail(log_path)
            )
        staged = work / (destination.name + ".tmp")
        shutil.copy2(built, staged)
        os.replace(staged, destination)
        shutil.copy2(log_path, destination.with_name("build.log"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return destination


def _failure_message(command: List[str], returncode: int, log_path: Path) -> str:
    step = "configure" if "--build" not in command else "build"
    return (
        f"{BACKEND_ID}: the runtime library {step} step failed (exit code {returncode}). "
        f"Last lines of the build log:\n{_log_tail(log_path)}"
    )


def _log_tail(log_path: Path) -> str:
    lines = log_path.read_text(errors="replace").splitlines()
    return "\n".join(lines[-_LOG_TAIL_LINES:])
