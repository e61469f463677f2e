//! Tree format v2 end to end through the binary: `por tree build --format
//! v2`, `por tree proof` on demand, and `por verify` of a `por-proof-v2`
//! (verified 0 only against a publication, consistent-not-compared 3,
//! not verified 1, bad input 2), and what the output says is hidden.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;

mod support;
use serde_json::Value;
use support::{code, por_in as por, stderr as err, stdout as out};

fn exchange() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("b.csv"),
        "user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\ncarol,0,3\n",
    )
    .unwrap();
    std::fs::write(d.join("s.key"), format!("{}\n", "42".repeat(32))).unwrap();
    let o = build_v2(d, "t", &[]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("v2 liabilities tree"), "{text}");
    let o = por(
        d,
        &[
            "tree",
            "proof",
            "--tree",
            "t",
            "--user",
            "bob",
            "--secret-file",
            "s.key",
            "--out",
            "bob.json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    dir
}

/// `por tree build --format v2 --height 12` of `b.csv` into `out`, with
/// `extra` options.
fn build_v2(d: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "tree",
        "build",
        "--format",
        "v2",
        "--height",
        "12",
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
    por(d, &args)
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let o = por(dir, &a);
    (
        code(&o),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn published_root_hides_the_customer_count() {
    let dir = exchange();
    let published: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("t.published.json")).unwrap())
            .unwrap();
    assert_eq!(published["format"], "por-root-v2");
    assert_eq!(published["height"], 12);
    assert!(published.get("customers").is_none());
    // 2.5 BTC = 250000000 satoshi, exact (unit 10^0).
    assert_eq!(published["totals"][0], "250000000");
    // The proof has 12 siblings whatever the count.
    let proof: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bob.json")).unwrap()).unwrap();
    assert_eq!(proof["format"], "por-proof-v2");
    // One base64 string of 12 entries, each a hash and one commitment per
    // asset (32 bytes each).
    let k = proof["assets"].as_array().unwrap().len();
    let bytes = 12 * 32 * (k + 1);
    assert_eq!(proof["path"].as_str().unwrap().len(), bytes.div_ceil(3) * 4);
}

#[test]
fn verify_v2_outcomes() {
    let dir = exchange();
    let d = dir.path();
    let (c, v) = json(
        d,
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "t.published.json",
        ],
    );
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["balances"]["BTC"], "200000000");
    let (c, v) = json(d, &["verify", "--proof", "bob.json"]);
    assert_eq!(c, 3, "{v}");
    assert_eq!(v["verdict"], "consistent-not-compared");
    let root = v["proof_root"].as_str().unwrap().to_owned();
    let (c, _) = json(d, &["verify", "--proof", "bob.json", "--root", &root]);
    assert_eq!(c, 0);
    let (c, v) = json(
        d,
        &["verify", "--proof", "bob.json", "--root", &"00".repeat(32)],
    );
    assert_eq!(c, 1);
    assert_eq!(v["cause"], "root-differs");
    assert_eq!(v["failure"]["kind"], "root-hash-mismatch");
    // A changed balance: inconsistent in itself.
    let text = std::fs::read_to_string(d.join("bob.json")).unwrap();
    std::fs::write(
        d.join("bad.json"),
        text.replace("\"200000000\"", "\"200000001\""),
    )
    .unwrap();
    let (c, v) = json(
        d,
        &[
            "verify",
            "--proof",
            "bad.json",
            "--published",
            "t.published.json",
        ],
    );
    assert_eq!(c, 1, "{v}");
    assert_eq!(v["cause"], "proof-inconsistent");
    // Another tree's publication (same customers, another secret).
    std::fs::write(d.join("s2.key"), format!("{}\n", "43".repeat(32))).unwrap();
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--format",
            "v2",
            "--height",
            "12",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8,ETH:18",
            "--secret-file",
            "s2.key",
            "--out",
            "t2",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let (c, v) = json(
        d,
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "t2.published.json",
        ],
    );
    assert_eq!(c, 1);
    assert_eq!(v["cause"], "root-differs");
    // Malformed: exit 2, naming the field.
    std::fs::write(
        d.join("m.json"),
        text.replace("\"height\":12", "\"height\":0"),
    )
    .unwrap();
    let o = por(d, &["verify", "--proof", "m.json"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("height"), "{}", err(&o));
    // --assets is refused for v2 (the root commits to the asset list).
    let o = por(
        d,
        &["verify", "--proof", "bob.json", "--assets", "BTC:8,ETH:18"],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn text_output_says_what_is_hidden() {
    let dir = exchange();
    let o = por(
        dir.path(),
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "t.published.json",
        ],
    );
    assert_eq!(code(&o), 0);
    let t = out(&o);
    assert!(t.starts_with("VERIFIED"), "{t}");
    assert!(t.contains("Hidden from you"), "{t}");
    assert!(t.contains("the number of customers"), "{t}");
    assert!(!t.contains("customers, "), "{t}");
}

#[test]
fn v2_usage_errors() {
    let dir = exchange();
    let d = dir.path();
    // --height without --format v2.
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--height",
            "12",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8,ETH:18",
            "--secret-file",
            "s.key",
            "--out",
            "t3",
        ],
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    // A proof needs the secret.
    let o = por(d, &["tree", "proof", "--tree", "t", "--user", "bob"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("--secret-file"));
    // The wrong secret does not rebuild the tree.
    std::fs::write(d.join("w.key"), format!("{}\n", "44".repeat(32))).unwrap();
    let o = por(
        d,
        &[
            "tree",
            "proof",
            "--tree",
            "t",
            "--user",
            "bob",
            "--secret-file",
            "w.key",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("wrong --secret-file"), "{}", err(&o));
    // Unknown customer.
    let o = por(
        d,
        &[
            "tree",
            "proof",
            "--tree",
            "t",
            "--user",
            "zed",
            "--secret-file",
            "s.key",
        ],
    );
    assert_eq!(code(&o), 2);
    // Too many customers for the height (3 customers, height 1: 1 allowed).
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--format",
            "v2",
            "--height",
            "1",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8,ETH:18",
            "--secret-file",
            "s.key",
            "--out",
            "t4",
        ],
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(!d.join("t4").exists());
}

/// `--hazmat-variable-time` builds the same tree, byte for byte (the
/// published root, the directory's files), says what it risks, and is
/// refused for a v1 tree.
#[test]
fn variable_time_build_writes_the_same_bytes() {
    let dir = exchange();
    let d = dir.path();
    let o = build_v2(d, "vt", &["--hazmat-variable-time"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("variable-time lookups on secret values"),
        "{}",
        err(&o)
    );
    let read = |p: &str| std::fs::read(d.join(p)).unwrap();
    assert_eq!(read("t.published.json"), read("vt.published.json"));
    let mut names: Vec<_> = std::fs::read_dir(d.join("t"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let a = std::fs::read(d.join("t").join(&name)).unwrap();
        let b = std::fs::read(d.join("vt").join(&name)).unwrap();
        assert_eq!(a, b, "{name:?} differs");
    }
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8,ETH:18",
            "--secret-file",
            "s.key",
            "--out",
            "v1",
            "--hazmat-variable-time",
        ],
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("only a v2 tree"), "{}", err(&o));
    assert!(!d.join("v1").exists());
}

fn proof_args<'a>(tree: &'a str, user: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "tree",
        "proof",
        "--tree",
        tree,
        "--user",
        user,
        "--secret-file",
        "s.key",
        "--out",
        out,
    ]
}

