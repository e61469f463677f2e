#!/bin/sh
# Installs what the vector cross-checks need: python3 (standard library
# only; vectors/por_tree_v1.py uses hashlib, hmac and json) and, for
# vectors/por_tree_v2.py, libsodium (ristretto255 through ctypes).
# Idempotent: does nothing when both are already there.
set -eu
have_sodium() {
    ldconfig -p 2>/dev/null | grep -q 'libsodium\.so'
}
if command -v python3 >/dev/null 2>&1 && have_sodium; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 libsodium23
else
    echo "deps-vectors: python3 or libsodium is missing and apt-get is not available; install Python 3 and libsodium" >&2
    exit 1
fi
