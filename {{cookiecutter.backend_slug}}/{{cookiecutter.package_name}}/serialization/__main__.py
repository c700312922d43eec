"""``python -m {{ cookiecutter.package_name }}.serialization BLOB``: check and print a delegate blob."""

import sys

from .blob_format import main

sys.exit(main())