/// `por tree proof` serves from the stored tree (`tree-v2.bin`) the same
/// bytes a rebuild gives; a directory without it (written by an earlier
/// por) still works by rebuilding, with a note; `export-proofs` gives the
/// same files either way.
#[test]
fn proofs_from_the_stored_tree_equal_the_rebuilt_ones() {
    let dir = exchange();
    let d = dir.path();
    assert!(d.join("t/tree-v2.bin").is_file());
    // The stored tree: no note, and the proof verifies.
    let o = por(d, &proof_args("t", "alice", "alice.json"));
    assert!(o.status.success(), "{}", err(&o));
    assert!(!err(&o).contains("rebuilding"), "{}", err(&o));
    let (c, v) = json(
        d,
        &[
            "verify",
            "--proof",
            "alice.json",
            "--published",
            "t.published.json",
        ],
    );
    assert_eq!((c, v["verdict"].as_str()), (0, Some("verified")), "{v}");
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "t",
            "--secret-file",
            "s.key",
            "--out",
            "all",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(!err(&o).contains("rebuilding"), "{}", err(&o));
    // The same directory without its stored tree: rebuilt, with a note.
    copy_dir(&d.join("t"), &d.join("old"));
    std::fs::remove_file(d.join("old/tree-v2.bin")).unwrap();
    for user in ["alice", "bob", "carol"] {
        let stored = format!("{user}-stored.json");
        let rebuilt = format!("{user}-rebuilt.json");
        let o = por(d, &proof_args("t", user, &stored));
        assert!(o.status.success(), "{}", err(&o));
        let o = por(d, &proof_args("old", user, &rebuilt));
        assert!(o.status.success(), "{}", err(&o));
        assert!(err(&o).contains("rebuilding the tree"), "{}", err(&o));
        assert_eq!(
            std::fs::read(d.join(&stored)).unwrap(),
            std::fs::read(d.join(&rebuilt)).unwrap(),
            "{user}"
        );
    }
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "old",
            "--secret-file",
            "s.key",
            "--out",
            "all-old",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("rebuilding the tree"), "{}", err(&o));
    for name in ["alice.json", "bob.json", "carol.json"] {
        assert_eq!(
            std::fs::read(d.join("all").join(name)).unwrap(),
            std::fs::read(d.join("all-old").join(name)).unwrap(),
            "{name}"
        );
    }
    let mut a = std::fs::read_to_string(d.join("all/index.csv"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let mut b = std::fs::read_to_string(d.join("all-old/index.csv"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A stored tree that is not the directory's (another tree's file), or that
/// was changed, is an error naming it, and no proof is written.
#[test]
fn a_stored_tree_that_does_not_agree_is_refused() {
    let dir = exchange();
    let d = dir.path();
    // Another tree (other balances) whose tree-v2.bin is put in t's place.
    std::fs::write(
        d.join("b.csv"),
        "user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\ncarol,0,4\n",
    )
    .unwrap();
    let o = build_v2(d, "other", &[]);
    assert!(o.status.success(), "{}", err(&o));
    copy_dir(&d.join("t"), &d.join("swapped"));
    std::fs::copy(d.join("other/tree-v2.bin"), d.join("swapped/tree-v2.bin")).unwrap();
    let o = por(d, &proof_args("swapped", "bob", "x.json"));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("tree-v2.bin"), "{}", err(&o));
    assert!(err(&o).contains("top node gives root"), "{}", err(&o));
    assert!(!d.join("x.json").exists());
    // One byte changed in every position of the file's last node records
    // (the levels near the root, which every path reads): an error each
    // time, never a proof.
    let bin = std::fs::read(d.join("t/tree-v2.bin")).unwrap();
    copy_dir(&d.join("t"), &d.join("changed"));
    for at in [30, 60, 100, bin.len() - 10] {
        let mut b = bin.clone();
        b[at] ^= 0x04;
        std::fs::write(d.join("changed/tree-v2.bin"), &b).unwrap();
        let o = por(d, &proof_args("changed", "bob", "y.json"));
        if o.status.success() {
            // Not on bob's path: then it is bob's true proof.
            assert_eq!(
                std::fs::read(d.join("y.json")).unwrap(),
                std::fs::read(d.join("bob.json")).unwrap(),
                "byte {at}"
            );
            std::fs::remove_file(d.join("y.json")).unwrap();
        } else {
            assert_eq!(code(&o), 2, "byte {at}: {}", err(&o));
            assert!(err(&o).contains("tree-v2.bin"), "byte {at}: {}", err(&o));
            assert!(!d.join("y.json").exists());
        }
    }
    // Truncated.
    std::fs::write(d.join("changed/tree-v2.bin"), &bin[..bin.len() - 1]).unwrap();
    let o = por(d, &proof_args("changed", "bob", "z.json"));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("tree-v2.bin"), "{}", err(&o));
}
