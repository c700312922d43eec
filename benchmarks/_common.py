"""Helpers shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, List, Sequence

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script installed next to this interpreter (cookiecutter, copier)."""
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def generate_backend(out_dir: Path | None = None) -> Path:
    """Render the default backend with cookiecutter; returns the project folder."""
    if out_dir is None:
        out_dir = Path(tempfile.mkdtemp(prefix="bench-backend-"))
    project = out_dir / "zeta_accel"
    if not project.exists():
        subprocess.run(
            [tool("cookiecutter"), "--no-input", str(TEMPLATE_ROOT), "-o", str(out_dir)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return project


def setup_backend(backend: Path | None, runtime: bool = True) -> Path:
    """What every lowering/runtime benchmark does first: quiet torch's and
    ExecuTorch's warnings and logs (they would interleave with the tables),
    generate the default backend unless ``backend`` names one, make its package
    importable and, with ``runtime``, build its C++ runtime for load_runtime()."""
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    project = backend or generate_backend()
    use_backend(project)
    if runtime:
        use_runtime_library(project)
    return project


def use_backend(project: Path) -> None:
    """Make the generated package importable in this process."""
    sys.path.insert(0, str(project))


def use_runtime_library(project: Path) -> None:
    """Build the backend's C++ runtime with CMake (as `pip install` would) and
    name it in ZETA_ACCEL_RUNTIME_LIBRARY for load_runtime()."""
    import executorch

    build = project / "build" / "benchmark-runtime"
    subprocess.run(
        [tool("cmake"), "-S", str(project / "executorch_zeta_accel"), "-B", str(build), "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={list(executorch.__path__)[0]}"],
        check=True, stdout=subprocess.DEVNULL,
    )
    subprocess.run([tool("cmake"), "--build", str(build)], check=True, stdout=subprocess.DEVNULL)
    os.environ["ZETA_ACCEL_RUNTIME_LIBRARY"] = str(build / "libzeta_accel_backend.so")


def print_table(title: str, header: List[str], rows: List[List[object]]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    sys.stdout.flush()


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} us"
