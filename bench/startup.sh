#!/usr/bin/env bash
# Benchmark: start-up time and idle memory of the release app under Xvfb (see bench/startup.py).
#   bench/startup.sh                  # builds the release app first
#   BENCH_SKIP_BUILD=1 bench/startup.sh --runs 5 --idle 10
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
  scripts/build-app.sh release
fi
exec xvfb-run -a -s "-screen 0 1280x900x24 -nolisten tcp" \
  scripts/with-keyring.sh python3 bench/startup.py "$@"
