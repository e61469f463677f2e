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

/// A signed attestation of the tree in `published.json`, with `change`
/// applied to its body before signing (key: 32 bytes of 0x07).
fn attestation(dir: &Path, change: impl FnOnce(&mut Value)) -> String {
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("published.json")).unwrap()).unwrap();
    let key = por_attest::AttestationKey::from_secret_bytes(&[7; 32]).unwrap();
    let mut body = serde_json::json!({
        "format": "por-attestation-v1",
        "exchange": {"id": "acme", "public_key": key.public_key_hex()},
        "snapshot": {"label": "2026-11-21", "time": "2026-11-21T00:00:00Z"},
        "chains": [
            {"chain": "bitcoin", "height": 870000, "block_hash": "00".repeat(32)},
            {"chain": "ethereum", "height": 21000000, "block_hash": format!("0x{}", "ab".repeat(32))}
        ],
        "assets": [
            {"symbol": "BTC", "decimals": 8, "chain": "bitcoin", "contract": null},
            {"symbol": "ETH", "decimals": 18, "chain": "ethereum", "contract": null}
        ],
        "liabilities": {
            "root": summary["root"],
            "height": summary["height"],
            "customers": summary["customers"],
            "totals": [
                {"asset": "BTC", "amount": summary["totals"]["BTC"]},
                {"asset": "ETH", "amount": summary["totals"]["ETH"]}
            ]
        },
        "reserves": [],
        "reserve_inputs": null,
        "previous": null
    });
    change(&mut body);
    let body: por_attest::Attestation = serde_json::from_value(body).unwrap();
    body.sign(&key, &[7; 32]).unwrap()
}

#[test]
fn verify_published_takes_the_signed_attestation() {
    let (dir, root) = exchange();
    let d = dir.path();
    std::fs::write(d.join("att.json"), attestation(d, |_| {})).unwrap();
    let args = ["verify", "--proof", "bob.json", "--published", "att.json"];
    let o = por(d, &args);
    let t = out(&o);
    assert_eq!(o.status.code(), Some(0), "{t}{}", err(&o));
    assert!(t.starts_with("VERIFIED:"), "{t}");
    assert!(t.contains("signed attestation in att.json"), "{t}");
    assert!(t.contains("not whose key it is"), "{t}");
    for label in ["root hash", "height", "totals", "asset list", "customers"] {
        assert_eq!(item(&t, label), format!("{label:<11} matches"), "{t}");
    }
    let (code, v) = json(d, &args);
    assert_eq!(code, Some(0));
    assert_eq!(v["root_source"], "attestation");
    assert_eq!(v["root"], root.as_str());
    assert_eq!(v["customers"], 3);
    assert_eq!(v["attestation"]["signature_valid"], true);
    assert_eq!(v["attestation"]["exchange"], "acme");
    assert_eq!(v["assets_checked"], true);

    // An attestation of another tree: signed, intact, and it differs.
    let other = "ab".repeat(32);
    std::fs::write(
        d.join("other.json"),
        attestation(d, |b| b["liabilities"]["root"] = Value::from(other.clone())),
    )
    .unwrap();
    let (code, v) = json(
        d,
        &["verify", "--proof", "bob.json", "--published", "other.json"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(v["cause"], "root-differs");
    assert_eq!(v["comparisons"]["root_hash"], "differs");

    // Different decimals for BTC: the hash matches, the asset list does not.
    std::fs::write(
        d.join("decimals.json"),
        attestation(d, |b| b["assets"][0]["decimals"] = Value::from(6)),
    )
    .unwrap();
    let (code, v) = json(
        d,
        &[
            "verify",
            "--proof",
            "bob.json",
            "--published",
            "decimals.json",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(v["comparisons"]["root_hash"], "matches");
    assert_eq!(v["comparisons"]["assets"], "differs");
}

#[test]
fn verify_altered_attestation_is_untrusted_and_compares_nothing() {
    let (dir, _) = exchange();
    let d = dir.path();
    // Change one figure after signing: the document is well formed, its
    // signature no longer verifies.
    let signed = attestation(d, |_| {});
    let altered = signed.replace("\"customers\": 3", "\"customers\": 4");
    assert_ne!(signed, altered, "the figure to alter is in the document");
    std::fs::write(d.join("altered.json"), altered).unwrap();
    let args = [
        "verify",
        "--proof",
        "bob.json",
        "--published",
        "altered.json",
    ];
    let o = por(d, &args);
    let t = out(&o);
    assert_eq!(o.status.code(), Some(1), "{t}{}", err(&o));
    assert!(
        t.starts_with("NOT VERIFIED: the publication you gave cannot be trusted."),
        "{t}"
    );
    assert!(t.contains("(bad-signature)"), "{t}");
    assert!(t.contains("does NOT verify"), "{t}");
    let (_, v) = json(d, &args);
    assert_eq!(v["cause"], "publication-untrusted");
    assert_eq!(v["attestation"]["signature_valid"], false);
    for k in ["root_hash", "height", "totals", "assets", "customers"] {
        assert_eq!(v["comparisons"][k], "not-given", "{k}");
    }
}

#[test]
fn verify_published_refuses_what_it_would_not_compare() {
    let (dir, _) = exchange();
    let d = dir.path();
    let published = std::fs::read_to_string(d.join("published.json")).unwrap();
    // A member the summary does not have: refused, not silently ignored.
    std::fs::write(
        d.join("extra.json"),
        published.replace("{\"root\"", "{\"decimals\":8,\"root\""),
    )
    .unwrap();
    // A format por does not read: refused, not read as a summary.
    std::fs::write(
        d.join("v9.json"),
        published.replace("{\"root\"", "{\"format\":\"por-attestation-v9\",\"root\""),
    )
    .unwrap();
    // The attestation states its asset list; another one beside it is a usage error.
    std::fs::write(d.join("att.json"), attestation(d, |_| {})).unwrap();
    for (file, extra, needle) in [
        ("extra.json", None, "unknown field `decimals`"),
        ("v9.json", None, "expected \"por-attestation-v1\""),
        ("att.json", Some("BTC:8,ETH:18"), "leave out --assets"),
    ] {
        let mut args = vec!["verify", "--proof", "bob.json", "--published", file];
        if let Some(a) = extra {
            args.extend(["--assets", a]);
        }
        let o = por(d, &args);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", out(&o));
        assert!(out(&o).is_empty(), "{file}: {}", out(&o));
        assert!(err(&o).contains(file), "{file}: {}", err(&o));
        assert!(err(&o).contains(needle), "{file}: {}", err(&o));
    }
    // A file holding the root hash alone is the hash form.
    let root = serde_json::from_str::<Value>(&published).unwrap()["root"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::write(d.join("root.txt"), format!("{root}\n")).unwrap();
    let (code, v) = json(
        d,
        &["verify", "--proof", "bob.json", "--published", "root.txt"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(v["root_source"], "published-hash");
    assert_eq!(v["comparisons"]["height"], "not-given");
}
