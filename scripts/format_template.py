"""Apply the generated backend's formatters to the template's own files.

    python scripts/format_template.py [--check]

Formatters cannot read Jinja, so this generates the default backend,
formats it with the tools of its .pre-commit-config.yaml (ruff format and
check --fix, clang-format, cmake-format, end-of-file-fixer, from the PATH or
the environment given by --tools), and carries each change back into the
template file it came from:

    base    the generated file, with each answer's value written back as the
            Jinja expression the template file uses for it
    ours    the template file
    theirs  the formatted file, with the values written back the same way

``git merge-file`` merges the three, so that Jinja blocks and filters
(``ours``) and the formatting (``theirs``) both land. A file whose merge
conflicts is left unchanged and listed, to be formatted by hand. Run the
template's tests afterwards (tests/test_tooling.py checks the hooks on a
generated backend). --check only lists the template files that would change.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKELETON = ROOT / "{{cookiecutter.backend_slug}}"
EXPRESSION = re.compile(r"\{\{\s*cookiecutter\.(\w+)\s*\}\}")
FORMATTED = re.compile(r"(\.py|\.cpp|\.h|\.cmake|CMakeLists\.txt)$")


def default_context() -> dict:
    sys.path.insert(0, str(ROOT))
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(context_file=str(ROOT / "cookiecutter.json"))
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    return context


def rendered_paths(context: dict) -> dict[Path, Path]:
    """Template file -> its path in the generated backend (files that render to no name are left out)."""
    from cookiecutter.environment import StrictEnvironment

    env = StrictEnvironment(context=context, keep_trailing_newline=True)
    paths = {}
    for template in SKELETON.rglob("*"):
        if template.is_file():
            relative = template.relative_to(SKELETON).as_posix()
            rendered = env.from_string(relative).render(**context)
            if not rendered.endswith("/") and FORMATTED.search(Path(rendered).name):
                paths[template] = Path(rendered)
    return paths


def values_back_to_expressions(text: str, template_text: str, answers: dict) -> str:
    """Write each answer's value back as the expression the template file spells it with."""
    spellings = {}
    for match in EXPRESSION.finditer(template_text):
        spellings.setdefault(match.group(1), match.group(0))
    pairs = sorted(
        ((answers[name], spelling) for name, spelling in spellings.items() if isinstance(answers.get(name), str)),
        key=lambda pair: -len(pair[0]),
    )
    placeholders = {}
    for index, (value, spelling) in enumerate(pairs):
        if value:
            key = f"\0{index}\0"
            text = text.replace(value, key)
            placeholders[key] = spelling
    for key, spelling in placeholders.items():
        text = text.replace(key, spelling)
    return text


def run_formatters(project: Path, tools: Path | None) -> None:
    env = dict(os.environ)
    if tools:
        env["PATH"] = f"{tools / 'bin'}{os.pathsep}{env['PATH']}"
    files = subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True)
    tracked = files.stdout.split()
    # The hooks' exclude (what scripts/generate.py writes) holds for these formatters too.
    config = (project / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    exclude = re.search(r"^exclude: (.+)$", config, re.M)
    if exclude:
        tracked = [f for f in tracked if not re.search(exclude.group(1), f)]
    cpp = [f for f in tracked if re.search(r"\.(cpp|h)$", f)]
    cmake = [f for f in tracked if re.search(r"(^|/)CMakeLists\.txt$|\.cmake$", f)]
    for command in (
        ["ruff", "check", "--fix", "--quiet", "."],
        ["ruff", "format", "--quiet", "."],
        ["clang-format", "-i", *cpp],
        ["cmake-format", "-i", *cmake],
        ["end-of-file-fixer", *tracked],
    ):
        subprocess.run(command, cwd=project, env=env, check=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list what would change")
    parser.add_argument("--tools", type=Path, help="a virtual environment with the formatters")
    args = parser.parse_args(argv)

    context = default_context()
    answers = context["cookiecutter"]
    with tempfile.TemporaryDirectory() as scratch:
        from cookiecutter.main import cookiecutter

        generated = Path(cookiecutter(str(ROOT), no_input=True, output_dir=scratch))
        original = Path(scratch) / "original"
        shutil.copytree(generated, original)
        subprocess.run(["git", "init", "-q"], cwd=generated, check=True)
        subprocess.run(["git", "add", "-A"], cwd=generated, check=True)
        run_formatters(generated, args.tools)

        changed, conflicts = [], []
        for template, relative in sorted(rendered_paths(context).items()):
            before, after = original / relative, generated / relative
            if not after.exists() or before.read_bytes() == after.read_bytes():
                continue
            ours = template.read_text(encoding="utf-8")
            base = values_back_to_expressions(before.read_text(encoding="utf-8"), ours, answers)
            theirs = values_back_to_expressions(after.read_text(encoding="utf-8"), ours, answers)
            sides = Path(scratch) / "sides"
            sides.mkdir(exist_ok=True)
            for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
                (sides / name).write_text(text, encoding="utf-8")
            merge = subprocess.run(
                ["git", "merge-file", "-p", sides / "ours", sides / "base", sides / "theirs"],
                capture_output=True, text=True,
            )
            name = template.relative_to(ROOT)
            if merge.returncode != 0:
                conflicts.append(name)
                continue
            if merge.stdout != ours:
                changed.append(name)
                if not args.check:
                    template.write_text(merge.stdout, encoding="utf-8")

    for name in changed:
        print(f"{'would format' if args.check else 'formatted'}: {name}")
    for name in conflicts:
        print(f"format by hand (the formatting touches Jinja): {name}")
    return 1 if (args.check and changed) or conflicts else 0


if __name__ == "__main__":
    raise SystemExit(main())
