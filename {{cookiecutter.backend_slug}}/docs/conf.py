"""Sphinx configuration: MyST Markdown, as in ExecuTorch's own docs.

Build with ``python -m sphinx -W -b html docs docs/_build/html``; the tests
do the same with warnings as errors.
"""

project = {{ cookiecutter.backend_name | py_str }} + " backend for ExecuTorch"
author = {{ cookiecutter.author | py_str }}

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist", "html_image"]
myst_heading_anchors = 4
exclude_patterns = ["_build"]
# Names and descriptions are shown as written: no curly quotes or dashes.
smartquotes = False
html_theme = "alabaster"
