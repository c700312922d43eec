"""The generated overview page follows ExecuTorch's backend documentation template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import bake

# ExecuTorch's backend documentation template (a copy; see tests/data).
SEED = Path(__file__).parent / "data" / "backend-template-seed.md"


def headings(markdown: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        (int(opening.tag[1]), "".join(child.content for child in inline.children))
        for opening, inline in zip(tokens, tokens[1:])
        if opening.type == "heading_open"
    ]


def expected_sections(backend_name: str, with_quantizer: bool) -> list[tuple[int, str]]:
    names = {"Backend Template": f"{backend_name} Backend", "Using Backend Name": f"Using {backend_name}"}
    sections = [(level, names.get(title, title)) for level, title in headings(SEED.read_text())]
    return [s for s in sections if with_quantizer or s[1] != "Quantization"]


def seed_instructions() -> list[str]:
    """The seed's own prompt sentences, which a filled page must not keep."""
    text = re.sub(r"^#.*$", "", SEED.read_text(), flags=re.M)
    return [s.strip() for s in re.split(r"(?<=[.?])\s", text) if len(s.strip()) > 25]


@pytest.mark.parametrize(
    "answers",
    [{}, {"backend_name": "Nova NPU", "include_quantizer": False}],
    ids=["defaults", "no-quantizer"],
)
def test_overview_has_exactly_the_seed_sections(cookies, template_repo, answers):
    baked = bake(cookies, template_repo, answers)
    assert baked.exit_code == 0, baked.exception
    context = baked.context
    page = baked.project_path / "docs" / f"{context['backend_slug']}-overview.md"
    text = page.read_text(encoding="utf-8")
    assert headings(text) == expected_sections(context["backend_name"], context["include_quantizer"])
    for sentence in seed_instructions():
        assert sentence not in text, f"seed text left in the page: {sentence!r}"
    assert not re.search(r"\{[A-Z_]+\}|Backend Name|TODO|TBD", text)
    # The operator list names quantize/dequantize in every backend (they run quantized programs
    # from any PT2E quantizer); the page speaks of a quantizer only when the backend has one.
    assert bool(re.search(r"\bquantizer\b|\bquantization\b", text, re.I)) is context["include_quantizer"]
