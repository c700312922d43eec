"""Reject invalid answers before cookiecutter writes a single file.

The rules and messages come from local_extensions.answer_errors, the same
function copier's validators call, so both engines say the same thing.
"""
import sys

ERRORS = {{ cookiecutter | answer_errors | tojson }}

if ERRORS:
    for message in ERRORS:
        print(message, file=sys.stderr)
    sys.exit(1)
