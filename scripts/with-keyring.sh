#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring (a real Secret
# Service), so keychain tests and the e2e run use a throwaway keychain, never the user's own:
#
#   scripts/with-keyring.sh cargo test --workspace
#
# The keyring files live in a temporary folder that is removed afterwards.
set -euo pipefail

if [[ -z ${SYNAPSE_HOTFIX_KEYRING_SESSION:-} ]]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/synapse-keyring.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  mkdir -m 700 "$scratch/run"
  # dbus-daemon's own chatter ("Failed to set fd limit", "Activating service") is filtered out.
  status=0
  SYNAPSE_HOTFIX_KEYRING_SESSION=1 XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" \
    dbus-run-session -- "$0" "$@" \
    2> >(grep -Ev --line-buffered '^dbus-daemon\[[0-9]+\]: |^discover_other_daemon' >&2) || status=$?
  exit "$status"
fi

# Inside the session: start the daemon with an unlocked "login" keyring, then run the command.
printf 'synapse-hotfix-tests' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export SYNAPSE_HOTFIX_REAL_KEYRING=1
exec "$@"
