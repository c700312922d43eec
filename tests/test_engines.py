"""cookiecutter, copier and cruft generate the same backend for the same answers."""

from __future__ import annotations

import itertools
import os

import pytest

from conftest import (
    ANSWERS_FILES, BIN, bake, copier_copy, cruft_create, generate_with_command_line, tree_contents, tree_folders,
)

import local_extensions

NAMES = [
    {},  # every answer at its default
    {"backend_name": "Nova NPU", "vendor": "Nova \"Silicon\" Ltd.", "author": "Zoë O'Brien"},
    {"backend_name": "Orion DSP", "backend_slug": "orion", "class_prefix": "OrionDSP",
     "package_name": "orion_executorch", "email": "npu-team@orion.example.org"},
]
MATRIX = [
    {**names, "license": license, "include_quantizer": quantizer}
    for names, license, quantizer in itertools.product(
        NAMES, local_extensions.LICENSES, (True, False)
    )
    # every license and both quantizer answers, without the full cross product
    if names is NAMES[0] or (license, quantizer) in {("MIT", False), ("Proprietary", True)}
]


def _id(answers):
    return "-".join(str(v).split()[0] for v in answers.values()) or "defaults"


@pytest.mark.parametrize("answers", MATRIX, ids=[_id(a) for a in MATRIX])
def test_three_engines_generate_identical_trees(cookies, template_repo, tmp_path, answers):
    baked = bake(cookies, template_repo, answers)
    assert baked.exit_code == 0, baked.exception
    expected = tree_contents(baked.project_path)

    copied = copier_copy(template_repo, tmp_path / "copier", answers)
    created = cruft_create(template_repo, tmp_path / "cruft", answers)

    for engine, root in (("copier", copied), ("cruft", created)):
        actual = tree_contents(root)
        assert sorted(actual) == sorted(expected), engine
        different = [path for path in expected if actual[path] != expected[path]]
        assert not different, f"{engine} differs from cookiecutter in {different}"
        assert tree_folders(root) == tree_folders(baked.project_path), engine
    assert not [p for p in baked.project_path.rglob("*") if p.is_dir() and not any(p.iterdir())]
    # Each engine's own answers file, and no other engine's leftovers.
    answers_files = {
        engine: {path.name for path in root.iterdir() if path.name in ANSWERS_FILES}
        for engine, root in (("cookiecutter", baked.project_path), ("copier", copied), ("cruft", created))
    }
    assert answers_files == {"cookiecutter": set(), "copier": {".copier-answers.yml"}, "cruft": {".cruft.json"}}


@pytest.mark.parametrize("quantizer", [True, False])
def test_quantizer_answer_decides_the_quantizer_files(cookies, template_repo, quantizer):
    baked = bake(cookies, template_repo, {"include_quantizer": quantizer})
    assert baked.exit_code == 0, baked.exception
    package = baked.project_path / baked.context["package_name"]
    assert (package / "quantizer").is_dir() is quantizer
    mentions = [
        p for p in baked.project_path.rglob("*")
        if p.is_file() and "Quantizer" in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert bool(mentions) is quantizer


def test_no_template_syntax_survives_rendering(cookies, template_repo):
    baked = bake(cookies, template_repo, {})
    assert baked.exit_code == 0, baked.exception
    for path in baked.project_path.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "cookiecutter." not in text, path
            assert "{%" not in text and "{#" not in text, path


def _env():
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def test_command_lines_with_no_answers(template_repo, tmp_path):
    """The README's commands, through the real command-line programs."""
    trees = {
        engine: tree_contents(generate_with_command_line(engine, template_repo, tmp_path / engine, _env()))
        for engine in ("cookiecutter", "copier", "cruft")
    }
    assert trees["cookiecutter"]
    assert trees["copier"] == trees["cookiecutter"]
    assert trees["cruft"] == trees["cookiecutter"]
