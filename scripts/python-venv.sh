#!/usr/bin/env bash
# Creates tests/interop/.venv holding the pinned Python chanx
# (tests/interop/requirements.txt) that the interop tests run against.
# Does nothing when the venv already holds exactly those requirements, so
# calling it before every test run is cheap.
set -euo pipefail
cd "$(dirname "$0")/../tests/interop"

stamp=.venv/installed-requirements.txt
if [ -x .venv/bin/python ] && cmp -s requirements.txt "$stamp"; then
  exit 0
fi

rm -rf .venv
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
cp requirements.txt "$stamp"
