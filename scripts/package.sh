#!/usr/bin/env bash
# Builds the release app and the Linux packages the Tauri bundler can make on this machine:
#   target/release/bundle/deb/<productName>_<version>_<arch>.deb
#   target/release/bundle/rpm/<productName>-<version>-1.<arch>.rpm
# (AppImage is left out: its tooling is downloaded at build time.) The Windows .msi and the macOS
# .dmg come from the same bundler, run on those systems: see README "Install".
#
#   scripts/package.sh              # deb + rpm
#   scripts/package.sh deb          # one format
set -euo pipefail
cd "$(dirname "$0")/.."

formats=${1:-deb,rpm}
tauri=ui/node_modules/.bin/tauri
if [[ ! -x $tauri ]]; then
  echo "error: $tauri is missing. Run scripts/install-deps.sh (or 'make deps') first." >&2
  exit 1
fi
target=${CARGO_TARGET_DIR:-target}
t0=$SECONDS
# The CLI builds ui/dist, turns on the `custom-protocol` feature (a plain `cargo build --release`
# would make a binary that loads the Vite dev server) and bundles.
"$tauri" build --bundles "$formats"
echo
echo "==> packages ($((SECONDS - t0))s)"
version=$(sed -nE 's/^ *"version": *"([^"]+)".*/\1/p' tauri.conf.json | head -1)
found=0
for f in "$target"/release/bundle/{deb,rpm}/*"$version"*.{deb,rpm}; do
  [[ -f $f ]] || continue
  printf '    %-70s %s\n' "$f" "$(du -h "$f" | cut -f1)"
  found=$((found + 1))
done
printf '    %-70s %s\n' "$target/release/synapse-hotfix (binary)" "$(du -h "$target/release/synapse-hotfix" | cut -f1)"
if (( found == 0 )); then
  echo "error: no package for version $version under $target/release/bundle." >&2
  exit 1
fi
