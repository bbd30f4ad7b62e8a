# Casekeep developer tasks. Two commands cover a fresh Debian/Ubuntu machine with Rust:
#   make run    start Casekeep on embedded SQLite at http://127.0.0.1:8080
#   make test   every test, on SQLite and PostgreSQL, plus the browser test
# `make test` installs what it needs (PostgreSQL server, Chromium, the browser test's npm
# package), so CI and a new developer machine need nothing else.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Installing system packages needs root; use sudo only when we are not root already.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q

BROWSER_DIR := tests/browser
# The browser test drives the debug binary: the same build `cargo test` makes, so it is built once.
CASEKEEP_BIN ?= target/debug/casekeep
BROWSER_TEST := CASEKEEP_BIN=$(CASEKEEP_BIN) node --test --test-timeout=180000 $(BROWSER_DIR)/*.spec.mjs

.PHONY: help run build test lint browser-test test-deps postgres-server chromium browser-deps

help:
	@echo "make run           start Casekeep (SQLite in ./casekeep-data, http://127.0.0.1:8080)"
	@echo "make test          all tests: Rust (SQLite and PostgreSQL) and the browser test"
	@echo "make lint          rustfmt and clippy, warnings are errors"
	@echo "make browser-test  only the browser test"
	@echo "make bench         load benchmark, SQLite and PostgreSQL (15-20 min with the build)"

# Debug profile on purpose: it shares the build with the tests. The first start prints the
# first administrator's user name and one-time password.
run:
	cargo run -- serve

build:
	cargo build

# Everything, on both databases. A throwaway PostgreSQL cluster lives only as long as the
# command inside it; the Rust tests create their own databases in it from TEST_POSTGRES_URL.
# Both suites run even if the first fails (more to read in one CI run), and the target fails
# if either did. On success the last lines are the test runner's own summary.
test: test-deps build
	scripts/with-postgres.sh bash -c '\
	    failed=""; \
	    cargo test --all-targets --no-fail-fast || failed="$$failed cargo-test"; \
	    $(BROWSER_TEST) || failed="$$failed browser-test"; \
	    if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi'

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

browser-test: chromium browser-deps build
	$(BROWSER_TEST)

test-deps: postgres-server chromium browser-deps

# Load benchmark: release build, then 100,000 generated cases and six wrk scenarios on SQLite and
# on a throwaway PostgreSQL cluster. Writes bench/results/<UTC timestamp>.json and
# bench/results/latest.md; bench/README.md explains the numbers.
.PHONY: bench
bench: postgres-server
	cargo build --release
	bench/run.sh

# Server binaries (initdb, pg_ctl): on PATH or in Debian's versioned directory. The client
# alone (psql) is not enough.
postgres-server:
	@if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then :; \
	elif ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	else \
	    echo "Installing the PostgreSQL server for the tests"; \
	    $(SUDO) apt-get update -q && $(APT_INSTALL) postgresql; \
	fi

# Debian's Chromium: test tools cannot download their own browser here.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; else \
	    echo "Installing Chromium for the browser test"; \
	    $(SUDO) apt-get update -q && $(APT_INSTALL) chromium; \
	fi

browser-deps: $(BROWSER_DIR)/node_modules/.package-lock.json

# playwright-core pinned by the committed lock file; reinstalled when the lock file changes.
$(BROWSER_DIR)/node_modules/.package-lock.json: $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund
