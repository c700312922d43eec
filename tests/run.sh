#!/usr/bin/env bash
# Runs the template's test suite in a pinned virtual environment.
#
# The environment is made once and reused while requirements-test.txt is
# unchanged (its hash is recorded in the venv). Extra arguments go to pytest,
# e.g. `bash tests/run.sh -m "not e2e"` for the fast tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${TEMPLATE_TEST_VENV:-.venv}
python=${PYTHON:-python3}
stamp="$venv/.requirements-$(sha256sum requirements-test.txt | cut -c1-16)"

if [ ! -f "$stamp" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    # torch first and pinned, through pip: an unpinned torch (or uv/poetry)
    # pulls a multi-GB CUDA build. Set TORCH_INDEX_URL to use PyTorch's CPU index.
    "$venv/bin/python" -m pip install --quiet "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
    "$venv/bin/python" -m pip install --quiet -r requirements-test.txt
    touch "$stamp"
fi

# The update tests rebuild old template releases from their commits
# (CHANGELOG.md), which a shallow clone lacks.
if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    git fetch --quiet --unshallow || echo "warning: shallow clone; the update tests need the full history" >&2
fi

export PATH="$PWD/$venv/bin:$PATH"
exec "$venv/bin/python" -m pytest "$@"
