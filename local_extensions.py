"""Jinja extensions shared by cookiecutter, cruft and copier.

Everything both engines must agree on lives here, once:

* the names a backend must not take: fixed keyword lists, Windows device
  names, and ExecuTorch's own backends (from the installed wheel and the
  snapshot ``executorch_backends.json``);
* how default names are derived from ``backend_name`` (filters used by the
  defaults in ``cookiecutter.json`` and ``copier.yml``);
* the validation rule and the one-line message for every question (used by
  copier's ``validator:``, by ``cookiecutter.json``'s ``__validation`` and by
  cookiecutter's ``hooks/pre_gen_project.py``);
* one escaping filter per target language, so that free text (descriptions,
  vendor names, ...) stays valid Python, TOML, YAML, CMake, C++ and Markdown;
* for copier only, a context hook that exposes the answers under the
  ``cookiecutter`` namespace, plus the private ``__`` names that
  ``cookiecutter.json`` derives, so each template file is written once.

The module must import without copier installed (cookiecutter users), and
without torch or ExecuTorch (validation reads ExecuTorch's sources, never
imports them).

It is one module on purpose, in sections by job: copier loads it by file
path (copier-template-extensions) and renders two template versions in one
process on ``copier update``; a sibling module imported from here would be
imported once per process, and one version's rules would serve the other.
"""

from __future__ import annotations

import ast
import datetime
import functools
import importlib.util
import json
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Mapping

from jinja2.ext import Extension

TEMPLATE_ROOT = Path(__file__).resolve().parent

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


# ---------------------------------------------------------------------------
# Names a backend must not take. Fixed lists, so that every Python and every
# machine gives the same verdict; tests/test_validation.py checks them
# against each Python it finds and against the installed ExecuTorch.
# ---------------------------------------------------------------------------

# keyword.kwlist and keyword.softkwlist of Python 3.10 to 3.14 (the union).
PYTHON_KEYWORDS = frozenset(
    """False None True and as assert async await break class continue def del elif
    else except finally for from global if import in is lambda nonlocal not or pass
    raise return try while with yield""".split()
)
PYTHON_SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})
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
# Object-like macros that GCC and Clang predefine in their default GNU modes
# (CMake's default): `namespace linux` would read `namespace 1`.
CPP_PREDEFINED_MACROS = frozenset({"linux", "unix"})
# Device names Windows reserves in every folder, whatever the case or the
# extension (CON, con.txt, Com1.py): no file or folder can take them.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)}
)
# Top-level names that a generated package or folder would shadow on sys.path.
SHADOWED_PACKAGES = frozenset(
    {"executorch", "torch", "torchao", "test", "tests", "numpy", "pytest", "setuptools"}
)

# ExecuTorch's own backends: read from the installed wheel (its sources, with
# ast: nothing is imported), plus a snapshot for machines without one
# (scripts/refresh_executorch_backends.py rewrites it).
EXECUTORCH_BACKENDS_SNAPSHOT = TEMPLATE_ROOT / "executorch_backends.json"
# Folders that hold one part of a backend, not a backend: a BackendDetails
# subclass in apple/coreml/compiler/ belongs to apple/coreml.
_PART_FOLDERS = frozenset({"compiler", "partition", "partitioner", "runtime", "serialization", "passes"})
_TEST_FOLDERS = frozenset({"test", "tests"})


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


def scan_executorch_backends(backends: Path) -> dict[str, list[str]]:
    """ExecuTorch's backends under an ``executorch/backends`` folder.

    ``folders`` (paths relative to ``backends``): every top-level folder
    (each is a backend or a family of them, e.g. ``apple``), and every deeper
    folder that holds a backend: it defines a ``BackendDetails`` subclass
    (itself or in a part folder such as ``compiler/``) or has a partitioner
    (a ``partition/`` folder or a ``*partitioner.py`` file). ``backend_ids``:
    the names of the ``BackendDetails`` subclasses, direct or not, which are
    the ids the runtime registers backends under. Test folders are skipped.
    """
    folders: set[str] = set()
    sources: dict[Path, bytes] = {}
    for top, subfolders, files in os.walk(backends):
        here = Path(top)
        relative = here.relative_to(backends)
        subfolders[:] = sorted(name for name in subfolders
                               if name not in _TEST_FOLDERS and not name.startswith(("_", ".")))
        if len(relative.parts) == 1:
            folders.add(relative.as_posix())
        elif relative.parts and here.name not in _PART_FOLDERS and (
                "partition" in subfolders or any(f.endswith("partitioner.py") for f in files)):
            folders.add(relative.as_posix())
        sources.update((here / f, (here / f).read_bytes()) for f in files if f.endswith(".py"))

    # Parse the files that name BackendDetails, then those that name a
    # subclass found so far, until no new subclass appears.
    classes: dict[str, tuple[set[str], Path]] = {}
    found = {"BackendDetails"}
    unparsed = dict(sources)
    while True:
        named = re.compile("|".join(re.escape(name) for name in sorted(found)).encode())
        pending = [path for path, text in unparsed.items() if named.search(text)]
        if not pending:
            break
        for path in pending:
            try:
                tree = ast.parse(unparsed.pop(path))
            except (SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    classes.setdefault(node.name, (set(), path))[0].update(_base_names(node))
        while more := {name for name, (bases, _) in classes.items() if name not in found and bases & found}:
            found |= more
    found.discard("BackendDetails")

    for name in found:
        folder = classes[name][1].parent
        while folder.name in _PART_FOLDERS and folder != backends:
            folder = folder.parent
        if folder != backends:
            folders.add(folder.relative_to(backends).as_posix())
    return {"folders": sorted(folders), "backend_ids": sorted(found)}


def installed_executorch_backends_folder() -> Path | None:
    """``executorch/backends`` of the installed wheel, found without importing it."""
    try:
        spec = importlib.util.find_spec("executorch")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "backends").is_dir():
            return Path(location) / "backends"
    return None


