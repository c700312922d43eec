"""The package's public names exist, load lazily and agree with each other."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }} as package


def test_public_names_resolve():
    expected = {
        "{{ cookiecutter.__partitioner_class }}",
        "{{ cookiecutter.__backend_id }}",
        "generate_compile_specs",
        "load_runtime",
    }
{%- if cookiecutter.include_quantizer %}
    expected |= {"{{ cookiecutter.__quantizer_class }}", "get_{{ cookiecutter.backend_slug }}_quantization_config"}
{%- endif %}
    assert set(package.__all__) == expected
    for name in expected:
        assert getattr(package, name) is not None
        assert name in dir(package)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope


def test_import_is_cheap():
    code = "import sys, {{ cookiecutter.package_name }}; print(sorted(m for m in ('torch', 'executorch') if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_backend_id_is_the_class_name():
    backend = package.{{ cookiecutter.__backend_id }}
    assert backend.__name__ == "{{ cookiecutter.__backend_id }}"
    partitioner = package.{{ cookiecutter.__partitioner_class }}()
    assert partitioner.delegation_spec.backend_id == backend.__name__


def test_one_version_for_python_and_cmake():
    version_file = Path(package.__file__).with_name("VERSION")
    version = version_file.read_text(encoding="utf-8").strip()
    assert importlib.metadata.version("{{ cookiecutter.package_name | replace('_', '-') }}") == version
