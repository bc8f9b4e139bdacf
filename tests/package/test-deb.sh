#!/usr/bin/env bash
# Install-and-start test of the Debian package: unpacks the .deb into a throwaway root with
# `dpkg -x` (no root rights, nothing touches the system), checks the package metadata, the desktop
# entry, the icons and the binary, then starts the installed binary under Xvfb in demo mode and
# waits until its first screen is ready. Fails with the app's log when it is not.
#
#   tests/package/test-deb.sh [file.deb]   # default: the debug bundle scripts/build-app.sh makes
#   PACKAGE_READY_TIMEOUT=90 tests/package/test-deb.sh
#
# "Ready" is what the app itself logs, in this order:
#   1. `ui-ready` — the web UI mounted and called the `app_ready` command: the bundled front end
#      loaded from inside the binary (a binary built without the `custom-protocol` feature would show
#      "Could not connect" instead and never log it) and IPC works;
#   2. `demo profile ready` inside the `demo_start` command's span — the UI's own start-up call
#      (App.svelte) got the demo profile back; the UI navigates to that profile's runs at once.
# Then the screen is grabbed from the X display and must show more than a blank window.
set -euo pipefail
cd "$(dirname "$0")/../.."

timeout_s=${PACKAGE_READY_TIMEOUT:-60}

# --- inside Xvfb: start the installed binary and wait for its first screen ----------------------
if [[ ${1:-} == --inside-xvfb ]]; then
  bin=$2 home=$3 out=$4
  export SYNAPSE_HOTFIX_HOME=$home SYNAPSE_HOTFIX_KEYCHAIN=memory NO_AT_BRIDGE=1
  # Its own session and process group, so the WebKit helper processes are stopped with it.
  setsid "$bin" --demo >"$out/app.out" 2>&1 &
  app=$!
  stop_app() {
    kill -TERM -- "-$app" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL -- "-$app" 2>/dev/null || true
  }
  trap stop_app EXIT
  log() { cat "$home"/logs/synapse-hotfix.log* 2>/dev/null || true; }
  ready=""
  t0=$SECONDS
  while (( SECONDS - t0 < timeout_s )); do
    if ! kill -0 "$app" 2>/dev/null; then
      wait "$app" && rc=0 || rc=$?
      echo "FAIL: the installed app exited (status $rc) before its first screen was ready." >&2
      break
    fi
    if log | grep -q ' ui-ready' && log | grep -E 'demo_start.*demo profile ready' >/dev/null; then
      ready=yes
      break
    fi
    sleep 0.2
  done
  if [[ -z $ready ]]; then
    kill -0 "$app" 2>/dev/null &&
      echo "FAIL: the installed app was not ready within ${timeout_s}s (no 'ui-ready' and demo" \
        "profile in its log)." >&2
    echo "--- app log ($home/logs)" >&2; log >&2
    echo "--- app stdout/stderr" >&2; cat "$out/app.out" >&2
    exit 1
  fi
  echo "ok: first screen ready after $((SECONDS - t0))s ($(log | grep -oE 'elapsed_ms=[0-9]+' | head -1))"
  import -window root "$out/screen.png"
  colours=$(convert "$out/screen.png" -format '%k' info:)
  if (( colours < 16 )); then
    echo "FAIL: the screen shows only $colours colours: the window did not paint." \
      "Screenshot: $out/screen.png" >&2
    exit 1
  fi
  echo "ok: the window painted ($colours colours on screen)"
  exit 0
fi

# --- outside: find and unpack the package, check what it installs -------------------------------
target=${CARGO_TARGET_DIR:-target}
product=$(sed -nE 's/^ *"productName": *"([^"]+)".*/\1/p' tauri.conf.json | head -1)
version=$(sed -nE 's/^ *"version": *"([^"]+)".*/\1/p' tauri.conf.json | head -1)
arch=$(dpkg --print-architecture)
deb=${1:-$target/debug/bundle/deb/${product}_${version}_${arch}.deb}
if [[ ! -f $deb ]]; then
  echo "error: $deb does not exist. Build it with 'scripts/build-app.sh debug' (or 'make" \
    "package-test', which builds it first)." >&2
  exit 1
