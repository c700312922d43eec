"""Hypothesis strategies for hostile but valid free-text answers."""

from hypothesis import strategies as st

import local_extensions

# Fragments that break naive templating in each target language.
NASTY_FRAGMENTS = [
    '"', "'", '"""', "'''", "\\", "\\n", "{", "}", "{{ x }}", "{% if x %}", "{#", "#}",
    "{% raw %}", "${VAR}", "$(id)", "@ONLY@", ";", "#", "//", "/*", "*/", "<script>", "&amp;",
    "*bold*", "_it_", "`code`", "[link](x)", "|", "\n# heading\n", "\n- item\n", "\n1. one\n",
    "\n> quote\n", "\n```\n", "\n---\n", ":::", "{note}`x`", "$x$", "]]", "é", "Zoë", "日本語",
    "😀", "\t", "  ", "\n", "\n\n", "%s", "%(x)s", "{0}", "?", "??=", "~~",
]


def _valid(text: str) -> bool:
    return not local_extensions._check_free_text(text)


printable = st.characters(blacklist_categories=tuple(local_extensions._UNPRINTABLE_CATEGORIES))
free_text = (
    st.lists(st.one_of(st.sampled_from(NASTY_FRAGMENTS), st.text(printable, min_size=1, max_size=12)),
             min_size=1, max_size=8)
    .map("".join)
    .filter(_valid)
)


def _valid_name(text: str) -> bool:
    return not local_extensions._check_backend_name(text)


# A display name: one line, with at least one ASCII letter or digit.
backend_name = (
    st.tuples(st.sampled_from(["Npu", "Zeta", "X1"]), free_text)
    .map(lambda parts: f"{parts[0]} {parts[1].splitlines()[0] if parts[1].strip() else ''}"[:60].strip())
    .filter(_valid_name)
)
