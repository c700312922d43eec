"""cookiecutter.json and copier.yml must ask the same questions the same way."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import bake, copier_copy
from release_history import TEMPLATE_ROOT

import local_extensions

COOKIECUTTER = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
COPIER = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8"))

COOKIECUTTER_QUESTIONS = [k for k in COOKIECUTTER if not k.startswith("_")]
COPIER_QUESTIONS = [k for k in COPIER if not k.startswith("_")]


def test_same_questions_in_the_same_order():
    assert COOKIECUTTER_QUESTIONS == COPIER_QUESTIONS


def test_every_question_has_a_validation_rule():
    assert list(local_extensions.CHECKS) == COOKIECUTTER_QUESTIONS


@pytest.mark.parametrize("name", COOKIECUTTER_QUESTIONS)
def test_same_help_text(name):
    prompt = COOKIECUTTER["__prompts__"][name]
    if isinstance(prompt, dict):
        prompt = prompt["__prompt__"]
    assert COPIER[name]["help"] == prompt


@pytest.mark.parametrize("name", COOKIECUTTER_QUESTIONS)
def test_same_default_expression(name):
    cookiecutter_default = COOKIECUTTER[name]
    copier_default = COPIER[name]["default"]
    if isinstance(cookiecutter_default, list):  # choice: first entry is the default
        assert copier_default == cookiecutter_default[0]
        assert list(COPIER[name]["choices"].values()) == cookiecutter_default
        labels = COOKIECUTTER["__prompts__"][name]
        assert {v: k for k, v in COPIER[name]["choices"].items()} == {
            v: labels[v] for v in cookiecutter_default
        }
    elif isinstance(cookiecutter_default, bool):
        assert copier_default is cookiecutter_default
        assert COPIER[name]["type"] == "bool"
    else:
        assert copier_default == cookiecutter_default.replace("cookiecutter.", "")


def test_copier_validates_every_question_through_the_shared_rule():
    for name in COPIER_QUESTIONS:
        if COPIER[name]["type"] == "str" and "choices" not in COPIER[name]:
            assert COPIER[name]["validator"] == f"{{{{ {name} | answer_error('{name}') }}}}"


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
