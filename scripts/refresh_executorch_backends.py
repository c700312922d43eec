"""Rewrite executorch_backends.json from the installed ExecuTorch wheel.

The template refuses a backend_slug that names one of ExecuTorch's own
backends. It reads them from the installed wheel when there is one, and from
this snapshot otherwise (see local_extensions.scan_executorch_backends for
what counts as a backend). Run after raising the pinned ExecuTorch version:

    python scripts/refresh_executorch_backends.py

tests/test_validation.py fails while the snapshot lacks a backend of the
installed wheel.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import local_extensions  # noqa: E402


def main() -> int:
    backends = local_extensions.installed_executorch_backends_folder()
    if backends is None:
        print("executorch is not installed in this environment", file=sys.stderr)
        return 1
    snapshot = {"executorch": version("executorch"), **local_extensions.scan_executorch_backends(backends)}
    path = local_extensions.EXECUTORCH_BACKENDS_SNAPSHOT
    path.write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(snapshot['folders'])} folders, {len(snapshot['backend_ids'])} backend ids "
          f"from executorch {snapshot['executorch']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
