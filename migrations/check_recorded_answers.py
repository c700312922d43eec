"""Stop a copier update whose recorded answers the new template refuses.

Runs as a copier "before" migration (copier.yml, ``_migrations``) on every
update, in the backend being updated, from the new template version:

    check_recorded_answers.py TEMPLATE_ROOT

Why: when an answer recorded in ``.copier-answers.yml`` fails a question's
validator, copier drops it and, under ``--defaults``, takes the default
instead. A backend whose slug a newer template refuses (0.3.0 refuses
``type``, ``coreml``, ``qnn``, ...; each ExecuTorch release can add backend
names) would be renamed by the update, file after file, without a word. This script prints the template's one-line
message for each refused answer and exits 1, which stops the update before
copier changes the backend; CHANGELOG.md says what to do then.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ANSWERS_FILE = ".copier-answers.yml"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, argv[0])
    import local_extensions

    answers = yaml.safe_load(Path(ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    errors = [message for name in local_extensions.CHECKS
              if name in answers and (message := local_extensions.answer_error(answers[name], name))]
    for message in errors:
        print(f"{message} (recorded in {ANSWERS_FILE})", file=sys.stderr)
    if errors:
        print("This template version refuses an answer your backend was generated with; "
              "see 'Needs a hand' in the template's CHANGELOG.md.", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
