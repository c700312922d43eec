"""The cache of compiled templates (local_extensions.py) never changes what is generated.

Generating is mostly Jinja compiling the skeleton, so the template keeps the
compiled code between runs (docs/benchmarks.md). These tests generate the
same backend with the cache cold, warm and off, and with a cache folder that
cannot be created, and compare every byte.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import generate_with_command_line, tree_contents
from local_extensions import CACHE_ENV_VAR


def generate(engine: str, template_repo: Path, destination: Path, cache: str) -> dict:
    """One generation in a fresh process, as a user runs it."""
    env = {**os.environ, CACHE_ENV_VAR: cache}
    return tree_contents(generate_with_command_line(engine, template_repo, destination, env))


@pytest.mark.parametrize("engine", ["cookiecutter", "copier"])
def test_cold_warm_and_no_cache_generate_the_same_bytes(engine, template_repo, tmp_path):
    cache = tmp_path / "cache"
    cold = generate(engine, template_repo, tmp_path / "cold", str(cache))
    entries = {entry.name: entry.stat().st_mtime_ns for entry in cache.iterdir()}
    assert entries, "nothing was cached"
    warm = generate(engine, template_repo, tmp_path / "warm", str(cache))
    # Entries are replaced when written: same times, nothing compiled again.
    assert {entry.name: entry.stat().st_mtime_ns for entry in cache.iterdir()} == entries
    off = generate(engine, template_repo, tmp_path / "off", "off")
    assert cold == warm == off


def test_a_cache_folder_that_cannot_be_made_only_costs_speed(template_repo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    with_cache = generate("cookiecutter", template_repo, tmp_path / "broken", str(blocker / "cache"))
    assert with_cache == generate("cookiecutter", template_repo, tmp_path / "off", "off")


def test_a_corrupt_cache_entry_is_compiled_again(template_repo, tmp_path):
    cache = tmp_path / "cache"
    expected = generate("cookiecutter", template_repo, tmp_path / "first", str(cache))
    for entry in cache.iterdir():
        entry.write_bytes(b"garbage")
    assert generate("cookiecutter", template_repo, tmp_path / "second", str(cache)) == expected
