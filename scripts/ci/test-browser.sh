#!/usr/bin/env bash
# Builds the browser verifier (scripts/build-www) and runs its tests in
# Debian's Chromium (tests/browser, node --test). Screenshots of each verdict
# go to artifacts/browser/. Installs missing tools via deps-browser.sh first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash scripts/ci/deps-browser.sh
scripts/build-www
# The real `por` binary: it makes the fixtures and runs `por serve`.
cargo build -p por-cli
mkdir -p artifacts/browser
cd tests/browser
node --test --test-concurrency=1 --test-timeout=120000