@functools.lru_cache(maxsize=None)
def installed_executorch_backends() -> dict[str, list[str]]:
    """The installed wheel's backends (empty lists without ExecuTorch)."""
    folder = installed_executorch_backends_folder()
    return scan_executorch_backends(folder) if folder else {"folders": [], "backend_ids": []}


@functools.lru_cache(maxsize=None)
def shipped_backend_names() -> dict[str, str]:
    """Lowercased name -> how a message shows it, for the snapshot and the wheel."""
    snapshot = json.loads(EXECUTORCH_BACKENDS_SNAPSHOT.read_text(encoding="utf-8"))
    names = {}
    for backends in (snapshot, installed_executorch_backends()):
        for folder in backends["folders"]:
            names.setdefault(folder.rsplit("/", 1)[-1].lower(), f"executorch/backends/{folder}")
        for backend_id in backends["backend_ids"]:
            names.setdefault(backend_id.lower(), backend_id)
    return names


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
    """Rules of every lowercase name (slug, package): Python, C++ and file names.

    The characters allowed (a-z, 0-9, _) are valid in a file or folder name
    on Linux, macOS and Windows, and lowercase names cannot clash on a
    case-insensitive disk; Windows still reserves a few device names.
    """
    if not value:
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if value[0].isdigit():
        return "must not start with a digit"
    if not _LOWER_IDENTIFIER.match(value):
        return "must be a lowercase Python identifier (a-z, 0-9 and _ only)"
    if value in PYTHON_KEYWORDS or value in PYTHON_SOFT_KEYWORDS:
        return "must not be a Python keyword or soft keyword (Python 3.10 to 3.14)"
    if value in WINDOWS_DEVICE_NAMES:
        return "must not be a device name that Windows reserves (CON, PRN, AUX, NUL, COM0-9, LPT0-9)"
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


def _shipped_backend_problem(name: str, backend_id: str | None = None) -> str:
    """Whether ``name`` or ``backend_id`` names a backend ExecuTorch ships.

    The runtime registers backends by id and refuses a second backend with
    the same id; folder names and ids are compared case-insensitively.
    """
    shipped = shipped_backend_names()
    if name.lower() in shipped:
        return f"must not name one of ExecuTorch's own backends ({shipped[name.lower()]})"
    if backend_id and backend_id.lower() in shipped:
        taken = shipped[backend_id.lower()]
        clash = "is taken" if taken == backend_id else f"matches {taken}"
        return f"must not name one of ExecuTorch's own backends (its backend id {backend_id} {clash})"
    return ""


def _check_backend_slug(value: str) -> str:
    problem = _identifier_problem(value, MAX_SLUG_LENGTH)
    if problem:
        return problem
    if value in CPP_KEYWORDS:
        return "must not be a C++ keyword"
    if value in CPP_PREDEFINED_MACROS:
        return "must not be a macro that C++ compilers predefine (linux, unix)"
    if value.startswith("_") or "__" in value:
        return "must not start with _ or contain __ (names reserved in C++)"
    problem = _shipped_backend_problem(value, camel_from_slug(value) + "Backend")
    if problem:
        return problem
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
    if value in PYTHON_KEYWORDS:
        return "must not be a Python keyword"
    return _shipped_backend_problem(value, value + "Backend")


# Top-level folders of the generated backend, which the package must not merge into.
_BACKEND_FOLDERS = frozenset(
    path.name for path in (TEMPLATE_ROOT / "{{cookiecutter.backend_slug}}").iterdir()
    if path.is_dir() and _LOWER_IDENTIFIER.match(path.name)
)


def _check_package_name(value: str) -> str:
    problem = _identifier_problem(value, MAX_IDENTIFIER_LENGTH)
    if problem:
        return problem
    if value in SHADOWED_PACKAGES:
        return "must not shadow a common Python package"
    if value in _BACKEND_FOLDERS:
        return f"must not be a folder the backend already has ({', '.join(sorted(_BACKEND_FOLDERS))})"
    return _shipped_backend_problem(value)


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
