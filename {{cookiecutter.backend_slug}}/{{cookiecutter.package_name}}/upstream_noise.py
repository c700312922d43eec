"""Silence messages of upstream packages that are known and harmless here.

Scripts call :func:`silence_known_upstream_noise` before they import torch and
ExecuTorch, so that a run prints only what matters (the test suite filters the
same warnings in ``pyproject.toml``). Each filter matches one message; anything
else from these packages still shows.

- torchao, which ``executorch.exir`` imports, loads its optional compiled
  kernels at import and logs ``Failed to load .../torchao/_C_mxfp8...so`` (and
  ``_C_cutlass_90a``) for those built for CUDA or another Python: the backend
  uses none of them.
- torchao registers an Enum as a pytree constant, which torch 2.13 logs as
  deprecated (``... is an Enum subclass and is now natively supported by
  torch.compile``).
- torch 2.13 deprecates ``LeafSpec``; ExecuTorch 1.5 still copies tree specs
  that hold one, and each copy warns (``isinstance(treespec, LeafSpec)`` is
  deprecated, a FutureWarning).
"""

from __future__ import annotations

import logging
import re
import warnings

_TORCHAO_KERNEL_LOAD = re.compile(r"^Failed to load .*torchao[/\\]_C\w*\..*\.so")
_PYTREE_ENUM = re.compile(r"is an Enum subclass and is now natively supported by torch\.compile")
LEAFSPEC_WARNING = r"`isinstance\(treespec, LeafSpec\)` is deprecated"


class _DropMessages(logging.Filter):
    def __init__(self, pattern: re.Pattern) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


def silence_known_upstream_noise() -> None:
    """Install the filters; calling it again adds nothing."""
    for logger_name, pattern in (
        ("torchao", _TORCHAO_KERNEL_LOAD),
        ("torch.utils._pytree", _PYTREE_ENUM),
    ):
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, _DropMessages) and f.pattern is pattern for f in logger.filters):
            logger.addFilter(_DropMessages(pattern))
    warnings.filterwarnings("ignore", message=LEAFSPEC_WARNING, category=FutureWarning)
