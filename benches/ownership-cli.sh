#!/usr/bin/env bash
# End-to-end timing of `por ownership verify-file` on N mixed signatures
# (default 100000; BIP-322 P2WPKH, BIP-322 P2TR, legacy P2PKH, EIP-191),
# as a regulator would run it: JSON parsing, rayon over rows, verdicts, JSON
# output. Prints wall and CPU time (GNU time if present, else bash's).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
file="${TMPDIR:-/tmp}/por-ownership-${n}.json"
cargo build --release -p por-cli
cargo bench -p por-benches --bench ownership -- "$n" --write "$file"
echo "por ownership verify-file on $n claims ($(nproc) cores):"
TIMEFORMAT='wall %R s, user %U s, sys %S s'
# No --expect-* here: valid signatures whose binding is not checked exit 3.
time ./target/release/por ownership verify-file "$file" --json > "${file%.json}.out.json" || test $? -eq 3
grep -o '"summary":{[^}]*}' "${file%.json}.out.json"
