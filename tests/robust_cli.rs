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
