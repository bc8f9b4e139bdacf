# Entry points. Every target installs what it needs first (scripts/install-deps.sh is quick when
# everything is already there).
.DEFAULT_GOAL := help
SHELL := /usr/bin/env bash

.PHONY: help deps demo test app app-release package package-test self-contained e2e bench bindings \
	fmt lint screenshots

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

deps: ## Install missing system packages, tauri-driver and npm packages
	scripts/install-deps.sh

demo: ## Install what is missing, build, and open the app in demo mode (simulated Azure DevOps)
	scripts/demo.sh

test: ## Every check and test: fmt, clippy, bindings, Rust, svelte-check, Vitest, e2e
	scripts/test.sh

app: deps ## Build the debug app (target/debug/synapse-hotfix) and the simulator
	scripts/build-app.sh debug

app-release: deps ## Build the release app (target/release/synapse-hotfix)
	scripts/build-app.sh release

package: deps ## Build the release app and its .deb and .rpm (target/release/bundle/)
	scripts/package.sh

package-test: deps ## Bundle the debug app as a .deb, unpack it, check it and start it in demo mode
	scripts/build-app.sh debug
	tests/package/test-deb.sh

self-contained: ## Fail if a tracked file refers to a folder outside the repository
	scripts/check-self-contained.sh

e2e: deps ## End-to-end tests on the real window under Xvfb (E2E_ARGS="--spec specs/x.e2e.ts")
	scripts/e2e.sh $(E2E_ARGS)

bench: deps ## Start-up time and idle memory of the release app (writes bench/results/*.json)
	bench/startup.sh

bindings: ## Regenerate the TypeScript types in ui/src/lib/bindings from the Rust types
	cargo test --workspace --quiet export_bindings

fmt: ## Format the Rust code
	cargo fmt --all

lint: ## rustfmt check, clippy, svelte-check
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	npm --prefix ui run check

screenshots: deps ## Retake docs/screenshots (profile screen, light and dark) from the real window
	E2E_UPDATE_SCREENSHOTS=1 scripts/e2e.sh --spec specs/screenshots.e2e.ts
