//! Helpers shared by the end-to-end tests: locating the `por` binary and the
//! repository's files.

use std::path::PathBuf;

/// The repository root.
#[must_use]
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository root")
        .to_path_buf()
}

/// The `por` binary built by cargo for this test run.
///
/// # Panics
///
/// Panics if the binary cannot be found next to the test executable.
#[must_use]
pub fn por_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("POR_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<test-exe> -> target/<profile>/por
    let exe = std::env::current_exe().expect("the test knows its own path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("test executables live in target/<profile>/deps");
    let bin = dir.join(format!("por{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: build it first with `cargo build -p por-cli`",
        bin.display()
    );
    bin
}

/// Runs `por` with `args` in the current directory.
///
/// # Panics
///
/// Panics if the binary cannot be started.
#[must_use]
pub fn por(args: &[&str]) -> std::process::Output {
    std::process::Command::new(por_bin())
        .args(args)
        .output()
        .expect("the por binary runs")
}

/// Runs `por` with `args` in `dir`.
///
/// # Panics
///
/// Panics if the binary cannot be started.
#[must_use]
pub fn por_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(por_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the por binary runs")
}

/// The exit code (panics if the process was killed by a signal).
///
/// # Panics
///
/// Panics when the process has no exit code.
#[must_use]
pub fn code(o: &std::process::Output) -> i32 {
    o.status.code().expect("the process exited with a code")
}

/// Standard output as text.
#[must_use]
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
#[must_use]
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A path as a `&str` argument.
///
/// # Panics
///
/// Panics on a path that is not UTF-8 (temporary directories here are).
#[must_use]
pub fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The snapshot secret the tree tests use (hex, with a newline).
pub const TREE_SECRET: &str = "4242424242424242424242424242424242424242424242424242424242424242\n";

/// A temporary directory holding `b.csv` (the given balances export) and
/// `s.key` ([`TREE_SECRET`]).
///
/// # Panics
///
/// Panics when the directory cannot be written.
#[must_use]
pub fn tree_fixture(csv: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("b.csv"), csv).expect("b.csv written");
    std::fs::write(dir.path().join("s.key"), TREE_SECRET).expect("s.key written");
    dir
}

/// The canonical ownership message of DESIGN.md (no trailing newline).
#[must_use]
pub fn canonical_message(exchange: &str, snapshot: &str, root: &str) -> String {
    format!("por reserves v1\nexchange: {exchange}\nsnapshot: {snapshot}\nliabilities: {root}")
}

/// What to run when the independent signers are missing.
pub const SIGNER_DEPS: &str = "run scripts/ci/deps-ownership.sh to install the independent signers";

/// One signature made by bip322-js.
#[derive(Debug, Clone)]
pub struct Bip322Signature {
    /// The address type (`p2pkh`, `p2sh-p2wpkh`, `p2wpkh`, `p2tr`).
    pub kind: String,
    /// The address.
    pub address: String,
    /// The signature (base64).
    pub signature: String,
}

/// Signatures over `message` from bip322-js (`tests/node/sign.cjs`): one
/// fresh key, its P2PKH (a BIP-137 signature), P2SH-P2WPKH, P2WPKH and P2TR
/// addresses (BIP-322 simple).
///
/// # Panics
///
/// Panics when node or bip322-js is missing ([`SIGNER_DEPS`]) or the
/// signer fails.
#[must_use]
pub fn bip322_js_signatures(message: &str) -> Vec<Bip322Signature> {
    assert!(
        repo_root()
            .join("tests/node/node_modules/bip322-js")
            .exists(),
        "bip322-js is not installed: {SIGNER_DEPS}"
    );
    let o = std::process::Command::new("node")
        .arg(repo_root().join("tests/node/sign.cjs"))
        .args(["1", message])
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}; {SIGNER_DEPS}"));
    assert!(o.status.success(), "signer failed: {}", stderr(&o));
    let field = |v: &serde_json::Value, k: &str| -> String {
        v[k].as_str().expect("the signer writes strings").to_owned()
    };
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("one JSON object a line"))
        .filter(|v| v["signer"] == "bip322-js")
        .map(|v| Bip322Signature {
            kind: field(&v, "type"),
            address: field(&v, "address"),
            signature: field(&v, "signature"),
        })
        .collect()
}
