#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what the tests
# need (Node packages for the TypeScript checks and end-to-end runs, headless
# Chromium, the pinned Python chanx, redis-server for the Redis channel
# layer), then runs every test. Installs are skipped when already done, so
# reruns only pay for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, installed when running as root and missing.
apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing $*: install it (needs root and apt-get)" >&2
    return 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# TypeScript compiler, esbuild, playwright-core and ws, pinned by the lockfile.
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the TypeScript checks need Node.js and npm" >&2
  exit 1
fi
(cd tests/ts && npm ci --no-audit --no-fund --loglevel=error)

# Headless Chromium for the browser end-to-end test.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  apt_install chromium
fi

# Python 3 with venv support, then the pinned Python chanx in tests/interop/.venv.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install python3 python3-venv
fi
scripts/python-venv.sh

# valgrind, for the benchmark's count of rustc's instructions (its smoke run is a test).
if ! command -v valgrind >/dev/null 2>&1; then
  apt_install valgrind
fi

# Every end-to-end prerequisite is installed above: missing ones fail, not skip.
export CHANX_E2E_REQUIRED=1

# The Redis channel-layer tests start their own redis-server (and skip without one).
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server ||
    echo "redis-server not found: the Redis channel-layer tests will be skipped" >&2
fi

# One clean build: incremental caches would only add gigabytes of disk.
export CARGO_INCREMENTAL=0

cargo test --workspace --locked

# The Rust generated from every spec and corpus document also passes clippy.
cargo clippy --locked -p chanx-compile-rust --all-targets -- -D warnings

# A client-only crate on its own, so cargo resolves chanx-runtime without its
# server (a whole-workspace build unifies features): the runtime's client
# configuration is warning-free, and the example's generated client talks to
# chat-server (built by the workspace tests above) and the Python chanx.
cargo clippy --locked -p chanx-runtime --no-default-features --features client -- -D warnings
cargo test --locked -p chanx-example-client-only

# The published crates as a user gets them: packaged, depended on by
# version from a project outside the workspace, the CLI installed.
scripts/package-check.sh

# The Redis channel layer (a feature of chanx-runtime, off by default).
cargo test -p chanx-runtime --locked --features redis --lib --test redis
