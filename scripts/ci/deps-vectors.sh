#!/bin/sh
# Installs what the tree-v1 vector cross-check needs: python3 (standard
# library only; vectors/por_tree_v1.py uses hashlib, hmac and json).
# Idempotent: does nothing when python3 is already there.
set -eu
if command -v python3 >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
else
    echo "deps-vectors: python3 is missing and apt-get is not available; install Python 3 (any 3.x)" >&2
    exit 1
fi
