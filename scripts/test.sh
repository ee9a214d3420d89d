#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what the tests
# need (Node packages for the TypeScript checks, redis-server for the Redis
# channel layer), then runs every test.
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

# The Redis channel-layer tests start their own redis-server.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server for the Redis channel-layer tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis-server not found: the Redis channel-layer tests will be skipped" >&2
  fi
fi

cargo test --workspace --locked

# The Rust generated from every spec and corpus document also passes clippy.
cargo clippy --locked -p chanx-compile-rust --all-targets -- -D warnings

# The Redis channel layer (a feature of chanx-runtime, off by default).
cargo test -p chanx-runtime --locked --features redis --lib --test redis
