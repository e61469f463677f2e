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
    assert_eq!(proof["path"].as_array().unwrap().len(), 12);
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
        text.replace("\"height\": 12", "\"height\": 0"),
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
