//! `por verify` end to end through the binary: the customer's four states,
//! never conflated (verified 0, consistent but not compared 3, not verified
//! 1, malformed 2), each published item reported as matches / differs /
//! not given, and the "what this proves" box.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;

mod support;
use serde_json::Value;
use support::{por_in as por, stderr as err, stdout as out};

/// Three customers (height 2): a tree, its published summary
/// (`published.json`) and bob's proof (`bob.json`).
fn exchange() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("b.csv"),
        "user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\ncarol,0,3\n",
    )
    .unwrap();
    std::fs::write(d.join("s.key"), format!("{}\n", "42".repeat(32))).unwrap();
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
            "t",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    std::fs::write(d.join("published.json"), &o.stdout).unwrap();
    let root = serde_json::from_slice::<Value>(&o.stdout).unwrap()["root"]
        .as_str()
        .unwrap()
        .to_owned();
    let o = por(
        d,
        &[
            "tree", "proof", "--tree", "t", "--user", "bob", "--out", "bob.json",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    (dir, root)
}

fn json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let o = por(dir, &a);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", out(&o), err(&o)));
    (o.status.code(), v)
}

/// The `Compared with the publication` line of one item.
fn item(text: &str, label: &str) -> String {
    text.lines()
        .skip_while(|l| *l != "Compared with the publication:")
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{text}"))
        .trim()
        .to_owned()
}

#[test]
fn verify_against_the_published_summary_is_verified_item_by_item() {
    let (dir, _) = exchange();
    let d = dir.path();
    let args = [
        "verify",
        "--proof",
        "bob.json",
        "--published",
        "published.json",
        "--assets",
        "BTC:8,ETH:18",
    ];
    let o = por(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(text.starts_with("VERIFIED: "), "{text}");
    assert_eq!(item(&text, "root hash"), "root hash   matches");
    assert_eq!(item(&text, "height"), "height      matches");
    assert_eq!(item(&text, "totals"), "totals      matches");
    assert_eq!(item(&text, "asset list"), "asset list  matches");
    assert_eq!(item(&text, "customers"), "customers   matches");
    let (code, v) = json(d, &args);
    assert_eq!(code, Some(0));
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["verified"], true);
    assert_eq!(v["cause"], Value::Null);
    assert_eq!(
        v["comparisons"],
        serde_json::json!({"root_hash": "matches", "height": "matches", "totals": "matches", "assets": "matches", "customers": "matches"})
    );

    // The root hash alone is a publication too: verified, the rest not given.
    let root = v["root"].as_str().unwrap().to_owned();
    let o = por(d, &["verify", "--proof", "bob.json", "--root", &root]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert_eq!(item(&text, "root hash"), "root hash   matches");
    assert!(
        item(&text, "totals").starts_with("totals      not given"),
        "{text}"
    );
}

#[test]
fn verify_without_publication_is_amber_not_verified() {
    let (dir, root) = exchange();
    let d = dir.path();
    let o = por(d, &["verify", "--proof", "bob.json"]);
    assert_eq!(o.status.code(), Some(3), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.starts_with("CONSISTENT, NOT COMPARED (not verified): "),
        "{text}"
    );
    assert!(!text.contains("VERIFIED:"), "{text}");
    // It says what to compare, and where.
    assert!(
        text.contains(&format!(
            "compare the root hash {root} with the root hash your exchange published"
        )),
        "{text}"
    );
    assert!(text.contains("--root HEX or --published FILE"), "{text}");
    assert_eq!(
        item(&text, "root hash"),
        "root hash   not given (give --root or --published)"
    );
    let (code, v) = json(d, &["verify", "--proof", "bob.json"]);
    assert_eq!(code, Some(3));
    assert_eq!(v["verdict"], "consistent-not-compared");
    assert_eq!(v["verified"], false);
    assert_eq!(v["comparisons"]["root_hash"], "not-given");

    // An asset list alone is no publication of the root: still amber.
    let (code, v) = json(
        d,
        &["verify", "--proof", "bob.json", "--assets", "BTC:8,ETH:18"],
    );
    assert_eq!(
        (code, v["verdict"].as_str()),
        (Some(3), Some("consistent-not-compared"))
    );
}

#[test]
fn verify_root_differs_says_differs_not_yes() {
    let (dir, root) = exchange();
    let d = dir.path();
    let other = "ab".repeat(32);
    let o = por(d, &["verify", "--proof", "bob.json", "--root", &other]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.starts_with("NOT VERIFIED: the publication you gave differs from the proof."),
        "{text}"
    );
    assert_eq!(item(&text, "root hash"), "root hash   DIFFERS");
    assert!(!text.contains("yes"), "{text}");
    assert!(
        text.contains(&format!("published {other} (the root you gave)")),
        "{text}"
    );
    assert!(text.contains(&format!("root      {root}")), "{text}");
    assert!(
        text.contains("download your proof file again")
            && text.contains("contact your exchange")
            && text.contains("keep this file"),
        "{text}"
    );
    let (code, v) = json(d, &["verify", "--proof", "bob.json", "--root", &other]);
    assert_eq!(code, Some(1));
    assert_eq!(v["verdict"], "not-verified");
    assert_eq!(v["cause"], "root-differs");
    assert_eq!(v["failure"]["kind"], "root-hash-mismatch");
    assert_eq!(v["comparisons"]["root_hash"], "differs");
    assert_eq!(v["computed_root"], root.as_str());

    // The right hash with another total: the hash matches, the totals differ.
    let published = std::fs::read_to_string(d.join("published.json")).unwrap();
    std::fs::write(
        d.join("inflated.json"),
        published.replace("\"250000000\"", "\"250000001\""),
    )
    .unwrap();
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "inflated.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let text = out(&o);
    assert_eq!(item(&text, "root hash"), "root hash   matches");
    assert_eq!(item(&text, "height"), "height      matches");
    assert_eq!(item(&text, "totals"), "totals      DIFFERS");
    assert!(text.contains("(root-sum-mismatch)"), "{text}");

    // Another asset list (decimals): only --assets catches it.
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "published.json",
            "--assets",
            "BTC:8,ETH:6",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert_eq!(item(&out(&o), "asset list"), "asset list  DIFFERS");
    assert!(
        out(&o).contains("asset ETH has 18 decimals in the proof but 6 in the publication"),
        "{}",
        out(&o)
    );

    // A customer count that no tree of this height has (3 customers make height 2).
    std::fs::write(
        d.join("count.json"),
        published.replace("\"customers\":3", "\"customers\":9"),
    )
    .unwrap();
    let (code, v) = json(
        d,
        &["verify", "--proof", "bob.json", "--published", "count.json"],
    );
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["comparisons"]["customers"], "differs");
    assert_eq!(v["comparisons"]["root_hash"], "matches");
    assert_eq!(v["failure"]["kind"], "customer-count-mismatch");
}

