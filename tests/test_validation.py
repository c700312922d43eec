"""Invalid answers: both engines refuse them with the same line and write nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from conftest import bake, copier_copy
from release_history import TEMPLATE_ROOT

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
    ("backend_slug", "type"),             # soft keyword since Python 3.12: refused on every Python
    ("backend_slug", "case"),
    ("backend_slug", "linux"),            # predefined macro in GNU C++ (namespace linux)
    ("backend_slug", "unix"),
    # backend_slug: Windows device names (a folder cannot take them)
    ("backend_slug", "con"),
    ("backend_slug", "prn"),
    ("backend_slug", "aux"),
    ("backend_slug", "nul"),
    ("backend_slug", "com1"),
    ("backend_slug", "lpt9"),
    ("backend_slug", "CON"),
    ("backend_slug", "zeta."),
    ("backend_slug", "zeta "),
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
    ("backend_slug", "coreml"),           # nested: backends/apple/coreml
    ("backend_slug", "metal"),
    ("backend_slug", "tosa"),             # backends/arm/tosa, TOSABackend
    ("backend_slug", "apple"),
    ("backend_slug", "qnn"),              # backend id QnnBackend
    ("backend_slug", "neutron"),          # NeutronBackend
    ("backend_slug", "ethos_u"),          # EthosUBackend
    ("backend_slug", "enn"),
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
    ("class_prefix", "CoreML"),           # backend id CoreMLBackend is taken
    ("class_prefix", "Qnn"),
    ("class_prefix", "Xnnpack"),
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
    ("package_name", "con"),
    ("package_name", "lpt1"),
    ("package_name", "docs"),             # a folder of the generated backend
    ("package_name", "examples"),
    ("package_name", "xnnpack"),
    ("package_name", "match"),
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


def test_snapshot_covers_the_installed_executorch():
    """executorch_backends.json holds every backend of the installed wheel
    (refresh it with scripts/refresh_executorch_backends.py)."""
    installed = local_extensions.installed_executorch_backends()
    if not installed["folders"]:
        pytest.skip("executorch is not installed")
    snapshot = json.loads(local_extensions.EXECUTORCH_BACKENDS_SNAPSHOT.read_text(encoding="utf-8"))
    for kind in ("folders", "backend_ids"):
        missing = set(installed[kind]) - set(snapshot[kind])
        assert not missing, f"{kind} {sorted(missing)}: run python scripts/refresh_executorch_backends.py"
    assert {"xnnpack", "apple/coreml", "arm/tosa", "qualcomm"} <= set(installed["folders"])
    assert {"XnnpackBackend", "CoreMLBackend", "QnnBackend", "NeutronBackend"} <= set(installed["backend_ids"])


def test_snapshot_alone_refuses_nested_backends_and_backend_ids(monkeypatch):
    """A machine without ExecuTorch gives the same verdicts."""
    monkeypatch.setattr(local_extensions, "installed_executorch_backends",
                        lambda: {"folders": [], "backend_ids": []})
    local_extensions.shipped_backend_names.cache_clear()
    try:
        for slug in ("coreml", "tosa", "qnn", "neutron", "xnnpack", "apple"):
            assert "ExecuTorch's own backends" in local_extensions.answer_error(slug, "backend_slug"), slug
    finally:
        local_extensions.shipped_backend_names.cache_clear()


def test_what_counts_as_a_shipped_backend(tmp_path):
    """The scan's criterion, on a made-up executorch/backends folder."""
    backends = tmp_path / "backends"
    files = {
        # a family folder, and a backend in it whose BackendDetails sits in compiler/
        "vendor/npu/compiler/npu_preprocess.py": "class NpuBackend(BackendDetails): pass\n",
        "vendor/npu/__init__.py": "",
        # a partitioner alone makes a backend folder
        "vendor/dsp/partition/__init__.py": "",
        "vendor/gpu/gpu_partitioner.py": "",
        # a subclass of a subclass, in a file that never names BackendDetails
        "vendor/npu2/backend.py": "from ..npu.compiler.npu_preprocess import NpuBackend\n"
                                  "class Npu2Backend(NpuBackend): pass\n",
        # not backends: test folders, part folders, helpers
        "vendor/npu/test/fake.py": "class FakeBackend(BackendDetails): pass\n",
        "vendor/npu/runtime/partition/x.py": "",
        "vendor/utils/helpers.py": "class Helper: pass\n",
        "other/broken.py": "def (:\n",
    }
    for name, text in files.items():
        (backends / name).parent.mkdir(parents=True, exist_ok=True)
        (backends / name).write_text(text)
    assert local_extensions.scan_executorch_backends(backends) == {
        "folders": ["other", "vendor", "vendor/dsp", "vendor/gpu", "vendor/npu", "vendor/npu2"],
        "backend_ids": ["Npu2Backend", "NpuBackend"],
    }


