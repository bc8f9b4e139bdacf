#!/usr/bin/env bash
# Installs whatever this project needs on a fresh Debian/Ubuntu machine and skips what is already there,
# so running it again is fast. Used by `make demo`, `make test` and `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# System packages: build (webkit2gtk, gtk), headless run + end-to-end (xvfb, webkit driver),
# a real Secret Service for keychain tests (gnome-keyring over dbus), git for the simulator,
# desktop-file-utils and file for the package test (tests/package/test-deb.sh).
PKGS=(build-essential pkg-config curl git libwebkit2gtk-4.1-dev libssl-dev
      xvfb xauth x11-utils imagemagick fonts-dejavu-core webkit2gtk-driver
      gnome-keyring dbus dbus-x11 libsecret-tools procps python3 python3-venv
      desktop-file-utils file)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust: rustup's toolchain (Debian's cargo is older than the rust-version this workspace needs).
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found. Install Rust 1.90 or newer with rustup (https://rustup.rs)," \
    "open a new shell, and run this again." >&2
  exit 1
fi

# Node.js >= 20.19 (Vite 8 and the Svelte plugin need it). Debian's own nodejs may be older.
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  if ! command -v node >/dev/null 2>&1; then
    echo "==> installing nodejs and npm"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  if ! node_ok; then
    echo "error: Node.js $(node -v 2>/dev/null || echo '(none)') is too old; 20.19 or newer is" \
      "needed (for example from NodeSource or nvm). Install it and run this again." >&2
    exit 1
  fi
fi

# Rust toolchain components used by the checks.
if command -v rustup >/dev/null; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
fi

# tauri-driver (WebDriver bridge for the real window). Pin major 2: crates.io's newest is a 3.0 alpha.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

# Front-end and end-to-end npm packages (lockfiles committed).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund)
fi
if [ -f tests/e2e/package.json ]; then
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    echo "==> npm ci (tests/e2e)"
    (cd tests/e2e && npm ci --no-audit --no-fund)
  fi
fi

# Python client used by the simulator-fidelity test (Microsoft's own azure-devops package).
if [ -f tests/python/requirements.txt ]; then
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if ! .venv/bin/python -c 'import azure.devops' 2>/dev/null; then
    echo "==> pip install azure-devops (simulator fidelity test)"
    .venv/bin/pip install -q -r tests/python/requirements.txt
  fi
fi
