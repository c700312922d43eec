"""copier.yml's questions, generated from cookiecutter.json.

cookiecutter.json is the one source of the questions: their names and order,
help texts (``__prompts__``), defaults (written for cookiecutter, as
``{{ cookiecutter.x }}``) and choices. copier.yml holds the generated text
between cog markers; after changing a question, run from the template root:

    cog -r copier.yml

(cog is ``cogapp``, pinned in requirements-test.txt). tests/test_questions.py
fails when copier.yml is out of date. Every free-form question is checked by
the template's shared rule (``answer_error``); copier checks choices and
booleans itself.
"""

from __future__ import annotations

import json
from pathlib import Path


def _scalar(value: object) -> str:
    # A JSON string or boolean is a valid YAML flow scalar, quoted the same
    # way whatever the text holds.
    return json.dumps(value, ensure_ascii=False)


def copier_questions(cookiecutter_json: str | Path = "cookiecutter.json") -> str:
    spec = json.loads(Path(cookiecutter_json).read_text(encoding="utf-8"))
    prompts = spec["__prompts__"]
    blocks = []
    for name, default in spec.items():
        if name.startswith("_"):
            continue
        prompt = prompts[name]
        lines = [f"{name}:"]
        if isinstance(default, bool):
            lines += ["  type: bool", f"  help: {_scalar(prompt)}", f"  default: {_scalar(default)}"]
        elif isinstance(default, list):  # a choice: the first entry is the default
            lines += ["  type: str", f"  help: {_scalar(prompt['__prompt__'])}", f"  default: {_scalar(default[0])}",
                      "  choices:"]
            lines += [f"    {_scalar(prompt[choice])}: {_scalar(choice)}" for choice in default]
        else:
            lines += [
                "  type: str",
                f"  help: {_scalar(prompt)}",
                f"  default: {_scalar(default.replace('cookiecutter.', ''))}",
                f"  validator: {_scalar(f'{{{{ {name} | answer_error({name!r}) }}}}')}",
            ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
