"""The docs say what the code does: tables match, names exist, Sphinx builds.

tests/test_docs_commands.py runs every command and code block of the pages.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import {{ cookiecutter.package_name }} as package
from {{ cookiecutter.package_name }} import {{ cookiecutter.__partitioner_class }}
from {{ cookiecutter.package_name }}.compile_spec import COMPILE_SPEC_KEYS, generate_compile_specs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OVERVIEW = DOCS / "{{ cookiecutter.backend_slug }}-overview.md"
PARTITIONER = DOCS / "{{ cookiecutter.backend_slug }}-partitioner.md"
QUANTIZATION = DOCS / "{{ cookiecutter.backend_slug }}-quantization.md"
TROUBLESHOOTING = DOCS / "{{ cookiecutter.backend_slug }}-troubleshooting.md"
PAGES = sorted(DOCS.rglob("*.md"))
# The quantizer is optional (include_quantizer); the tests ask the package.
HAS_QUANTIZER = importlib.util.find_spec("{{ cookiecutter.package_name }}.quantizer") is not None

# The sections of ExecuTorch's backend documentation template, in order.
SEED_SECTIONS = [
    (1, {{ (cookiecutter.backend_name ~ " Backend") | py_str }}),
    (2, "Features"),
    (2, "Target Requirements"),
    (2, "Development Requirements"),
    (2, {{ ("Using " ~ cookiecutter.backend_name) | py_str }}),
    (3, "Partitioner API"),
    (3, "Quantization"),
    (2, "Runtime Integration"),
]


def tokens(page: Path):
    return MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))


def headings(page: Path):
    found, parsed = [], tokens(page)
    for index, token in enumerate(parsed):
        if token.type == "heading_open":
            text = "".join(
                c.content for c in parsed[index + 1].children if c.type in ("text", "code_inline")
            )
            found.append((int(token.tag[1]), text))
    return found


def section(page: Path, title: str) -> str:
    """The Markdown of one section, up to the next heading of its level or above."""
    body, level, in_fence = [], None, False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else re.match(r"(#+) (.*)", line)
        if level is None:
            if heading and heading.group(2) == title:
                level = len(heading.group(1))
        elif heading and len(heading.group(1)) <= level:
            break
        else:
            body.append(line)
    assert level is not None, f"no section {title!r} in {page.name}"
    return "\n".join(body)


def table_rows(markdown: str, first_header: str):
    """Rows of the Markdown table whose first header cell is ``first_header``."""
    rows, in_table = [], False
    for line in markdown.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|")
            else None
        )
        if cells and cells[0] == first_header:
            in_table = True
        elif cells and in_table and not set(cells[0]) <= set("-: "):
            rows.append(cells)
        elif not cells:
            in_table = False
    return rows


def test_overview_follows_the_seed_sections():
    expected = [s for s in SEED_SECTIONS if HAS_QUANTIZER or s[1] != "Quantization"]
    assert headings(OVERVIEW) == expected


def test_quantization_is_mentioned_only_with_a_quantizer():
    # The operator list names quantize/dequantize in every backend (any PT2E program's q/dq
    # groups run in the delegate); the pages speak of quantization only with a quantizer.
    words = r"\bquantizer\b|\bquantization\b"
    mentions = [p.name for p in PAGES if re.search(words, p.read_text(encoding="utf-8"), re.I)]
    if HAS_QUANTIZER:
        assert OVERVIEW.name in mentions
    else:
        assert mentions == []


def test_the_pages_of_the_upstream_layout_exist():
    """ExecuTorch's backend documentation template: overview, partitioner, quantization,
    troubleshooting, architecture, and the tutorials and guides sections with their index pages."""
    slug = "{{ cookiecutter.backend_slug }}"
    expected = [
        f"{slug}-overview.md",
        f"{slug}-partitioner.md",
        f"{slug}-troubleshooting.md",
        f"{slug}-arch-internals.md",
        f"tutorials/{slug}-tutorials.md",
        f"guides/{slug}-guides.md",
    ] + ([f"{slug}-quantization.md"] if HAS_QUANTIZER else [])
    missing = [name for name in expected if not (DOCS / name).is_file()]
    assert missing == []


def test_each_guide_and_tutorial_is_linked_from_its_index():
    for folder in ("guides", "tutorials"):
        index = DOCS / folder / f"{{ cookiecutter.backend_slug }}-{folder}.md"
        linked = set(re.findall(r"\]\(\./([\w.-]+\.md)\)", index.read_text(encoding="utf-8")))
        pages = {p.name for p in (DOCS / folder).glob("*.md") if p != index}
        assert pages - linked == set(), f"{index.name} does not link every page of docs/{folder}/"


def test_partitioner_options_match_the_signature():
    rows = table_rows(PARTITIONER.read_text(encoding="utf-8"), "option")
    documented = {row[0].strip("`"): row[2].strip("`") for row in rows}
    parameters = inspect.signature({{ cookiecutter.__partitioner_class }}.__init__).parameters
    actual = {name: repr(p.default) for name, p in parameters.items() if name != "self"}
    assert documented == actual


def test_compile_specs_match_the_code():
    rows = table_rows(section(PARTITIONER, "Compile specs"), "compile spec")
    documented = {row[0].strip("`"): row[2].strip("`") for row in rows}
    defaults = {
        name: repr(p.default)
        for name, p in inspect.signature(generate_compile_specs).parameters.items()
    }
    assert set(documented) == set(COMPILE_SPEC_KEYS)
    assert documented == {key: defaults[key] for key in COMPILE_SPEC_KEYS}


@pytest.mark.skipif(not HAS_QUANTIZER, reason="this backend has no quantizer")
def test_quantizer_knobs_are_documented():
    from {{ cookiecutter.package_name }}.quantizer import get_{{ cookiecutter.backend_slug }}_quantization_config

    text = QUANTIZATION.read_text(encoding="utf-8")
    knobs = inspect.signature(get_{{ cookiecutter.backend_slug }}_quantization_config).parameters
    for name in knobs:
        assert f"`{name}" in text, f"quantizer knob {name} is not documented"
    for name in ("set_global", "prepare_pt2e", "convert_pt2e"):
        assert name in text


def test_names_in_the_docs_exist_in_the_code():
    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    cmake = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.rglob("CMakeLists.txt"))
    integration = section(OVERVIEW, "Runtime Integration")
    cmake_names = set(
        re.findall(r"\b(?:{{ cookiecutter.backend_slug }}::)?{{ cookiecutter.backend_slug }}_\w+|\bEXECUTORCH_BUILD_\w+", integration)
    )
    assert "{{ cookiecutter.__cmake_target }}" in cmake_names
    for name in cmake_names:
        assert re.search(rf"(?<![\w:]){re.escape(name)}\b", cmake), (
            f"CMake name {name} is not in CMakeLists.txt"
        )
    for dotted in set(re.findall(r"\b{{ cookiecutter.package_name }}(?:\.\w+)+", text)):
        module, _, attribute = dotted.rpartition(".")
        try:
            importlib.import_module(dotted)
        except ImportError:
            assert hasattr(importlib.import_module(module), attribute), f"{dotted} does not exist"
    for class_name in set(re.findall(r"\b{{ cookiecutter.class_prefix }}[A-Z]\w*", text)):
        assert hasattr(package, class_name), f"{class_name} is not exported by the package"
    for path in set(re.findall(r"`((?:examples|scripts|{{ cookiecutter.package_name }})/[\w./-]+)`", text)):
        assert (ROOT / path).exists(), f"{path} is named in the docs but does not exist"


def test_troubleshooting_quotes_real_runtime_errors():
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "{{ cookiecutter.package_name }}").rglob("*")
        if p.suffix in (".cpp", ".h", ".py")
    )
    # A C++ message may be split over adjacent string literals: join them.
    sources = re.sub(r'"\s*\n\s*"', "", sources)
    quoted = re.findall(r"^#+ `(.+)`$", TROUBLESHOOTING.read_text(encoding="utf-8"), re.M)
    assert quoted, "the troubleshooting page lists no error"
    for message in quoted:
        fixed_parts = [part for part in re.split(r"<[^>]+>|\.\.\.", message) if part.strip()]
        for part in fixed_parts:
            assert part in sources, f"{part!r} is not emitted by the code"


@pytest.mark.slow
def test_sphinx_builds_without_warnings(tmp_path):
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr


def test_integration_points_are_listed_in_code_and_docs():
    listed = subprocess.run(
        [sys.executable, "scripts/list_integration_points.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    files = {line.split(":", 1)[0] for line in listed}
    assert any(f.startswith("docs/") for f in files), listed
    assert any(f.endswith(".cpp") for f in files) and any(f.endswith(".py") for f in files), listed
    # One marker, one spelling: a near miss would hide a place from the list.
    everything = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".cpp", ".h", ".md", ".txt")
        and "build" not in p.parts
        and p.resolve() != Path(__file__).resolve()  # this test spells the near misses
    )
    assert not re.search(r"HARDWARE[ _]INTEGRATION|HW-INTEGRATION|TODO\(hardware", everything, re.I)
