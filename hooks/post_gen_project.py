"""Remove the folders that conditional file names left empty.

cookiecutter cannot skip a folder whose name renders empty (it stops because
the parent folder already exists), so an optional folder such as quantizer/
keeps a fixed name and its files carry the condition in their names. When the
condition is false, cookiecutter still creates the folder; git cannot hold an
empty folder in the template, so every empty folder here is such a leftover.
copier leaves the same folders out through ``_exclude`` in copier.yml.
"""

import os

for folder, _, _ in os.walk(".", topdown=False):
    if folder != "." and not os.listdir(folder):
        os.rmdir(folder)
