#!/usr/bin/env bash
# Installs the test-only tools of crates/por-chain: ganache (a real Ethereum node) and
# solc-js (compiles the test ERC-20 token), pinned by tests/node-chain/package-lock.json.
# Idempotent: does nothing when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../../tests/node-chain"
if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "deps-chain: npm is missing and apt-get is unavailable; install Node.js >= 18" >&2
        exit 1
    fi
fi
if [ -x node_modules/.bin/ganache ] && [ -f node_modules/solc/package.json ] \
    && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    echo "deps-chain: ganache and solc already installed"
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
node_modules/.bin/ganache --version
