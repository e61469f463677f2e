#!/usr/bin/env bash
# The ownership vectors in the browser-equivalent build (no Bitcoin Core
# interpreter): multisig / time-lock vectors must say "needs the native
# verifier", single-key ones must verify in pure Rust. A workspace-wide
# `cargo test` unifies features and so runs them with `consensus` on; this
# runs the other half. Also checks the wasm build of por-core.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test -p por-core --test ownership_vectors --test ownership_parsers
cargo test -p por-core --features consensus --test ownership_vectors
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo build -p por-core --target wasm32-unknown-unknown
