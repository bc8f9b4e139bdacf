#!/usr/bin/env bash
# Launches the app for WebKitWebDriver with a per-session environment.
#
# tauri-driver forwards only `tauri:options.args` to the app (no `env`), and every app it starts
# inherits tauri-driver's own environment. So the harness points `tauri:options.application` at this
# script and passes the environment as leading NAME=VALUE arguments:
#
#   launch-app.sh <app binary> [NAME=VALUE ...] [--] [app arguments ...]
#
# `exec` keeps the process id, so WebKitWebDriver still ends the app when the session ends.
# When E2E_APP_LOG is among the variables, the app's stdout and stderr are appended to that file.
set -euo pipefail
app=$1
shift
while [[ $# -gt 0 && $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
  export "${1?}"
  shift
done
if [[ ${1:-} == -- ]]; then shift; fi
if [[ -n ${E2E_APP_LOG:-} ]]; then
  exec "$app" "$@" >>"$E2E_APP_LOG" 2>&1
fi
exec "$app" "$@"
