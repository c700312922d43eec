"""Remove the folders that conditional file names left empty, then print the next steps.

cookiecutter cannot skip a folder whose name renders empty (it stops because
the parent folder already exists), so an optional folder such as quantizer/
keeps a fixed name and its files carry the condition in their names. When the
condition is false, cookiecutter still creates the folder; git cannot hold an
empty folder in the template, so every empty folder here is such a leftover.
copier leaves the same folders out through ``_exclude`` in copier.yml.
"""

import os
import shlex

for folder, _, _ in os.walk(".", topdown=False):
    if folder != "." and not os.listdir(folder):
        os.rmdir(folder)

# The same commands as the README's quick start and copier.yml's _message_after_copy
# (tests/test_tooling.py checks all three).
BACKEND_NAME = {{ cookiecutter.backend_name | py_str }}
print(f"""
Created the {BACKEND_NAME} backend in {os.getcwd()}.
Next steps, in a virtual environment with Python 3.10 or newer:

    cd {shlex.quote(os.getcwd())}
    python -m pip install "torch==2.13.0"
    python -m pip install -e ".[test]"
    python -m pytest

Then read README.md and CONTRIBUTING.md.
""")
