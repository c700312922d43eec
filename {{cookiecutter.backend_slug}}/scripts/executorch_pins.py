"""The run-time requirements of a wheel: the ExecuTorch it was built against.

The C++ delegate is compiled against the headers and ``libexecutorch.so`` of
one ExecuTorch release, so a wheel requires exactly that release, and torch
as that release pairs it (the edge dialect of the Python side follows torch).
scikit-build-core calls :func:`dynamic_metadata` while building
(``[[tool.dynamic-metadata]]`` in pyproject.toml), in the build environment,
whose ExecuTorch is the one in ``build-system.requires`` (or the current
environment's with ``--no-build-isolation``).

Run it to see the requirements a build here would write::

    python scripts/executorch_pins.py
"""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any, Dict, List, Mapping, Optional

# ExecuTorch release (major.minor) -> the torch release (major.minor) it is
# built against, from ExecuTorch's release notes. A new ExecuTorch release
# needs a line here before a wheel can be built against it.
TORCH_FOR_EXECUTORCH = {
    "1.5": "2.13",
}


def public_version(version: str) -> str:
    """'1.5.1+cpu' -> '1.5.1' (the local label names a build variant)."""
    return version.split("+", 1)[0]


def requirements(executorch_version: Optional[str] = None) -> List[str]:
    """``executorch==<version>`` and the paired ``torch==<major.minor>.*``."""
    if executorch_version is None:
        try:
            executorch_version = importlib.metadata.version("executorch")
        except importlib.metadata.PackageNotFoundError:
            raise RuntimeError(
                "building the wheel needs ExecuTorch in the build environment "
                "(build-system.requires in pyproject.toml)"
            ) from None
    version = public_version(executorch_version)
    match = re.match(r"(\d+)\.(\d+)", version)
    release = f"{match.group(1)}.{match.group(2)}" if match else version
    if release not in TORCH_FOR_EXECUTORCH:
        raise RuntimeError(
            f"executorch {executorch_version}: no torch release is known for ExecuTorch {release}; "
            f"add it to TORCH_FOR_EXECUTORCH in {__file__} (known: {', '.join(sorted(TORCH_FOR_EXECUTORCH))})"
        )
    return [f"executorch=={version}", f"torch=={TORCH_FOR_EXECUTORCH[release]}.*"]


def dynamic_metadata(settings: Mapping[str, Any], project: Mapping[str, Any]) -> Dict[str, Any]:
    """scikit-build-core's hook: the ``dependencies`` of the wheel."""
    if settings:
        raise RuntimeError(f"executorch_pins takes no settings, got {sorted(settings)}")
    return {"dependencies": requirements()}


def dynamic_wheel(settings: Mapping[str, Any]) -> Dict[str, bool]:
    """The sdist cannot know them: a wheel built from it pins its own build's ExecuTorch."""
    return {"dependencies": True}


if __name__ == "__main__":
    print("\n".join(requirements()))
