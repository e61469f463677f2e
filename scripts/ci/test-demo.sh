#!/usr/bin/env bash
# The README's first command, as a newcomer runs it: scripts/demo (release
# build + por demo), here on 2,000 customers and without rebuilding the page
# (test-browser.sh builds and tests it). Checks that it exits 0, that the
# audit report names the planted problem and that the published folder is
# complete. cargo test's demo_cli checks the outputs in depth.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="$(mktemp -d)/demo"
trap 'rm -rf "$(dirname "$out")"' EXIT
scripts/demo --no-www --customers 2000 --out "$out" > "$out.log"
grep -q "caught exactly the planted problem" "$out.log" || { cat "$out.log"; echo "test-demo: the demo did not report the planted problem" >&2; exit 1; }
grep -q "unique-address" "$out/audit/report.html" || { echo "test-demo: report.html does not name the planted problem" >&2; exit 1; }
for f in root.json root.txt attestation.json reserve-inputs.toml README.txt; do
  [[ -s "$out/published/$f" ]] || { echo "test-demo: published/$f is missing" >&2; exit 1; }
done
compgen -G "$out/published/sample-proofs/*.json" > /dev/null || { echo "test-demo: no published sample proof" >&2; exit 1; }
echo "test-demo: scripts/demo ran end to end; the audit caught the planted problem"
