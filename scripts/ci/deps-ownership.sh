#!/usr/bin/env bash
# Independent signers for the ownership tests (crates/por-cli/tests/ownership_cli.rs):
# - npm: bip322-js + bitcoinjs-message (BIP-322 and legacy Bitcoin signatures),
#   pinned by tests/node/package-lock.json, installed into tests/node/node_modules;
# - PyPI: eth-account (EIP-191 / OKX / HTX EVM signatures) in a venv at
#   target/ownership-venv.
# Idempotent: does nothing when both are already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

if [ ! -d "$root/tests/node/node_modules/bip322-js" ]; then
  command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
  (cd "$root/tests/node" && npm ci --no-audit --no-fund)
fi

venv="$root/target/ownership-venv"
if ! "$venv/bin/python" -c 'import eth_account' 2>/dev/null; then
  python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q "eth-account==0.14.0"
fi
echo "ownership signers ready: $root/tests/node/node_modules, $venv"
