"""Jinja extensions shared by cookiecutter, cruft and copier.

Everything both engines must agree on lives here, once:

* how default names are derived from ``backend_name`` (filters used by the
  defaults in ``cookiecutter.json`` and ``copier.yml``);
* the validation rule and the one-line message for every question (used by
  copier's ``validator:`` and by cookiecutter's ``hooks/pre_gen_project.py``);
* one escaping filter per target language, so that free text (descriptions,
  vendor names, ...) stays valid Python, TOML, YAML, CMake, C++ and Markdown;
* for copier only, a context hook that exposes the answers under the
  ``cookiecutter`` namespace, plus the private ``__`` names that
  ``cookiecutter.json`` derives, so each template file is written once.

The module must import without copier installed (cookiecutter users).
"""

from __future__ import annotations

import datetime
import functools
import importlib.util
import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Mapping

from jinja2.ext import Extension

TEMPLATE_ROOT = Path(__file__).resolve().parent

# Names the generated backend must not take.  ExecuTorch's own backend
# folders are read from the installed wheel when there is one; this snapshot
# (executorch 1.5.1) covers machines that generate without ExecuTorch, and a
# template test fails when the installed wheel has folders it lacks.
EXECUTORCH_BACKENDS_SNAPSHOT = frozenset(
    {
        "aoti", "apple", "arm", "cadence", "cortex_m", "cuda", "example",
        "mediatek", "mlx", "native", "nxp", "openvino", "qualcomm", "samsung",
        "test", "transforms", "vulkan", "webgpu", "xnnpack",
    }
)
# Top-level names that a generated package or folder would shadow on sys.path.
SHADOWED_PACKAGES = frozenset(
    {"executorch", "torch", "torchao", "test", "tests", "numpy", "pytest", "setuptools"}
)
# The slug also names a C++ namespace and C functions.
CPP_KEYWORDS = frozenset(
    """alignas alignof and and_eq asm auto bitand bitor bool break case catch char
    char8_t char16_t char32_t class compl concept const consteval constexpr constinit
    const_cast continue co_await co_return co_yield decltype default delete do double
    dynamic_cast else enum explicit export extern false float for friend goto if inline
    int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
    protected public register reinterpret_cast requires return short signed sizeof static
    static_assert static_cast struct switch template this thread_local throw true try
    typedef typeid typename union unsigned using virtual void volatile wchar_t while xor
    xor_eq""".split()
)
MAX_SLUG_LENGTH = 40
MAX_IDENTIFIER_LENGTH = 60
MAX_FREE_TEXT_LENGTH = 500
LICENSES = ("BSD-3-Clause", "Apache-2.0", "MIT", "Proprietary")

_LOWER_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")
_CAMEL_IDENTIFIER = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z"
)


@functools.lru_cache(maxsize=None)
def installed_executorch_backends() -> frozenset[str]:
    """Folder names under the installed ``executorch/backends`` (empty if absent)."""
    try:
        spec = importlib.util.find_spec("executorch")
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    names = set()
    for location in spec.submodule_search_locations:
        backends = Path(location) / "backends"
        if backends.is_dir():
            names.update(
                p.name for p in backends.iterdir() if p.is_dir() and not p.name.startswith("_")
            )
    return frozenset(names)


def reserved_backend_names() -> frozenset[str]:
    return EXECUTORCH_BACKENDS_SNAPSHOT | installed_executorch_backends()


# ---------------------------------------------------------------------------
# Derivations: every default name comes from one of these.
# ---------------------------------------------------------------------------


