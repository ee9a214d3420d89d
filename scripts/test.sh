#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what the tests
# need (Node packages for the TypeScript checks), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# TypeScript compiler and friends, pinned by the checked-in lockfile.
if [ -f tests/ts/package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    (cd tests/ts && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "npm not found: the TypeScript checks need Node.js and npm" >&2
    exit 1
  fi
fi

cargo test --workspace --locked

# The Rust generated from every spec and corpus document also passes clippy.
cargo clippy --locked -p chanx-compile-rust --all-targets -- -D warnings