fi
for tool in dpkg-deb xvfb-run import convert desktop-file-validate; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool is missing. Run scripts/install-deps.sh (or 'make deps')." >&2
    exit 1
  }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/synapse-deb.XXXXXX")
keep=""
cleanup() { if [[ -z $keep ]]; then rm -rf "$scratch"; else echo "kept: $scratch" >&2; fi; }
trap cleanup EXIT
fail() { keep=yes; echo "FAIL: $*" >&2; exit 1; }
root=$scratch/root
mkdir -p "$root" "$scratch/home" "$scratch/out"

echo "package: $deb ($(du -h "$deb" | cut -f1))"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] ||
  fail "the package version is '$(dpkg-deb -f "$deb" Version)', tauri.conf.json says '$version'."
depends=$(dpkg-deb -f "$deb" Depends)
grep -q 'libwebkit2gtk-4.1' <<<"$depends" || fail "the package does not depend on WebKitGTK 4.1: '$depends'."
echo "ok: $(dpkg-deb -f "$deb" Package) $version, depends on: $depends"
dpkg -x "$deb" "$root"

desktops=("$root"/usr/share/applications/*.desktop)
[[ -f ${desktops[0]} && ${#desktops[@]} -eq 1 ]] ||
  fail "expected one desktop entry in /usr/share/applications, found: ${desktops[*]}"
desktop=${desktops[0]}
entry() { sed -nE "s/^$1=(.*)/\1/p" "$desktop" | head -1; }
desktop-file-validate "$desktop" || fail "$(basename "$desktop") is not a valid desktop entry (see above)."
[[ $(entry Type) == Application ]] || fail "desktop entry Type is '$(entry Type)', not Application."
[[ $(entry Name) == "$product" ]] || fail "desktop entry Name is '$(entry Name)', not '$product'."
[[ ";$(entry Categories)" == *";Development;"* ]] ||
  fail "desktop entry Categories '$(entry Categories)' lacks Development (bundle.category DeveloperTool)."
exec_cmd=$(entry Exec)
exec_bin=${exec_cmd%% *}
[[ $exec_bin != */* ]] || fail "desktop entry Exec '$exec_cmd' should name the binary on PATH."
bin=$root/usr/bin/$exec_bin
[[ -x $bin ]] || fail "desktop entry Exec '$exec_cmd' names /usr/bin/$exec_bin, which is not in the package."
file -b "$bin" | grep -q 'ELF.*executable' || fail "/usr/bin/$exec_bin is not an executable: $(file -b "$bin")"
icon=$(entry Icon)
icons=()
for png in "$root"/usr/share/icons/hicolor/*/apps/"$icon".png; do
  [[ -f $png ]] || continue
  dir=$(basename "$(dirname "$(dirname "$png")")") # 128x128, or 256x256@2 for a HiDPI copy
  got=$(identify -format '%wx%h' "$png") || fail "icon $png is not a readable image."
  [[ $got == "${dir%@*}" ]] || fail "icon $png is $got pixels, its folder says ${dir%@*}."
  icons+=("$dir")
done
for size in 32x32 128x128; do
  [[ " ${icons[*]} " == *" $size "* ]] ||
    fail "no ${size} icon named $icon.png under /usr/share/icons/hicolor (found: ${icons[*]:-none})."
done
echo "ok: desktop entry $(basename "$desktop"): Name=$(entry Name) Exec=$exec_cmd Icon=$icon" \
  "Categories=$(entry Categories); icons ${icons[*]}; binary /usr/bin/$exec_bin" \
  "($(du -h "$bin" | cut -f1))"

xvfb-run -a -s "-screen 0 1280x900x24 -nolisten tcp" \
  "$0" --inside-xvfb "$bin" "$scratch/home" "$scratch/out" || {
  keep=yes
  echo "FAIL: the installed app did not reach its first screen; files kept in $scratch" >&2
  exit 1
}
echo "package test passed: $(basename "$deb")"
