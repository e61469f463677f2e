//! End-to-end regression tests of issue 10's robustness items, through the
//! `por` binary: user ids a person cannot tell apart, `--force` replacing
//! only what por wrote, `por serve` under slow and many clients, and what
//! it serves as what.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;
use std::process::{Command, Output};

use por_e2e::por_bin;

fn por(dir: &Path, args: &[&str]) -> Output {
    Command::new(por_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the por binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SECRET: &str = "4242424242424242424242424242424242424242424242424242424242424242\n";

fn setup(csv: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.csv"), csv).unwrap();
    std::fs::write(dir.path().join("s.key"), SECRET).unwrap();
    dir
}

fn build(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "tree",
        "build",
        "--balances",
        "b.csv",
        "--assets",
        "BTC:8,ETH:18",
        "--secret-file",
        "s.key",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    por(dir, &args)
}

// ---------------------------------------------------------------- user ids

#[test]
fn user_ids_equal_after_nfc_are_refused_naming_both_lines() {
    let dir = setup("user_id,BTC,ETH\n\u{e9}lise,1,0\nbob,2,0\ne\u{301}lise,3,0\n".as_bytes());
    let o = build(dir.path(), "t", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.csv"), "names the file: {err}");
    assert!(err.contains("line 4"), "names the later line: {err}");
    assert!(err.contains("line 2"), "names the earlier line: {err}");
    assert!(err.contains("NFC"), "{err}");
    assert!(!dir.path().join("t").exists(), "no output");
}

#[test]
fn user_ids_with_control_characters_are_refused_and_not_echoed_raw() {
    // An ANSI sequence in an id would recolour the terminal if echoed.
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\n\"\x1b[32mPASS\",2,0\n");
    let o = build(dir.path(), "t", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.csv: line 3, column 1 (user_id)"), "{err}");
    assert!(err.contains("U+001B"), "{err}");
    assert!(
        !err.contains('\x1b'),
        "the escape is not printed raw: {err:?}"
    );
    assert!(!dir.path().join("t").exists(), "no output");
}

#[test]
fn user_ids_with_surrounding_whitespace_are_refused() {
    for csv in [
        "user_id,BTC,ETH\nalice,1,0\nalice ,2,0\n",
        "user_id,BTC,ETH\nalice,1,0\n\u{3000}alice,2,0\n",
    ] {
        let dir = setup(csv.as_bytes());
        let o = build(dir.path(), "t", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{csv:?}: {err}");
        assert!(err.contains("line 3, column 1 (user_id)"), "{err}");
        assert!(err.contains("whitespace"), "{err}");
    }
}

#[test]
fn a_user_id_not_in_nfc_is_accepted_and_hashed_as_given() {
    // Alone, a decomposed id is one customer, hashed as its bytes: its
    // proof carries it unchanged.
    let dir = setup("user_id,BTC,ETH\ne\u{301}lise,1,0\nbob,2,0\n".as_bytes());
    let d = dir.path();
    let o = build(d, "t", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = por(
        d,
        &["tree", "proof", "--tree", "t", "--user", "e\u{301}lise"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let proof: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(proof["user_id"], "e\u{301}lise");
}

// ---------------------------------------------------------------- --force

/// A directory with files por did not write: `--force` must leave it whole.
fn precious_dir(d: &Path, name: &str) -> std::path::PathBuf {
    let dir = d.join(name);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(dir.join("sub").join("notes.md"), "more").unwrap();
    dir
}

fn assert_untouched(dir: &Path) {
    assert_eq!(
        std::fs::read_to_string(dir.join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sub").join("notes.md")).unwrap(),
        "more"
    );
}

#[test]
fn tree_build_force_refuses_a_directory_por_did_not_write() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    let precious = precious_dir(d, "home");
    let o = build(d, "home", &["--force"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert!(err.contains("nothing was deleted"), "{err}");
    assert_untouched(&precious);
    assert!(!precious.join("tree.json").exists());
    // No temporary directory is left beside it either.
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".por-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn tree_build_force_replaces_a_tree_por_wrote() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    let o = build(d, "t", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let marker = std::fs::read_to_string(d.join("t/.por-output")).unwrap();
    assert!(marker.starts_with("por-output-v1 tree\n"), "{marker}");
    // Without --force: refused.
    let o = build(d, "t", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    // With --force: replaced (a new balance, a new root).
    std::fs::write(d.join("b.csv"), "user_id,BTC,ETH\nalice,5,0\nbob,2,0\n").unwrap();
    let o = build(d, "t", &["--force", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["totals"]["BTC"], "700000000");
    assert!(d.join("t/.por-output").is_file());
}

#[test]
fn export_proofs_force_refuses_a_directory_por_did_not_write() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    assert!(build(d, "t", &[]).status.success());
    let precious = precious_dir(d, "docs");
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "t",
            "--out",
            "docs",
            "--force",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert_untouched(&precious);
    // A tree directory is por's, but a file in place of the directory is not.
    std::fs::write(d.join("plain-file"), "x").unwrap();
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "t",
            "--out",
            "plain-file",
            "--force",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("plain-file")).unwrap(), "x");
    // A proofs directory por wrote is replaced.
    let args = ["tree", "export-proofs", "--tree", "t", "--out", "p"];
    assert!(por(d, &args).status.success());
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = por(d, &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("p/alice.json").is_file() && d.join("p/.por-output").is_file());
}

#[cfg(unix)]
#[test]
fn force_refuses_a_symlink_even_to_a_por_directory() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    assert!(build(d, "t", &[]).status.success());
    std::os::unix::fs::symlink(d.join("t"), d.join("link")).unwrap();
    let o = build(d, "link", &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(d.join("t/tree.json").is_file(), "the target is untouched");
}

#[test]
fn demo_force_refuses_a_directory_por_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let precious = precious_dir(d, "work");
    // Even a folder that looks like a demo (it has exchange/balances.csv) is
    // not replaced without the marker.
    std::fs::create_dir_all(precious.join("exchange")).unwrap();
    std::fs::write(precious.join("exchange/balances.csv"), "user_id,BTC\n").unwrap();
    let o = por(
        d,
        &["demo", "--customers", "10", "--out", "work", "--force"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert_untouched(&precious);
}