#[test]
fn verify_tampered_proof_says_inconsistent_not_root_differs() {
    let (dir, root) = exchange();
    let d = dir.path();
    let text = std::fs::read_to_string(d.join("bob.json")).unwrap();
    std::fs::write(
        d.join("bad.json"),
        text.replacen("\"200000000\"", "\"300000000\"", 1),
    )
    .unwrap();
    for extra in [&[][..], &["--root", root.as_str()][..]] {
        let mut args = vec!["verify", "--proof", "bad.json"];
        args.extend_from_slice(extra);
        let o = por(d, &args);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {}", out(&o));
        let t = out(&o);
        assert!(
            t.starts_with("NOT VERIFIED: the proof is inconsistent in itself."),
            "{t}"
        );
        assert!(t.contains("not to the root written in it"), "{t}");
        let (code, v) = json(d, &args);
        assert_eq!(code, Some(1));
        assert_eq!(v["cause"], "proof-inconsistent", "{extra:?}");
        assert_eq!(v["failure"]["kind"], "root-hash-mismatch");
    }
}

#[test]
fn verify_malformed_input_is_exit_2_not_a_verdict() {
    let (dir, _) = exchange();
    let d = dir.path();
    std::fs::write(d.join("p.json"), "{\"format\": \"por-proof-v1\"").unwrap();
    let o = por(d, &["verify", "--proof", "p.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty(), "{}", out(&o));
    assert!(err(&o).contains("p.json: malformed proof"), "{}", err(&o));
    // A symbol given twice in the published totals: an error, not the last one kept.
    let published = std::fs::read_to_string(d.join("published.json")).unwrap();
    std::fs::write(
        d.join("twice.json"),
        published.replace("\"totals\":{", "\"totals\":{\"BTC\":\"1\","),
    )
    .unwrap();
    let o = por(
        d,
        &["verify", "--proof", "bob.json", "--published", "twice.json"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("appears twice"), "{}", err(&o));
    std::fs::write(d.join("junk.json"), "{\"root\": 1}").unwrap();
    let o = por(
        d,
        &["verify", "--proof", "bob.json", "--published", "junk.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("junk.json"), "{}", err(&o));
}

#[test]
fn verify_says_what_it_proves_and_what_it_does_not() {
    let (dir, root) = exchange();
    let d = dir.path();
    for args in [
        vec!["verify", "--proof", "bob.json"],
        vec!["verify", "--proof", "bob.json", "--root", root.as_str()],
    ] {
        let t = out(&por(d, &args));
        assert!(t.contains("What this proves and what it does not:"), "{t}");
        assert!(t.contains("are counted in the total liabilities"), "{t}");
        assert!(
            t.contains("does not show that the exchange holds the coins"),
            "{t}"
        );
        assert!(t.contains("one other customer's exact balances"), "{t}");
        assert!(t.contains("customer count within a factor of 2"), "{t}");
        // Never the false claim that nobody else's balance is visible.
        assert!(!t.to_lowercase().contains("without seeing anyone"), "{t}");
    }
}

#[test]
fn verify_help_names_the_four_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let o = por(dir.path(), &["verify", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let t = out(&o);
    for needle in [
        "0 verified",
        "3 consistent but not compared",
        "1 not verified",
        "2 malformed input",
    ] {
        assert!(t.contains(needle), "{needle}: {t}");
    }
}