def slug_from_name(name: Any) -> str:
    """``"Zeta Accel"`` -> ``"zeta_accel"``; accents are folded to ASCII."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def camel_from_slug(slug: Any) -> str:
    """``"zeta_accel"`` -> ``"ZetaAccel"`` (the upstream style: ``XnnpackBackend``)."""
    return "".join(part[:1].upper() + part[1:] for part in str(slug).split("_") if part)


# ---------------------------------------------------------------------------
# Validation: one rule and one message per question, for both engines.
# ---------------------------------------------------------------------------


def _shown(value: Any) -> str:
    # repr() keeps the message on one line whatever the value contains.
    return repr(value) if isinstance(value, str) else repr(str(value))


def _identifier_problem(value: str, max_length: int) -> str:
    if not value:
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if value[0].isdigit():
        return "must not start with a digit"
    if not _LOWER_IDENTIFIER.match(value):
        return "must be a lowercase Python identifier (a-z, 0-9 and _ only)"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "must not be a Python keyword"
    return ""


def _check_backend_name(value: str) -> str:
    if not value.strip():
        return "must not be empty"
    if "\n" in value or "\r" in value:
        return "must be a single line"
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return f"must be at most {MAX_IDENTIFIER_LENGTH} characters"
    if not slug_from_name(value):
        return "must contain at least one ASCII letter or digit"
    return _control_character_problem(value)


def _check_backend_slug(value: str) -> str:
    problem = _identifier_problem(value, MAX_SLUG_LENGTH)
    if problem:
        return problem
    if value in CPP_KEYWORDS:
        return "must not be a C++ keyword"
    if value.startswith("_") or "__" in value:
        return "must not start with _ or contain __ (names reserved in C++)"
    if value in reserved_backend_names():
        return "must not be the name of one of ExecuTorch's own backends"
    if value in SHADOWED_PACKAGES:
        return "must not shadow a common Python package"
    return ""


def _check_class_prefix(value: str) -> str:
    if not value:
        return "must not be empty"
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return f"must be at most {MAX_IDENTIFIER_LENGTH} characters"
    if not _CAMEL_IDENTIFIER.match(value):
        return "must be a CamelCase identifier (an ASCII capital letter, then letters and digits)"
    if keyword.iskeyword(value):
        return "must not be a Python keyword"
    return ""


def _check_package_name(value: str) -> str:
    problem = _identifier_problem(value, MAX_IDENTIFIER_LENGTH)
    if problem:
        return problem
    if value in SHADOWED_PACKAGES or value in reserved_backend_names():
        return "must not shadow a common Python package"
    return ""


def _check_email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        return "must be a well-formed email address (name@domain.tld)"
    return ""


# Control characters (other than newline and tab), surrogates, unassigned code
# points and Unicode line/paragraph separators: invisible to a reader, and
# YAML, TOML or Markdown would alter or refuse them.
_UNPRINTABLE_CATEGORIES = {"Cc", "Cs", "Cn", "Zl", "Zp"}


def _control_character_problem(value: str) -> str:
    for char in value:
        if char not in "\n\t" and unicodedata.category(char) in _UNPRINTABLE_CATEGORIES:
            return "must not contain control characters or Unicode line separators"
    return ""


def _check_free_text(value: str) -> str:
    if not value.strip():
        return "must not be empty"
    if len(value) > MAX_FREE_TEXT_LENGTH:
        return f"must be at most {MAX_FREE_TEXT_LENGTH} characters"
    return _control_character_problem(value)


def _check_license(value: str) -> str:
    return "" if value in LICENSES else f"must be one of {', '.join(LICENSES)}"


def _check_bool(value: Any) -> str:
    return "" if isinstance(value, bool) else "must be true or false"


CHECKS: Mapping[str, Callable[[Any], str]] = {
    "backend_name": _check_backend_name,
    "backend_slug": _check_backend_slug,
    "class_prefix": _check_class_prefix,
    "package_name": _check_package_name,
    "vendor": _check_free_text,
    "author": _check_free_text,
    "email": _check_email,
    "description": _check_free_text,
    "target_hardware": _check_free_text,
    "target_os": _check_free_text,
    "license": _check_license,
    "include_quantizer": _check_bool,
}


def answer_error(value: Any, question: str) -> str:
    """The one-line rejection message for ``value``, or ``""`` if it is valid."""
    check = CHECKS[question]
    # Text questions judge the text; the boolean one judges the value itself.
    problem = check(value) if check is _check_bool else check("" if value is None else str(value))
    if not problem:
        return ""
    return f"Invalid {question} {_shown(value)}: {problem}."


def answer_errors(answers: Mapping[str, Any]) -> list[str]:
    """Every rejection message for a full set of answers, in question order."""
    return [msg for name in CHECKS if (msg := answer_error(answers.get(name), name))]


try:  # cookiecutter's command line prints this exception as a plain line
    from cookiecutter.exceptions import FailedHookException as _CookiecutterStop
except ImportError:  # copier-only environment
    _CookiecutterStop = ValueError


class InvalidAnswer(_CookiecutterStop):
    """An answer broke its question's rule; the message is the one-line reason."""


def check_answers(answers: Mapping[str, Any]) -> str:
    """Raise on the first invalid answer, the one copier would report.

    cookiecutter.json renders this right after the last question, before
    cookiecutter creates the output folder: its pre-generation hook runs too
    late to stop a slug like ``a/b`` or ``""`` from making folders.
    """
    errors = answer_errors(answers)
    if errors:
        raise InvalidAnswer(errors[0])
    return ""


# ---------------------------------------------------------------------------
# Escaping: one filter per target language.
# ---------------------------------------------------------------------------


def py_str(value: Any) -> str:
    """A Python string literal (``repr`` is exact for every str)."""
    return repr(str(value))


