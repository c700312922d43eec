"""Invalid answers: both engines refuse them with the same line and write nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cookiecutter.exceptions import FailedHookException

from conftest import bake, copier_copy

import local_extensions

# (question, value): each must be rejected by the shared rule.
INVALID_ANSWERS = [
    # backend_slug: identifier rules
    ("backend_slug", "class"),
    ("backend_slug", "match"),            # soft keyword
    ("backend_slug", "_"),                # soft keyword
    ("backend_slug", "int"),              # C++ keyword
    ("backend_slug", "template"),
    ("backend_slug", "_npu"),             # reserved in C++ at global scope
    ("backend_slug", "npu__x"),
    ("backend_slug", "9lives"),
    ("backend_slug", "Zeta"),
    ("backend_slug", "zeta accel"),
    ("backend_slug", "zeta-accel"),
    ("backend_slug", "zeta.accel"),
    ("backend_slug", "../x"),
    ("backend_slug", "a/b"),
    ("backend_slug", "a\\b"),
    ("backend_slug", "x;rm -rf ~"),
    ("backend_slug", "$(id)"),
    ("backend_slug", "`id`"),
    ("backend_slug", "a|b"),
    ("backend_slug", "a&&b"),
    ("backend_slug", "zeta\n"),
    ("backend_slug", " zeta"),
    ("backend_slug", "async"),
    ("backend_slug", "{{ 7*7 }}"),
    ("backend_slug", "{% raw %}"),
    ("backend_slug", "zéta"),
    ("backend_slug", ""),
    ("backend_slug", "a" * 41),
    # backend_slug: names that are taken
    ("backend_slug", "xnnpack"),
    ("backend_slug", "vulkan"),
    ("backend_slug", "arm"),
    ("backend_slug", "qualcomm"),
    ("backend_slug", "openvino"),
    ("backend_slug", "cadence"),
    ("backend_slug", "executorch"),
    ("backend_slug", "test"),
    ("backend_slug", "torch"),
    # class_prefix
    ("class_prefix", "zetaAccel"),
    ("class_prefix", "Zeta_Accel"),
    ("class_prefix", "Zeta Accel"),
    ("class_prefix", "9Zeta"),
    ("class_prefix", "None"),
    ("class_prefix", "Zéta"),
    ("class_prefix", ""),
    ("class_prefix", "Z" * 61),
    ("class_prefix", "Zeta;Rm"),
    ("class_prefix", "{{Zeta}}"),
    ("class_prefix", "Zeta/Accel"),
    # package_name
    ("package_name", "executorch-zeta"),
    ("package_name", "Executorch_zeta"),
    ("package_name", "pkg.sub"),
    ("package_name", "1pkg"),
    ("package_name", "lambda"),
    ("package_name", "torch"),
    ("package_name", "executorch"),
    ("package_name", ""),
    ("package_name", "a/b"),
    ("package_name", "../pkg"),
    ("package_name", "p" * 61),
    ("package_name", "numpy"),
    # email
    ("email", "not-an-email"),
    ("email", "a@b"),
    ("email", "a b@c.com"),
    ("email", "x@@y.com"),
    ("email", "x@y.com\nBcc: z@y.com"),
    ("email", ""),
    ("email", "a@" + "b" * 250 + ".com"),
    ("email", "{{ x }}@example.com"),
    # backend_name
    ("backend_name", ""),
    ("backend_name", "   "),
    ("backend_name", "Zeta\nAccel"),
    ("backend_name", "!!!"),
    ("backend_name", "A" * 61),
    # free text
    ("vendor", ""),
    ("author", "   "),
    ("description", "nul \x00 byte"),
    ("target_hardware", "x" * 501),
    ("target_os", ""),
]


def _id(case):
    question, value = case
    return f"{question}={value!r}"[:40]


def test_corpus_values_are_all_invalid():
    for question, value in INVALID_ANSWERS:
        assert local_extensions.answer_error(value, question), (question, value)


def test_corpus_covers_every_validated_question():
    validated = {q for q in local_extensions.CHECKS if q not in ("license", "include_quantizer")}
    assert validated <= {question for question, _ in INVALID_ANSWERS}


def _leftovers(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("case", INVALID_ANSWERS, ids=[_id(c) for c in INVALID_ANSWERS])
def test_both_engines_reject_with_the_same_line(cookies, template_repo, tmp_path, case):
    question, value = case
    message = local_extensions.answer_error(value, question)
    assert "\n" not in message and question in message and repr(value) in message

    # copier: the validator refuses the answer before anything is written
    destination = tmp_path / "copier" / "project"
    with pytest.raises(ValueError) as refused:
        copier_copy(template_repo, destination, {question: value})
    assert str(refused.value) == f"Validation error for question '{question}': {message}"
    assert _leftovers(tmp_path / "copier") == []

    # cookiecutter: refused while the context is computed, before any folder
    baked = bake(cookies, template_repo, {question: value})
    assert baked.exit_code != 0
    assert str(baked.exception) == message
    assert baked.project_path is None
    # at most pytest-cookies' own empty output folder
    assert set(_leftovers(tmp_path / "cookies")) <= {"bake00"}


def test_command_line_prints_one_line_and_leaves_nothing(template_repo, tmp_path):
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", template_repo, "-o", out,
         "backend_slug=a/b"],
        capture_output=True, text=True,
    )
    assert run.returncode == 1
    expected = local_extensions.answer_error("a/b", "backend_slug")
    assert run.stdout.strip().splitlines() == [expected]
    assert _leftovers(tmp_path) == []


def test_pre_generation_hook_refuses_an_edited_replay(cookies, template_repo, tmp_path, capfd):
    """A replayed context skips the questions; the hook still applies the rules."""
    from cookiecutter.main import cookiecutter

    baked = bake(cookies, template_repo, {})
    assert baked.exit_code == 0, baked.exception
    replay_file = tmp_path / "edited.json"
    replay_file.write_text(json.dumps({"cookiecutter": {**baked.context, "email": "nobody"}}))
    capfd.readouterr()
    with pytest.raises(FailedHookException):
        cookiecutter(str(template_repo), replay=str(replay_file), output_dir=str(tmp_path / "second"))
    assert local_extensions.answer_error("nobody", "email") in capfd.readouterr().err.splitlines()
    assert _leftovers(tmp_path / "second") == []


def test_license_outside_the_choices_is_refused_by_both(cookies, template_repo, tmp_path):
    with pytest.raises(ValueError, match="license"):
        copier_copy(template_repo, tmp_path / "copier", {"license": "GPL-3.0"})
    assert not (tmp_path / "copier").exists()
    baked = bake(cookies, template_repo, {"license": "GPL-3.0"})
    assert baked.project_path is None
    assert baked.exit_code != 0
    assert "GPL-3.0" in str(baked.exception)


def test_reserved_names_include_every_installed_executorch_backend():
    installed = local_extensions.installed_executorch_backends()
    if not installed:
        pytest.skip("executorch is not installed")
    missing = installed - local_extensions.EXECUTORCH_BACKENDS_SNAPSHOT
    assert not missing, f"add {sorted(missing)} to EXECUTORCH_BACKENDS_SNAPSHOT"
    assert {"xnnpack", "vulkan", "arm", "qualcomm"} <= installed


def test_valid_unusual_answers_are_accepted():
    for question, value in [
        ("backend_slug", "npu2"), ("backend_slug", "npu_2_x"), ("backend_slug", "a" * 40),
        ("class_prefix", "NPU2"), ("package_name", "et_npu"), ("email", "first.last+tag@sub.example.co.uk"),
        ("description", "Quotes \" ' \\ {{ braces }} {% tags %}\nand Ünïcödé"),
    ]:
        assert local_extensions.answer_error(value, question) == "", (question, value)
