//! Runs every case of `vectors/tree-v1.json` through the real `por` binary:
//! `por tree build --json` (root, height, customers, totals), `por tree proof`
//! (byte-for-byte the vector's proof, once parsed), `por verify` on every
//! proof variant (exit code and failure kind), and `por tree build` on every
//! export the vectors reject (exit 2, the line named, no output left).
//!
//! The core half is `crates/por-tree/tests/tree_vectors.rs`.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;
use std::process::Output;

mod support;
use serde_json::Value;
use support::{por_in as por, repo_root};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn load() -> Value {
    let t = std::fs::read_to_string(repo_root().join("vectors/tree-v1.json")).unwrap();
    serde_json::from_str(&t).unwrap()
}

/// One CSV field, quoted per RFC 4180 when it has a comma, quote or line break.
fn field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_owned()
    }
}

fn csv_of(assets: &[Value], rows: &[Value]) -> String {
    let mut out = String::from("user_id");
    for a in assets {
        out.push(',');
        out.push_str(s(&a["symbol"]));
    }
    out.push('\n');
    for row in rows {
        out.push_str(&field(s(&row["user_id"])));
        for b in row["balances"].as_array().unwrap() {
            out.push(',');
            out.push_str(&field(s(b)));
        }
        out.push('\n');
    }
    out
}

fn spec_of(assets: &[Value]) -> String {
    assets
        .iter()
        .map(|a| format!("{}:{}", s(&a["symbol"]), a["decimals"]))
        .collect::<Vec<_>>()
        .join(",")
}

/// Writes the case's export and secret into `dir` and runs `por tree build`.
fn build(dir: &Path, case: &Value, secret: &str) -> Output {
    let assets = case["assets"].as_array().unwrap();
    std::fs::write(
        dir.join("b.csv"),
        csv_of(assets, case["rows"].as_array().unwrap()),
    )
    .unwrap();
    std::fs::write(dir.join("s.key"), format!("{secret}\n")).unwrap();
    let spec = spec_of(assets);
    por(
        dir,
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            &spec,
            "--secret-file",
            "s.key",
            "--out",
            "t",
            "--json",
        ],
    )
}

#[test]
fn every_case_through_the_cli() {
    let doc = load();
    let mut verified = 0;
    for case in doc["cases"].as_array().unwrap() {
        let name = s(&case["name"]);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let o = build(d, case, s(&case["secret"]));
        assert!(o.status.success(), "{name}: {}", text(&o.stderr));
        let got: Value = serde_json::from_slice(&o.stdout).unwrap();
        let exp = &case["expected"];
        let spec = spec_of(case["assets"].as_array().unwrap());
        let want = serde_json::json!({
            "root": exp["root"],
            "height": exp["height"],
            "customers": exp["customers"],
            "totals": exp["totals"],
        });
        assert_eq!(got, want, "{name}: por tree build --json");

        for (j, pv) in case["proofs"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let pname = s(&pv["name"]);
            let valid = pv["expect"]["valid"].as_bool().unwrap();
            if valid {
                let uid = s(&pv["proof"]["user_id"]);
                let out = format!("valid-{j}.json");
                let o = por(
                    d,
                    &["tree", "proof", "--tree", "t", "--user", uid, "--out", &out],
                );
                assert!(o.status.success(), "{name}/{pname}: {}", text(&o.stderr));
                let ours: Value =
                    serde_json::from_str(&std::fs::read_to_string(d.join(&out)).unwrap()).unwrap();
                assert_eq!(ours, pv["proof"], "{name}/{pname}: por tree proof");
            }
            let kind = pv["expect"]["kind"].as_str();
            let against = s(&pv["against"]);
            let file = format!("variant-{j}.json");
            std::fs::write(
                d.join(&file),
                serde_json::to_vec_pretty(&pv["proof"]).unwrap(),
            )
            .unwrap();
            let mut args = vec!["verify", "--proof", &file, "--json"];
            if against == "published" {
                // The exchange's publication: root, height, totals and the
                // asset list (which the root hash does not cover).
                std::fs::write(d.join("published.json"), want.to_string()).unwrap();
                args.extend_from_slice(&["--published", "published.json", "--assets", &spec]);
            }
            let o = por(d, &args);
            let what = format!("{name}/{pname} ({}): {}", against, s(&pv["description"]));
            match kind {
                // Against the proof's own root, a valid proof is consistent
                // but not compared (exit 3); against the publication, verified.
                None if against == "published" => {
                    assert_eq!(o.status.code(), Some(0), "{what}: {}", text(&o.stderr));
                    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                    assert_eq!(v["verified"], true, "{what}");
                    assert_eq!(v["verdict"], "verified", "{what}");
                    verified += 1;
                }
                None => {
                    assert_eq!(o.status.code(), Some(3), "{what}: {}", text(&o.stderr));
                    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                    assert_eq!(v["verified"], false, "{what}");
                    assert_eq!(v["verdict"], "consistent-not-compared", "{what}");
                    verified += 1;
                }
                Some("malformed") => {
                    assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o.stdout));
                    assert!(
                        text(&o.stderr).contains("malformed proof"),
                        "{what}: {}",
                        text(&o.stderr)
                    );
                }
                Some(k) => {
                    assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o.stderr));
                    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                    assert_eq!(v["verified"], false, "{what}");
                    assert_eq!(v["failure"]["kind"], k, "{what}");
                }
            }
        }
    }
    assert!(verified >= 30, "{verified} valid proofs verified");
}

#[test]
fn every_rejected_export_fails_with_exit_2_and_names_the_line() {
    let doc = load();
    for case in doc["rejected"].as_array().unwrap() {
        let name = s(&case["name"]);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let o = build(d, case, &"11".repeat(32));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(o.stdout.is_empty(), "{name}: {}", text(&o.stdout));
        assert!(!d.join("t").exists(), "{name}: no partial output");
        if let Some(line) = case["expect"]["line"].as_u64() {
            assert!(err.contains(&format!("line {line}")), "{name}: {err}");
        }
    }
}