def _json_escaped(value: Any) -> str:
    # JSON's escapes are a subset of both TOML's and YAML's double-quoted
    # strings; DEL and the Unicode line separators are escaped too because
    # TOML forbids DEL and YAML would fold a separator into a space.
    text = json.dumps(str(value), ensure_ascii=False)
    for char in ("\x7f", "\x85", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def toml_str(value: Any) -> str:
    """A TOML basic string."""
    return _json_escaped(value)


def yaml_str(value: Any) -> str:
    """A YAML double-quoted scalar."""
    return _json_escaped(value)


def cpp_str(value: Any) -> str:
    """A C++ narrow string literal holding the UTF-8 text."""
    out = []
    for byte in str(value).encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F and char != "?":  # '?' avoids trigraphs
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")  # octal: never swallows the next char
    return '"' + "".join(out) + '"'


def cmake_str(value: Any) -> str:
    """A CMake quoted argument that expands no variable reference."""
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("$", "\\$"),
                          ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(char, escaped)
    return '"' + text + '"'


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~$&{}])")
_MD_BLOCK_MARKER = re.compile(r"^([#+\-=>:])")
_MD_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def md_text(value: Any) -> str:
    """Markdown/MyST text that renders as exactly the given words.

    Characters that start inline markup are backslash-escaped everywhere
    (CommonMark renders ``\\X`` as ``X``); a character that could open a
    block (heading, list, quote, fence) is escaped at the start of a line;
    line breaks become hard breaks, so multi-line text stays one paragraph.
    """
    lines = []
    for line in str(value).splitlines():
        line = _MD_INLINE.sub(r"\\\1", line.strip())
        line = _MD_BLOCK_MARKER.sub(r"\\\1", line)
        line = _MD_LIST_NUMBER.sub(r"\1\\\2", line)
        if line:
            lines.append(line)
    return "\\\n".join(lines)


def comment_text(value: Any) -> str:
    """Text safe inside a single-line ``#`` or ``//`` comment."""
    return " ".join(str(value).split())


FILTERS: Mapping[str, Callable[..., Any]] = {
    "slug_from_name": slug_from_name,
    "camel_from_slug": camel_from_slug,
    "answer_error": answer_error,
    "answer_errors": answer_errors,
    "check_answers": check_answers,
    "py_str": py_str,
    "toml_str": toml_str,
    "yaml_str": yaml_str,
    "cpp_str": cpp_str,
    "cmake_str": cmake_str,
    "md_text": md_text,
    "comment_text": comment_text,
}


class BackendTemplateExtension(Extension):
    """Filters and globals of this template, for every engine."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(FILTERS)
        environment.globals["current_year"] = datetime.date.today().year


# ---------------------------------------------------------------------------
# Copier: expose the answers as ``cookiecutter.*`` with the same derived names.
# ---------------------------------------------------------------------------


# Not derived names: the prompts, and the check that copier's validators make.
_COOKIECUTTER_ONLY = {"__prompts__", "__validation"}


@functools.lru_cache(maxsize=None)
def _private_variables() -> tuple[tuple[str, str], ...]:
    """The derived ``__name`` entries of cookiecutter.json, in file order."""
    spec = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    return tuple((k, v) for k, v in spec.items() if k.startswith("__") and k not in _COOKIECUTTER_ONLY)


# Only copier needs the context hook; importing copier_template_extensions
# imports copier, which would cost cookiecutter users about a second.
ContextHook = None
if "copier" in sys.modules:
    try:
        from copier_template_extensions import ContextHook
    except ImportError:
        pass

if ContextHook is not None:

    class CookiecutterNamespace(ContextHook):
        """Makes ``{{ cookiecutter.x }}`` work under copier.

        The private ``__`` names are rendered from cookiecutter.json itself,
        so that the derivations exist in one place for both engines. Copier
        builds a context for every file and path it renders, so the compiled
        derivations and their results per set of answers are kept.
        """

        def __init__(self, environment):
            super().__init__(environment)
            self._derivations = None
            self._names_by_answers: dict[tuple, dict[str, Any]] = {}

        def _derived_names(self, answers: dict[str, Any]) -> dict[str, Any]:
            key = tuple((name, repr(value)) for name, value in answers.items())
            if key not in self._names_by_answers:
                if self._derivations is None:
                    self._derivations = [
                        (name, self.environment.from_string(raw)) for name, raw in _private_variables()
                    ]
                names = dict(answers)
                for name, template in self._derivations:
                    names[name] = template.render(cookiecutter=names)
                self._names_by_answers[key] = names
            return self._names_by_answers[key]

        def hook(self, context: dict[str, Any]) -> None:
            if "cookiecutter" in context:
                return
            answers = {name: context[name] for name in CHECKS if name in context}
            names = dict(self._derived_names(answers))
            # Under copier the answers file is rendered; cookiecutter skips
            # the empty file name.
            names["__answers"] = context.get("_copier_conf", {}).get("answers_file", "")
            context["cookiecutter"] = names
