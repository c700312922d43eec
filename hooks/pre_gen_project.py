"""Reject invalid answers before cookiecutter renders a file.

cookiecutter.json already refuses invalid answers while it computes the
context (``__validation``); this hook covers the runs that skip that step,
such as ``cookiecutter --replay`` with an edited replay file. The rules and
messages come from local_extensions, as for copier's validators.
"""
import sys

ERRORS = {{ cookiecutter | answer_errors | tojson }}

if ERRORS:
    for message in ERRORS:
        print(message, file=sys.stderr)
    sys.exit(1)
