#!/usr/bin/env bash
# Every check and test of the project, in order, stopping at the first failure:
#
#   self-contained → install-deps → rustfmt → clippy → ts-rs bindings up to date
#   → Rust tests (real keychain) → svelte-check → Vitest → e2e type check → app build + .deb → package install-and-start test
#   → end-to-end tests on the real window
#
# Used by `make test` and `.ci/run`. Ends with one line "N passed, N failed" counting the tests of
# every runner (cargo test, Vitest, WebdriverIO). Set TEST_FROM=<step number> to skip earlier steps
# while iterating locally.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d "${TMPDIR:-/tmp}/synapse-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT
passed=0
failed=0
step_no=0
started=$SECONDS
timings=()

strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1"; }

# Add the test counts found in a step's output to the totals.
sum_matches() { # <log> <regex whose only number is the count>
  { strip_ansi "$1" | grep -oE "$2" || true; } | { grep -oE '[0-9]+' || true; } |
    awk '{s += $1} END {print s + 0}'
}
count_cargo() {
  local p f
  read -r p f < <(strip_ansi "$1" | awk '/^test result: / {
      for (i = 1; i <= NF; i++) { if ($i ~ /^passed;/) p += $(i-1); if ($i ~ /^failed;/) f += $(i-1) }
    } END { print p + 0, f + 0 }')
  passed=$((passed + p)); failed=$((failed + f))
}
count_vitest() {
  local line
  line=$(strip_ansi "$1" | grep -E '^ *Tests +[0-9]' | tail -1 || true)
  passed=$((passed + $(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)))
  failed=$((failed + $(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)))
}
count_mocha() {
  passed=$((passed + $(sum_matches "$1" '[0-9]+ passing')))
  failed=$((failed + $(sum_matches "$1" '[0-9]+ failing')))
}

summary() {
  echo
  echo "==> step timings"
  printf '    %s\n' "${timings[@]}"
  echo "    total $((SECONDS - started))s"
  echo "$passed passed, $failed failed"
}

# step <title> <counter|-> <command...>
step() {
  local title=$1 counter=$2 t0=$SECONDS rc=0 log
  shift 2
  step_no=$((step_no + 1))
  if (( step_no < ${TEST_FROM:-1} )); then
    echo "==> [$step_no] $title (skipped: TEST_FROM=${TEST_FROM})"
    return 0
  fi
  log="$logs/$step_no.log"
  echo
  echo "==> [$step_no] $title"
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if [[ $counter != - ]]; then "$counter" "$log"; fi
  timings+=("[$step_no] $title: $((SECONDS - t0))s")
  if (( rc != 0 )); then
    echo
    echo "FAILED at step [$step_no] $title (exit $rc). Fix it and run 'make test' again" \
      "(TEST_FROM=$step_no make test starts from this step)."
    (( failed == 0 )) && failed=1
    summary
    exit "$rc"
  fi
}

check_bindings() {
  cargo test --workspace --quiet export_bindings || return 1
  local untracked
  untracked=$(git ls-files --others --exclude-standard -- ui/src/lib/bindings)
  if ! git diff --exit-code --stat -- ui/src/lib/bindings || [[ -n $untracked ]]; then
    [[ -n $untracked ]] && printf 'new, not committed: %s\n' $untracked
    echo "The TypeScript bindings in ui/src/lib/bindings are out of date with the Rust types." \
      "Run 'make bindings' and commit ui/src/lib/bindings."
    return 1
  fi
}

step "the repository stands on its own (nothing refers outside it)" - scripts/check-self-contained.sh
step "install missing dependencies" - scripts/install-deps.sh
step "cargo fmt --all --check" - cargo fmt --all --check
step "cargo clippy (deny warnings)" - cargo clippy --workspace --all-targets --quiet -- -D warnings
step "ts-rs bindings are committed and current" - check_bindings
step "cargo test --workspace (real keychain)" count_cargo scripts/with-keyring.sh cargo test --workspace
step "svelte-check (ui)" - npm --prefix ui run --silent check
step "vitest (ui)" count_vitest npm --prefix ui test --silent
step "e2e type check" - npm --prefix tests/e2e run --silent typecheck
step "build the app and its .deb (tauri build --debug --bundles deb) and the simulator" - scripts/build-app.sh debug
step "the .deb: unpack, check desktop entry, icons, binary; start it in demo mode (Xvfb)" - tests/package/test-deb.sh
step "end-to-end tests (Xvfb + tauri-driver + WebdriverIO)" count_mocha env E2E_SKIP_BUILD=1 scripts/e2e.sh
summary
