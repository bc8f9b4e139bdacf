#!/usr/bin/env bash
# Builds the app binary with the Tauri CLI (which bundles ui/dist and turns on the
# `custom-protocol` feature; a plain `cargo build` makes a dev binary that looks for the Vite dev
# server) plus the simulator binary used by the e2e tests.
#
#   scripts/build-app.sh          # debug:   target/debug/synapse-hotfix   (tests), and its .deb in
#                                 #          target/debug/bundle/deb/ (tests/package/test-deb.sh)
#   scripts/build-app.sh release  # release: target/release/synapse-hotfix (benchmark, demo)
#
# The release packages are `make package` (scripts/package.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-debug}
tauri=ui/node_modules/.bin/tauri
if [[ ! -x $tauri ]]; then
  echo "error: $tauri is missing. Run scripts/install-deps.sh (or 'make deps') first." >&2
  exit 1
fi
case $profile in
  # One build serves the e2e tests (the binary) and the package test (the .deb around it).
  debug) "$tauri" build --debug --bundles deb ;;
  release) "$tauri" build --no-bundle ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac
if [[ $profile == debug ]]; then
  cargo build -p ado-sim --bin ado-sim
fi
