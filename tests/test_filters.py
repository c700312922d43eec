"""Each escaping filter keeps any valid free text exact in its target language."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from strategies import free_text

import local_extensions as ext


@given(free_text)
def test_python_literal(text):
    assert ast.literal_eval(ext.py_str(text)) == text


@given(free_text)
def test_toml_string(text):
    assert tomllib.loads(f"value = {ext.toml_str(text)}\n")["value"] == text


@given(free_text)
def test_yaml_string(text):
    assert yaml.safe_load(f"value: {ext.yaml_str(text)}\n")["value"] == text


def _rendered_text(markdown: str) -> str:
    """The words a reader sees: inline text with line breaks as newlines."""
    pieces = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type in ("heading_open", "list_item_open", "blockquote_open", "fence", "code_block", "hr", "html_block"):
            raise AssertionError(f"text opened a {token.type}: {markdown!r}")
        for child in token.children or []:
            if child.type == "text":
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append("\n")
            else:
                raise AssertionError(f"text became markup {child.type}: {markdown!r}")
    return "".join(pieces)


@given(free_text)
def test_markdown_text(text):
    expected = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    assert _rendered_text(ext.md_text(text)) == expected


def test_comment_text_is_one_line():
    assert ext.comment_text("a\n b\t\tc ") == "a b c"


# One compiler or cmake run checks a batch of texts, to keep the test fast.
@pytest.mark.skipif(not shutil.which("g++"), reason="needs a C++ compiler")
@settings(max_examples=3, deadline=None)
@given(st.lists(free_text, min_size=40, max_size=40))
def test_cpp_string_literal(tmp_path_factory, texts):
    work = tmp_path_factory.mktemp("cpp")
    lines = ",\n".join(ext.cpp_str(t) for t in texts)
    (work / "main.cpp").write_text(
        "#include <cstdio>\nstatic const char* kTexts[] = {\n" + lines + "\n};\n"
        "int main() { for (const char* t : kTexts) { std::fputs(t, stdout); std::fputc(0, stdout); } }\n"
    )
    subprocess.run(["g++", "-std=c++17", "-Wall", "-Werror", "-Wno-trigraphs", "main.cpp", "-o", "main"], cwd=work, check=True)
    output = subprocess.run([work / "main"], check=True, capture_output=True).stdout
    assert output.split(b"\0")[:-1] == [t.encode("utf-8") for t in texts]


def _cmake():
    candidate = Path(sys.executable).parent / "cmake"
    return str(candidate) if candidate.exists() else shutil.which("cmake")


@pytest.mark.skipif(not _cmake(), reason="needs cmake")
@settings(max_examples=3, deadline=None)
@given(st.lists(free_text, min_size=40, max_size=40))
def test_cmake_quoted_argument(tmp_path_factory, texts):
    work = tmp_path_factory.mktemp("cmake")
    script = "".join(
        f'set(value {ext.cmake_str(t)})\nfile(WRITE "${{OUT}}/{i}.txt" "${{value}}")\n'
        for i, t in enumerate(texts)
    )
    (work / "check.cmake").write_text(script, encoding="utf-8")
    subprocess.run([_cmake(), f"-DOUT={work}", "-P", "check.cmake"], cwd=work, check=True)
    for i, text in enumerate(texts):
        assert (work / f"{i}.txt").read_text(encoding="utf-8") == text
