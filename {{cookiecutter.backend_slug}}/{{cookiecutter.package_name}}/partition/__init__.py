"""Partitioning: which nodes of an edge program {{ cookiecutter.__backend_id }} takes."""

from ..compile_spec import generate_compile_specs
from .{{ cookiecutter.backend_slug }}_partitioner import {{ cookiecutter.__partitioner_class }}

__all__ = ["{{ cookiecutter.__partitioner_class }}", "generate_compile_specs"]
