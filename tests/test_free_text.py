"""Hostile but valid free text still yields a project whose files parse and say it."""

from __future__ import annotations

import ast
import os
import html
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import cookiecutter_context, copier_copy, tree_contents
from test_docs_page import headings
from strategies import backend_name, free_text

FREE_TEXT_QUESTIONS = ("vendor", "author", "description", "target_hardware", "target_os")


@pytest.fixture(scope="module")
def cookiecutter_config(tmp_path_factory):
    # Keep cookiecutter's replay files and clones out of the home folder.
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {home / 'templates'}\nreplay_dir: {home / 'replay'}\n", encoding="utf-8"
    )
    return config


def render(template: Path, output_dir: Path, config: Path, answers) -> Path:
    from cookiecutter.main import cookiecutter

    return Path(cookiecutter(
        str(template), no_input=True, output_dir=str(output_dir), config_file=str(config),
        extra_context=cookiecutter_context(answers),
    ))


def check_project_files(project: Path, answers) -> None:
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for pattern in ("*.yml", "*.yaml"):
        for path in project.rglob(pattern):
            yaml.safe_load(path.read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # The package summary is one line (scikit-build-core refuses more): the words of the answer.
    assert pyproject["description"] == _words(answers["description"])
    assert pyproject["authors"] == [{"name": answers["author"], "email": "npu@example.com"}]
    shown = [_words(p) for p in paragraphs((project / "README.md").read_text(encoding="utf-8"))]
    assert _words(answers["description"]) in shown
    maintained = next(p for p in shown if p.startswith("Maintained by"))
    assert _words(answers["author"]) in maintained and _words(answers["vendor"]) in maintained


def _words(text: str) -> str:
    return " ".join(text.split())


def paragraphs(markdown: str) -> list[str]:
    """The text of each rendered paragraph, as a reader sees it."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    texts = []
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "paragraph_open":
            texts.append("".join(
                "\n" if child.type in ("softbreak", "hardbreak") else child.content
                for child in inline.children
            ))
    return texts


HOSTILE = {
    "backend_name": 'Zeta "Q" \\ {{ x }} ${HOME}; #1 *npu*',
    "backend_slug": "zeta_q",
    "vendor": 'Zeta "Quoted" {{ vendor }} \\ Ltd.',
    "author": "Zoë O'Brien {% raw %}",
    "description": "Line one with `code`, *stars* and ${VAR};\n# not a heading\n{{ 7*7 }} ünïcödé 😀",
    "target_hardware": "NPU-1 <b>bold</b> & friends | pipes",
    "target_os": "Linux\\Windows \"quoted\" {#",
    "email": "npu@example.com",
}
HOSTILE_TEXTS = {k: v for k, v in HOSTILE.items() if k not in ("backend_slug", "email")}


# Each example sets every free-text question, so each question gets as many
# examples as the test runs (FREE_TEXT_EXAMPLES lowers it for a quick local
# run; CI uses the default); the fixed hostile set runs first.
@settings(max_examples=int(os.environ.get("FREE_TEXT_EXAMPLES", 200)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(texts=HOSTILE_TEXTS)
@given(texts=st.fixed_dictionaries({"backend_name": backend_name, **{name: free_text for name in FREE_TEXT_QUESTIONS}}))
def test_hostile_answers_give_a_project_that_parses_builds_and_says_them(
    template_repo, tmp_path_factory, cookiecutter_config, texts
):
    # A fixed slug: the name is hostile, the names derived from it need not be.
    answers = {**texts, "backend_slug": "hostile_npu", "email": "npu@example.com"}
    work = tmp_path_factory.mktemp("free")
    project = render(template_repo, work, cookiecutter_config, answers)
    check_project_files(project, answers)
    overview = (project / "docs" / "hostile_npu-overview.md").read_text(encoding="utf-8")
    assert headings(overview)[0] == (1, f"{answers['backend_name']} Backend")
    shown = [_words(p) for p in paragraphs(overview)]
    assert _words(answers["description"]) in shown
    assert f"Hardware: {_words(answers['target_hardware'])}" in shown
    assert f"Operating systems: {_words(answers['target_os'])}" in shown
    check_cmake_configures(project, work / "build")
    html_page = check_docs_build(project, work / "html") / "hostile_npu-overview.html"
    assert answers["backend_name"] in html.unescape(html_page.read_text(encoding="utf-8"))




def test_hostile_text_renders_the_same_in_copier(cookies, template_repo, tmp_path, cookiecutter_config):
    project = render(template_repo, tmp_path / "cc", cookiecutter_config, HOSTILE)
    check_project_files(project, HOSTILE)
    copied = copier_copy(template_repo, tmp_path / "copier", HOSTILE)
    assert tree_contents(copied) == tree_contents(project)


def check_cmake_configures(project: Path, build: Path) -> None:
    import executorch

    bin_dir = Path(sys.executable).parent
    configure = subprocess.run(
        [bin_dir / "cmake", "-S", project, "-B", build, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={bin_dir / 'ninja'}", f"-DCMAKE_PREFIX_PATH={executorch.__path__[0]}"],
        capture_output=True, text=True,
    )
    assert configure.returncode == 0, configure.stdout[-3000:] + configure.stderr[-3000:]


def check_docs_build(project: Path, output: Path) -> Path:
    docs = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", project / "docs", output],
        capture_output=True, text=True,
    )
    assert docs.returncode == 0, docs.stdout[-3000:] + docs.stderr[-3000:]
    return output
