#!/usr/bin/env bash
# Installs what is missing, builds the app and opens it in demo mode: the app starts the Azure
# DevOps simulator inside itself with a seeded organization, so the whole hotfix can be walked
# without an Azure account.
#
#   scripts/demo.sh            # or: make demo
#   DEMO_HOME=/tmp/x scripts/demo.sh   # keep the demo's files in /tmp/x instead of a fresh temp folder
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build-app.sh debug

# A demo never touches the user's real profiles: its config, data, logs and cache go to DEMO_HOME.
home=${DEMO_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/synapse-hotfix-demo.XXXXXX")}
mkdir -p "$home"
echo "==> Synapse Hotfix demo (files in $home)"
export SYNAPSE_HOTFIX_HOME=$home SYNAPSE_HOTFIX_DEMO=1

run=(target/debug/synapse-hotfix --demo)
if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
  echo "No display found: starting the app under Xvfb (invisible). Run 'make demo' from a desktop" \
    "session to see the window."
  run=(xvfb-run -a -s "-screen 0 1280x900x24" "${run[@]}")
fi
# The keychain: use the desktop's Secret Service when there is one, else a throwaway one.
if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
  run=(scripts/with-keyring.sh "${run[@]}")
fi
exec "${run[@]}"
