#!/usr/bin/env bash
# Compiles the hand-edited package lists into the locks that everything installs from:
#   requirements.in     -> requirements.txt      (the app; what Streamlit Community Cloud deploys)
#   requirements-dev.in -> requirements-dev.txt  (the app plus test tools; what CI installs)
# Every package, direct or pulled in by another, gets an exact version and the hashes of its files.
#
#   bash scripts/lock.sh              keep every locked version that still fits, add what is new
#   bash scripts/lock.sh --upgrade    take the newest release of everything the .in files leave free
#
# The result depends only on the .in files, the existing locks and the package index, not on this
# machine: one resolution for every platform (--universal) for the Python that CI tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Python version CI runs (scripts/test.sh) and a deployment must pick; see the README.
PYTHON_VERSION=3.11

# uv does the resolving, at the version the dev list pins.
uv_pin=$(grep -E '^uv==' requirements-dev.in)
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "${uv_pin#uv==}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "$uv_pin"
fi

compile() {
  # --no-config: a personal uv.toml must not change the lock.
  .venv/bin/uv pip compile --quiet --no-config --universal --python-version "$PYTHON_VERSION" \
    --generate-hashes --custom-compile-command "bash scripts/lock.sh" "$@"
}
# The runtime lock first: the dev list is constrained by it, so tests run the deployed versions.
compile requirements.in -o requirements.txt "$@"
compile requirements-dev.in -o requirements-dev.txt "$@"
echo "locked: requirements.txt ($(grep -cE '^[A-Za-z0-9]' requirements.txt) packages)," \
  "requirements-dev.txt ($(grep -cE '^[A-Za-z0-9]' requirements-dev.txt) packages)"