def test_backend_ids_are_compared_without_case(monkeypatch):
    """Without the coreml folder, the derived id CoremlBackend still clashes."""
    monkeypatch.setattr(local_extensions, "shipped_backend_names", lambda: {"coremlbackend": "CoreMLBackend"})
    assert local_extensions.answer_error("coreml", "backend_slug") == (
        "Invalid backend_slug 'coreml': must not name one of ExecuTorch's own backends "
        "(its backend id CoremlBackend matches CoreMLBackend)."
    )
    assert local_extensions.answer_error("Coreml", "class_prefix").endswith("matches CoreMLBackend).")
    assert local_extensions.answer_error("coreml_x", "backend_slug") == ""


@pytest.mark.parametrize("name", sorted(local_extensions.WINDOWS_DEVICE_NAMES))
def test_windows_device_names_are_refused(name):
    for question in ("backend_slug", "package_name"):
        assert "Windows" in local_extensions.answer_error(name, question)


# The same verdict on every Python: each interpreter found on this machine
# judges the corpus, with nothing but local_extensions and Jinja on its path
# (no torch, no ExecuTorch, no engine).
VERDICTS_SCRIPT = """
import json, keyword, sys
sys.path.insert(0, sys.argv[1])
import local_extensions
cases = json.load(sys.stdin)
if (3, 10) <= sys.version_info[:2] <= (3, 14):
    assert set(keyword.kwlist) <= local_extensions.PYTHON_KEYWORDS, keyword.kwlist
    assert set(keyword.softkwlist) <= local_extensions.PYTHON_SOFT_KEYWORDS, keyword.softkwlist
print(json.dumps([local_extensions.answer_error(value, question) for question, value in cases]))
"""


def _pythons() -> dict[str, str]:
    """One interpreter per Python 3.10+ version this machine has: on PATH
    (python3.10 ... python3.14) or installed by pyenv."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(10, 15)]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/3.*/bin/python3"))
    found = {}
    for candidate in filter(None, candidates):
        run = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True)
        version = run.stdout.strip()
        if run.returncode == 0 and tuple(map(int, version.split("."))) >= (3, 10):
            found.setdefault(version, candidate)
    return dict(sorted(found.items(), key=lambda item: tuple(map(int, item[0].split(".")))))


PYTHONS = _pythons()
VALID_CASES = [
    ("backend_slug", "npu2"), ("backend_slug", "npu_2_x"), ("backend_slug", "a" * 40),
    ("backend_slug", "typed"), ("backend_slug", "conx"), ("backend_slug", "com10"),
    ("class_prefix", "NPU2"), ("class_prefix", "Type"), ("package_name", "et_npu"),
    ("email", "first.last+tag@sub.example.co.uk"),
    ("description", "Quotes \" ' \\ {{ braces }} {% tags %}\nand Ünïcödé"),
]


@pytest.mark.parametrize("python", list(PYTHONS.values()), ids=list(PYTHONS))
def test_same_verdicts_on_every_python(python, tmp_path):
    import jinja2
    import markupsafe

    # Only Jinja (pure Python; MarkupSafe falls back to Python too).
    packages = tmp_path / "packages"
    packages.mkdir()
    for module in (jinja2, markupsafe):
        (packages / module.__name__).symlink_to(Path(module.__file__).parent)
    cases = INVALID_ANSWERS + VALID_CASES
    run = subprocess.run(
        [python, "-s", "-c", VERDICTS_SCRIPT, str(TEMPLATE_ROOT)],
        input=json.dumps(cases), capture_output=True, text=True,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(packages), "PYTHONNOUSERSITE": "1"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout) == [local_extensions.answer_error(value, question) for question, value in cases]


def test_valid_unusual_answers_are_accepted():
    for question, value in VALID_CASES:
        assert local_extensions.answer_error(value, question) == "", (question, value)
