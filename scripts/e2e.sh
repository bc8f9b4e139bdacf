#!/usr/bin/env bash
# End-to-end tests on the real window: Xvfb + a throwaway keychain + tauri-driver + WebdriverIO.
#
#   scripts/e2e.sh                      # build the debug app if needed, run every spec
#   scripts/e2e.sh --spec specs/profiles.e2e.ts   # extra arguments go to `wdio run`
#   E2E_SKIP_BUILD=1 scripts/e2e.sh     # use target/debug/synapse-hotfix as it is
#
# Failed tests leave a screenshot and the app's log in tests/e2e/.artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${E2E_SKIP_BUILD:-} ]]; then
  scripts/build-app.sh debug
fi
# No accessibility bus under Xvfb: without this GTK starts at-spi helpers that outlive the run.
export NO_AT_BRIDGE=1
rm -rf tests/e2e/.artifacts
mkdir -p tests/e2e/.artifacts
cd tests/e2e

run=(../../scripts/with-keyring.sh node_modules/.bin/wdio run wdio.conf.ts "$@")
if [[ -n ${DISPLAY:-} && -z ${E2E_FORCE_XVFB:-} && -z ${CI:-} ]]; then
  # A developer's own display: watch the window (set E2E_FORCE_XVFB=1 to hide it).
  exec "${run[@]}"
fi
# 1280x900 leaves room for the 1200x800 window; Xvfb has no window manager, so it sits at 0,0.
exec xvfb-run -a -s "-screen 0 1280x900x24 -nolisten tcp" "${run[@]}"
