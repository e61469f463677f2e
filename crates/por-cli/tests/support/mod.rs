//! Helpers shared by the end-to-end tests: locating the `por` binary and the
//! repository's files.
//!
//! The tests live in `por-cli`, the package of the `por` binary, so cargo
//! builds the binary before running them and hands its path over in
//! `CARGO_BIN_EXE_por`: `cargo test` can never run a stale `por`.
//! [`por_bin`] checks it anyway (see [`assert_fresh`]).

// Each test file compiles this module on its own and uses a part of it.
#![allow(dead_code, reason = "each test file uses a part of the helpers")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

/// The repository root.
#[must_use]
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/por-cli sits two levels below the repository root")
        .to_path_buf()
}

/// The `por` binary cargo built for this test run.
///
/// # Panics
///
/// Panics if the binary is older than one of its sources ([`assert_fresh`]).
#[must_use]
pub fn por_bin() -> PathBuf {
    static CHECKED: OnceLock<PathBuf> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let bin = PathBuf::from(env!("CARGO_BIN_EXE_por"));
            assert_fresh(&bin);
            bin
        })
        .clone()
}

/// Checks that `bin` was built after every Rust source of `por-cli` and of
/// the path packages it depends on (read from their manifests, so a new
/// crate is covered without editing this list). Cargo rebuilds the binary
/// when one of them is newer, so this fails only when something other than
/// `cargo test` chose the binary.
///
/// # Panics
///
/// Panics, naming the file, when a source is newer than the binary.
pub fn assert_fresh(bin: &Path) {
    let built = modified(bin).unwrap_or_else(|| panic!("{} was not built", bin.display()));
    let mut sources = Vec::new();
    for package in path_packages() {
        rust_files(&package.join("src"), &mut sources);
    }
    assert!(!sources.is_empty(), "no source of {} found", bin.display());
    for source in sources {
        let changed = modified(&source).expect("a file just listed has a time");
        assert!(
            changed <= built,
            "stale binary: {} changed after {} was built; run the tests with \
             `cargo test -p por-cli`, which rebuilds it",
            source.display(),
            bin.display()
        );
    }
}

/// `por-cli` and the directories of the path packages it depends on,
/// directly or not (`[dependencies]` entries with a `path`, or with
/// `workspace = true` naming a workspace dependency with a `path`).
fn path_packages() -> Vec<PathBuf> {
    let read = |p: &Path| -> toml::Table {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        text.parse()
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let root = repo_root();
    let workspace = read(&root.join("Cargo.toml"));
    let workspace_deps = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut seen = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
    let mut next = 0;
    while let Some(dir) = seen.get(next).cloned() {
        next += 1;
        let manifest = read(&dir.join("Cargo.toml"));
        let Some(deps) = manifest.get("dependencies").and_then(toml::Value::as_table) else {
            continue;
        };
        for (name, dep) in deps {
            let path = if let Some(p) = dep.get("path").and_then(toml::Value::as_str) {
                dir.join(p)
            } else if dep.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                match workspace_deps
                    .get(name)
                    .and_then(|d| d.get("path"))
                    .and_then(toml::Value::as_str)
                {
                    Some(p) => root.join(p),
                    None => continue,
                }
            } else {
                continue;
            };
            let path = path.canonicalize().unwrap_or(path);
            if !seen.contains(&path) {
                seen.push(path);
            }
        }
    }
    seen
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
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

/// Validates an audit report (`por-audit-report-v1`) against the schema
/// published in `docs/audit-report.schema.json`: every test that reads a
/// report calls this, so the documented schema and what `por audit` writes
/// cannot drift apart.
///
/// # Panics
///
/// Naming every place where the report does not match the schema.
pub fn assert_audit_report_schema(report: &serde_json::Value) {
    let errors = audit_report_schema_errors(report);
    assert!(
        errors.is_empty(),
        "the audit report does not match docs/audit-report.schema.json:\n  {}",
        errors.join("\n  ")
    );
}

/// Where `report` does not match `docs/audit-report.schema.json` (empty
/// when it does).
pub fn audit_report_schema_errors(report: &serde_json::Value) -> Vec<String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let path = repo_root().join("docs/audit-report.schema.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the schema is in docs/"))
                .expect("the schema is JSON");
        jsonschema::draft202012::new(&schema).expect("the schema is a valid 2020-12 schema")
    });
    validator
        .iter_errors(report)
        .map(|e| format!("at {}: {e}", e.instance_path))
        .collect()
}
