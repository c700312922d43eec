"""ExecuTorch backend {{ cookiecutter.__backend_id }}.

* ``{{ cookiecutter.__partitioner_class }}`` picks the parts of a model the backend runs;
  pass it to ``to_edge_transform_and_lower(..., partitioner=[...])``.
* ``{{ cookiecutter.__backend_id }}`` turns each picked part into a delegate blob
  (its class name is the backend id in the .pte).
* ``generate_compile_specs`` builds the partitioner's ``compile_specs``.
{%- if cookiecutter.include_quantizer %}
* ``{{ cookiecutter.__quantizer_class }}`` and ``get_{{ cookiecutter.backend_slug }}_quantization_config``
  quantize a model with PT2E before lowering.
{%- endif %}
* ``load_runtime`` loads the C++ runtime into this process.

The names load on first use, so ``import {{ cookiecutter.package_name }}`` stays cheap
until torch and ExecuTorch are actually needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

# Public name -> the submodule that defines it.
_EXPORTS = {
    "{{ cookiecutter.__partitioner_class }}": ".partition",
    "{{ cookiecutter.__backend_id }}": ".{{ cookiecutter.backend_slug }}_preprocess",
    "generate_compile_specs": ".compile_spec",
    "load_runtime": ".runtime_library",
{%- if cookiecutter.include_quantizer %}
    "{{ cookiecutter.__quantizer_class }}": ".quantizer",
    "get_{{ cookiecutter.backend_slug }}_quantization_config": ".quantizer",
{%- endif %}
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # let type checkers and IDEs see the lazy names
    from .compile_spec import generate_compile_specs
    from .partition import {{ cookiecutter.__partitioner_class }}
{%- if cookiecutter.include_quantizer %}
    from .quantizer import (
        {{ cookiecutter.__quantizer_class }},
        get_{{ cookiecutter.backend_slug }}_quantization_config,
    )
{%- endif %}
    from .runtime_library import load_runtime
    from .{{ cookiecutter.backend_slug }}_preprocess import {{ cookiecutter.__backend_id }}
