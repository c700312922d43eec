"""Compile specs of {{ cookiecutter.__backend_id }}: options that travel from the partitioner to preprocess.

ExecuTorch passes compile specs as ``CompileSpec(key, value: bytes)`` pairs;
:func:`generate_compile_specs` builds them from typed arguments and
:func:`parse_compile_specs` turns them back into :class:`CompileOptions`,
refusing keys and values it does not know. The specs are also written into
the .pte next to the blob, so the C++ runtime could read them in ``init``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Sequence

from executorch.exir.backend.compile_spec_schema import CompileSpec

_TRUE, _FALSE = b"\x01", b"\x00"


@dataclass(frozen=True)
class CompileOptions:
    """Typed view of the compile specs.

    Attributes:
        debug_names: store each op's FX node name in the blob (FORMAT.md
            ``name_offset``/``name_length``) so runtime errors and profiles
            can name the op. Off by default: names make the blob larger.
    """

    debug_names: bool = False

    # HARDWARE-INTEGRATION: add the options your compiler takes (target chip,
    # optimization level, memory budget...) here, in generate_compile_specs
    # and in _DECODERS.


def _decode_bool(key: str, value: bytes) -> bool:
    if value not in (_TRUE, _FALSE):
        raise ValueError(
            f"compile spec {key!r} has value {value!r}; "
            f"expected {_TRUE!r} (true) or {_FALSE!r} (false)"
        )
    return value == _TRUE


# One decoder per CompileOptions field, keyed by the compile spec key.
_DECODERS: Dict[str, Callable[[str, bytes], Any]] = {"debug_names": _decode_bool}
COMPILE_SPEC_KEYS = tuple(_DECODERS)


def generate_compile_specs(debug_names: bool = False) -> List[CompileSpec]:
    """Compile specs for the partitioner's ``compile_specs`` argument."""
    if not isinstance(debug_names, bool):
        raise TypeError(f"debug_names must be a bool, got {type(debug_names).__name__}")
    return [CompileSpec("debug_names", _TRUE if debug_names else _FALSE)]


def parse_compile_specs(compile_specs: Sequence[CompileSpec]) -> CompileOptions:
    """Read compile specs back; raise ValueError on an unknown key or a bad value."""
    values = {}
    for spec in compile_specs:
        if spec.key not in COMPILE_SPEC_KEYS:
            raise ValueError(
                f"unknown compile spec key {spec.key!r}; known keys: {', '.join(COMPILE_SPEC_KEYS)}"
            )
        if spec.key in values:
            raise ValueError(f"compile spec key {spec.key!r} is given more than once")
        values[spec.key] = _DECODERS[spec.key](spec.key, bytes(spec.value))
    return CompileOptions(**values)
