#!/usr/bin/env bash
# Plays a user of the published crates. Packages chanx-templates,
# chanx-codegen, chanx-runtime and chanx-cli, then builds tests/package-user,
# a project outside the workspace that depends on them by version with
# [patch.crates-io] pointing at the unpacked packages: its build.rs generates
# from ping.yaml, its program runs a ping/pong against its own server, and
# it builds with warnings denied. Last, installs the CLI from its package and
# validates a document with it. Those two builds compile every package from
# its packaged sources alone, which is what `cargo package`'s own
# verification does (skipped: it would build each again, dependencies
# included). The user project shares the target directory and the
# workspace's profile, so dependencies already built are reused.
# Offline: every dependency is already in the registry cache from the
# workspace build, at the workspace lockfile's versions.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
target="${CARGO_TARGET_DIR:-$repo/target}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
crates=(chanx-templates chanx-codegen chanx-runtime chanx-cli)

cargo package --locked --offline --allow-dirty --no-verify $(printf -- '-p %s ' "${crates[@]}")

# Outside the repository, so no workspace claims the unpacked packages.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
packages="$work/packages"
mkdir -p "$packages" "$work/user"
for crate in "${crates[@]}"; do
  tar -xzf "$target/package/$crate-$version.crate" -C "$packages"
done
cp -r tests/package-user/. "$work/user/"
cp Cargo.lock "$work/user/Cargo.lock"
{
  cat <<TOML
[package]
name = "chanx-package-user"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
chanx-runtime = { version = "$version", features = ["client"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "net"] }

[build-dependencies]
chanx-codegen = "$version"

# Not part of the chanx workspace.
[workspace]

# The workspace's profile, so what it built is reused.
[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
opt-level = 2
debug = false

[patch.crates-io]
TOML
  for crate in chanx-templates chanx-codegen chanx-runtime; do
    echo "$crate = { path = \"$packages/$crate-$version\" }"
  done
} > "$work/user/Cargo.toml"

(cd "$work/user" && CARGO_TARGET_DIR="$target" cargo run --offline --quiet)

# The CLI as `cargo install` builds it (dev profile, as the workspace's).
config=(
  --config 'profile.dev.debug="line-tables-only"'
  --config 'profile.dev.package."*".opt-level=2'
  --config 'profile.dev.package."*".debug=false'
)
for crate in chanx-templates chanx-codegen; do
  config+=(--config "patch.crates-io.$crate.path=\"$packages/$crate-$version\"")
done
CARGO_TARGET_DIR="$target" cargo install --offline --quiet --debug \
  --path "$packages/chanx-cli-$version" --root "$work/cli" "${config[@]}"
"$work/cli/bin/chanx" --version
"$work/cli/bin/chanx" validate tests/package-user/ping.yaml
