"""One source for the questions: copier.yml's are generated from cookiecutter.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from conftest import bake, copier_copy
from release_history import TEMPLATE_ROOT

import local_extensions

COOKIECUTTER = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
COPIER = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8"))

COOKIECUTTER_QUESTIONS = [k for k in COOKIECUTTER if not k.startswith("_")]


def test_copier_questions_are_up_to_date():
    """copier.yml holds what `cog -r copier.yml` generates from cookiecutter.json."""
    run = subprocess.run([sys.executable, "-m", "cogapp", "--check", "copier.yml"],
                         cwd=TEMPLATE_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, (
        "copier.yml's questions are out of date: run `cog -r copier.yml` from the template root\n"
        + run.stdout + run.stderr
    )


def test_the_freshness_check_sees_a_hand_edit(tmp_path):
    """The check above fails when a generated question is edited by hand."""
    for name in ("cookiecutter.json", "copier.yml"):
        (tmp_path / name).write_bytes((TEMPLATE_ROOT / name).read_bytes())
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "copier_questions.py").write_bytes(
        (TEMPLATE_ROOT / "scripts" / "copier_questions.py").read_bytes())
    copier_yml = tmp_path / "copier.yml"
    copier_yml.write_text(copier_yml.read_text(encoding="utf-8").replace('default: "Zeta Accel"', 'default: "Nova"'),
                          encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "cogapp", "--check", "copier.yml"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 0


def test_copier_asks_every_question_of_cookiecutter_json_in_order():
    assert [k for k in COPIER if not k.startswith("_")] == COOKIECUTTER_QUESTIONS


def test_every_question_has_a_validation_rule():
    assert list(local_extensions.CHECKS) == COOKIECUTTER_QUESTIONS


@pytest.mark.parametrize(
    "backend_name, expected",
    [
        ("Zeta Accel", ("zeta_accel", "ZetaAccel", "executorch_zeta_accel")),
        ("Nova NPU 2", ("nova_npu_2", "NovaNpu2", "executorch_nova_npu_2")),
        ("Ångström-DSP", ("angstrom_dsp", "AngstromDsp", "executorch_angstrom_dsp")),
    ],
)
def test_backend_name_alone_derives_every_name_identically(
    cookies, template_repo, tmp_path, backend_name, expected
):
    baked = bake(cookies, template_repo, {"backend_name": backend_name})
    assert baked.exit_code == 0, baked.exception
    copied = copier_copy(template_repo, tmp_path / "copier", {"backend_name": backend_name})
    recorded = yaml.safe_load((copied / ".copier-answers.yml").read_text(encoding="utf-8"))
    for name in COOKIECUTTER_QUESTIONS:
        assert recorded[name] == baked.context[name], name
    assert (baked.context["backend_slug"], baked.context["class_prefix"], baked.context["package_name"]) == expected
    assert baked.project_path.name == expected[0]
