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

# `por serve` from a directory with no www/ in it, without --www: the page
# embedded in the binary at build time (crates/por-cli/build.rs) must be
# served byte for byte as scripts/build-www wrote it.
python3 - "$root/target/debug/por" "$root/www/dist" <<'PY'
import os, subprocess, sys, tempfile, urllib.request
por, dist = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    published = os.path.join(tmp, "published")
    os.mkdir(published)
    srv = subprocess.Popen([por, "serve", "--dir", published, "--port", "0"], cwd=tmp,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = srv.stdout.readline()
        if "http://127.0.0.1:" not in line:
            sys.exit(f"por serve (embedded page) did not start: {line!r} {srv.stderr.read()!r}")
        url = line.split()[-1]
        for name in sorted(os.listdir(dist)):
            got = urllib.request.urlopen(url + ("" if name == "index.html" else name)).read()
            want = open(os.path.join(dist, name), "rb").read()
            if got != want:
                sys.exit(f"por serve: the embedded {name} differs from www/dist/{name}")
        print(f"por serve from {tmp}: the embedded page ({len(os.listdir(dist))} files) equals www/dist")
    finally:
        srv.kill()
PY
mkdir -p artifacts/browser
cd tests/browser
node --test --test-concurrency=1 --test-timeout=120000
