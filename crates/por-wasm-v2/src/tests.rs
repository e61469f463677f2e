//! The module's JSON over `vectors/tree-v2.json` (whose commitments, hashes
//! and root openings `vectors/por_tree_v2.py` recomputes independently).

use serde_json::{json, Value};

use super::check_json;

fn vectors() -> Value {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/tree-v2.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("vector file")).expect("JSON")
}

fn tree(v: &Value, i: &Value) -> Value {
    v["trees"][usize::try_from(i.as_u64().expect("tree index")).expect("small")].clone()
}

#[test]
fn every_valid_vector_verifies_against_its_publication_and_its_hash() {
    let v = vectors();
    let valid = v["valid"].as_array().expect("valid");
    assert_eq!(valid.len(), 10);
    for case in valid {
        let t = tree(&v, &case["tree"]);
        let proof = case["proof"].to_string();
        let root = t["root"].to_string();
        let r = check_json(&proof, &root);
        let name = &case["name"];
        assert_eq!(r["ok"], true, "{name}: {r}");
        assert_eq!(r["verdict"], "verified", "{name}: {r}");
        assert_eq!(r["verified"], true);
        assert_eq!(r["failure"], Value::Null);
        assert_eq!(r["root_source"], "published-root");
        assert_eq!(r["totals_published"], true);
        assert_eq!(r["checked_root"], t["root"]["hash"]);
        assert_eq!(r["height"], t["height"]);
        assert_eq!(
            r["comparisons"],
            json!({"root_hash": "matches", "height": "matches", "assets": "matches", "totals": "matches"})
        );
        let k = t["root"]["assets"].as_array().expect("assets").len();
        let h = usize::try_from(t["height"].as_u64().expect("height")).expect("small");
        assert_eq!(r["range_proofs"]["commitments"], json!(h * k));
        assert_eq!(r["range_proofs"]["valid"], true);
        // The customer's own balances, as the tree's customer list gives them.
        let user = case["proof"]["user_id"].as_str().expect("user");
        let customer = t["customers"]
            .as_array()
            .expect("customers")
            .iter()
            .find(|c| c["user_id"] == user)
            .expect("customer in the tree");
        for (a, b) in r["assets"]
            .as_array()
            .expect("assets")
            .iter()
            .zip(customer["balances"].as_array().expect("balances"))
        {
            assert_eq!(a["balance_base_units"], *b, "{name}");
        }

        // The hash alone, any case, with white space.
        let hash = t["root"]["hash"].as_str().expect("hash").to_uppercase();
        let spaced = format!("  {}\n {} ", &hash[..32], &hash[32..]);
        let r = check_json(&proof, &spaced);
        assert_eq!(r["verdict"], "verified", "{name}: {r}");
        assert_eq!(r["root_source"], "published-hash");
        assert_eq!(r["totals_published"], false);
        assert_eq!(
            r["comparisons"],
            json!({"root_hash": "matches", "height": "under-hash", "assets": "under-hash", "totals": "under-hash"})
        );

        // Nothing: only consistent.
        let r = check_json(&proof, " \n");
        assert_eq!(r["verdict"], "consistent-not-compared", "{name}: {r}");
        assert_eq!(r["verified"], false);
        assert_eq!(r["root_source"], "proof");
        assert_eq!(r["range_proofs"]["valid"], true);
        assert_eq!(r["comparisons"]["root_hash"], "not-given");
    }
}

#[test]
fn every_invalid_vector_fails_with_its_stated_reason() {
    let v = vectors();
    let invalid = v["invalid"].as_array().expect("invalid");
    assert_eq!(invalid.len(), 13);
    for case in invalid {
        let r = check_json(&case["proof"].to_string(), &case["root"].to_string());
        let name = &case["name"];
        assert_eq!(r["ok"], true, "{name}: {r}");
        assert_eq!(r["verdict"], "not-verified", "{name}: {r}");
        assert_eq!(r["verified"], false);
        assert_eq!(r["failure"]["kind"], case["expected"], "{name}: {r}");
        assert_eq!(r["range_proofs"]["valid"], false, "{name}");
        assert!(r["comparisons"]
            .as_object()
            .expect("comparisons")
            .values()
            .all(|c| c != "matches" || r["cause"] == "root-differs"));
    }
}

#[test]
fn a_publication_that_differs_names_the_item() {
    let v = vectors();
    let by_name = |n: &str| {
        v["invalid"]
            .as_array()
            .expect("invalid")
            .iter()
            .find(|c| c["name"] == n)
            .expect("vector")
            .clone()
    };
    let run = |n: &str| {
        let c = by_name(n);
        check_json(&c["proof"].to_string(), &c["root"].to_string())
    };
    // The proof states the wrong total too: inconsistent in itself.
    let r = run("wrong-root-opening");
    assert_eq!(r["cause"], "proof-inconsistent");
    assert_eq!(r["failure"]["kind"], "root-opening-mismatch");
    // Only the publication's blinding factor is wrong.
    let r = run("wrong-root-blinding");
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(
        r["comparisons"],
        json!({"root_hash": "matches", "height": "matches", "assets": "matches", "totals": "differs"})
    );
    let r = run("published-height-differs");
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(
        r["comparisons"],
        json!({"root_hash": "matches", "height": "differs", "assets": "not-compared", "totals": "not-compared"})
    );
    let r = run("published-decimals-differ");
    assert_eq!(r["comparisons"]["assets"], "differs");
    assert_eq!(r["comparisons"]["height"], "matches");
    // A proof changed after it was made is inconsistent with its own root:
    // nothing was compared with the publication.
    let r = run("changed-decimals");
    assert_eq!(r["cause"], "proof-inconsistent");
    assert_eq!(r["comparisons"]["root_hash"], "not-compared");
    let r = run("negative-sibling");
    assert_eq!(r["failure"]["kind"], "range-proof-invalid");
    // A valid proof against another tree's root: the hash differs.
    let valid = &v["valid"][0];
    let other = v["trees"][1]["root"].to_string();
    let r = check_json(&valid["proof"].to_string(), &other);
    assert_eq!(r["failure"]["kind"], "asset-mismatch");
    assert_eq!(r["comparisons"]["root_hash"], "not-compared");
    let r = check_json(&valid["proof"].to_string(), &"ab".repeat(32));
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(r["failure"]["kind"], "root-hash-mismatch");
    assert_eq!(r["comparisons"]["root_hash"], "differs");
    assert_eq!(r["checked_root"], json!("ab".repeat(32)));
}

#[test]
fn units_are_rounded_up_and_said_so() {
    // Tree "rounded-up-units": one asset X with 18 decimals counted in units
    // of 10 base units; a holds 10000000000000000001 base units, b a
    // multiple of 10.
    let v = vectors();
    let case = |user: &str| {
        v["valid"]
            .as_array()
            .expect("valid")
            .iter()
            .find(|c| c["name"] == format!("rounded-up-units/{user}"))
            .expect("vector")
            .clone()
    };
    let root = v["trees"][2]["root"].to_string();
    let r = check_json(&case("a")["proof"].to_string(), &root);
    assert_eq!(r["verdict"], "verified");
    let a = &r["assets"][0];
    assert_eq!(a["unit_exponent"], 1);
    assert_eq!(a["unit"], "0.00000000000000001");
    assert_eq!(a["balance"], "10.000000000000000001");
    assert_eq!(a["units"], "1000000000000000001");
    assert_eq!(a["committed"], "10.00000000000000001");
    assert_eq!(a["rounded_up"], true);
    // The totals: (1000000000000000001 + 1000000000000000000) units of 10.
    assert_eq!(r["totals"][0]["units"], "2000000000000000001");
    assert_eq!(r["totals"][0]["amount"], "20.00000000000000001");
    let r = check_json(&case("b")["proof"].to_string(), &root);
    assert_eq!(r["assets"][0]["rounded_up"], false);
    assert_eq!(r["assets"][0]["committed"], "10");
    // Exact units (e = 0): the unit is one base unit.
    let r = check_json(&v["valid"][0]["proof"].to_string(), "");
    assert_eq!(r["assets"][0]["unit"], "0.00000001");
    assert_eq!(r["assets"][0]["rounded_up"], false);
}

#[test]
fn the_height_bounds_the_count_and_no_more() {
    let v = vectors();
    let r = check_json(&v["valid"][5]["proof"].to_string(), "");
    assert_eq!(r["height"], 32);
    assert_eq!(r["max_customers"], "2147483648");
    assert_eq!(
        super::max_customers(64).as_deref(),
        Some("9223372036854775808")
    );
    assert_eq!(super::max_customers(1).as_deref(), Some("1"));
}

#[test]
fn unreadable_input_names_the_field_and_gives_no_verdict() {
    let v = vectors();
    let proof = v["valid"][0]["proof"].to_string();
    let r = check_json("{", "");
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"], "proof");
    let mut p = v["valid"][0]["proof"].clone();
    p["balances"][1] = json!("-1");
    let r = check_json(&p.to_string(), "");
    assert_eq!(r["error"], "proof");
    assert!(
        r["message"]
            .as_str()
            .expect("message")
            .contains("balances[1]"),
        "{r}"
    );
    let r = check_json(&proof, "xyz");
    assert_eq!(r["error"], "root");
    assert!(r["message"]
        .as_str()
        .expect("message")
        .starts_with("published root:"));
    let mut root = v["trees"][0]["root"].clone();
    root["totals"][0] = json!("1.5");
    let r = check_json(&proof, &root.to_string());
    assert_eq!(r["error"], "root");
    assert!(
        r["message"]
            .as_str()
            .expect("message")
            .contains("totals[0]"),
        "{r}"
    );
    // A v1 tree summary or another format is not a v2 publication.
    let r = check_json(
        &proof,
        r#"{"root": "00", "height": 3, "customers": 5, "totals": {}}"#,
    );
    assert_eq!(r["error"], "root");
    // An attestation that is not well formed is an input error too.
    let r = check_json(&proof, r#"{"format": "por-attestation-v1"}"#);
    assert_eq!(r["error"], "root");
    assert!(
        r["message"]
            .as_str()
            .expect("message")
            .contains("attestation"),
        "{r}"
    );
    let r = check_json(&proof, r#"{"format": "por-attestation-v9"}"#);
    assert_eq!(r["error"], "root");
    assert!(
        r["message"]
            .as_str()
            .expect("message")
            .contains("por-attestation-v9"),
        "{r}"
    );
    // A byte order mark before the proof is accepted.
    assert_eq!(check_json(&format!("\u{feff}{proof}"), "")["ok"], true);
}

fn fixture(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/three-assets-h32")
        .join(name);
    std::fs::read_to_string(dir).expect("fixture")
}

/// The fixture's attestation, changed by `edit` and signed again with its
/// key (`tests/fixture.rs`), as an exchange would sign a wrong document.
fn resigned(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&fixture("attestation.json")).expect("json");
    v.as_object_mut().expect("object").remove("signature");
    edit(&mut v);
    let body: por_attest::Attestation = serde_json::from_value(v).expect("body");
    let key = por_attest::AttestationKey::from_secret_bytes(&[0x51; 32]).expect("key");
    body.sign(&key, &[0; 32]).expect("sign")
}

#[test]
fn an_attestation_carrying_the_v2_root_is_checked_signature_first() {
    let proof = fixture("proof-alice.json");
    let attestation = fixture("attestation.json");
    let key = por_attest::AttestationKey::from_secret_bytes(&[0x51; 32]).expect("key");
    let all = |v: &str| json!({"root_hash": v, "height": v, "assets": v, "totals": v});

    // Signed, and the proof leads to the root it signs.
    let r = check_json(&proof, &attestation);
    assert_eq!(r["verdict"], "verified", "{r}");
    assert_eq!(r["root_source"], "attestation");
    assert_eq!(r["totals_published"], true);
    assert_eq!(r["failure"], Value::Null);
    assert_eq!(r["comparisons"], all("matches"));
    let a = &r["attestation"];
    assert_eq!(a["signature_valid"], true);
    assert_eq!(a["fingerprint"], json!(key.fingerprint()));
    assert_eq!(a["public_key"], json!(key.public_key_hex()));
    assert_eq!(a["exchange"], "example-exchange");
    assert_eq!(a["snapshot_label"], "2026-11-21");
    assert_eq!(a["chains"].as_array().expect("chains").len(), 2);
    // The totals shown are the attestation's, which are the root's.
    let root: Value = serde_json::from_str(&fixture("root.json")).expect("root");
    for (t, u) in r["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .zip(root["totals"].as_array().expect("totals"))
    {
        assert_eq!(t["units"], *u);
    }

    // Changed after signing: untrusted, nothing in it compared.
    let mut doc: Value = serde_json::from_str(&attestation).expect("json");
    doc["liabilities"]["totals"][0] = json!("1250000002");
    let r = check_json(&proof, &doc.to_string());
    assert_eq!(r["verdict"], "not-verified");
    assert_eq!(r["cause"], "publication-untrusted");
    assert_eq!(r["failure"]["kind"], "bad-signature");
    assert_eq!(r["comparisons"], all("not-compared"));
    assert_eq!(r["attestation"]["signature_valid"], false);
    assert_eq!(r["attestation"]["fingerprint"], Value::Null);
    assert_eq!(r["totals_published"], false);

    // A wrong total, signed: the signature verifies, the root does not open
    // to it.
    let r = check_json(
        &proof,
        &resigned(|v| v["liabilities"]["totals"][0] = json!("1250000002")),
    );
    assert_eq!(r["attestation"]["signature_valid"], true);
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(r["failure"]["kind"], "root-opening-mismatch");
    assert_eq!(
        r["comparisons"],
        json!({"root_hash": "matches", "height": "matches", "assets": "matches", "totals": "differs"})
    );

    // Another tree's root, signed: the hash differs.
    let r = check_json(
        &proof,
        &resigned(|v| v["liabilities"]["hash"] = json!("ab".repeat(32))),
    );
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(r["failure"]["kind"], "root-hash-mismatch");
    assert_eq!(r["comparisons"]["root_hash"], "differs");

    // A format v1 attestation (the example body, signed): a v2 proof
    // cannot lead to its root.
    let v1 = resigned(|v| {
        *v = serde_json::from_str(include_str!(
            "../../../vectors/attestation-v1-body.example.json"
        ))
        .expect("body");
        v["exchange"]["public_key"] = json!(key.public_key_hex());
    });
    let r = check_json(&proof, &v1);
    assert_eq!(r["verdict"], "not-verified");
    assert_eq!(r["cause"], "root-differs");
    assert_eq!(r["failure"]["kind"], "format-mismatch");
    assert_eq!(r["comparisons"], all("not-compared"));

    // A v1 tree summary: read, and refused the same way.
    let summary = format!(
        r#"{{"root": "{}", "height": 3, "customers": 5, "totals": {{"BTC": "1"}}}}"#,
        "ab".repeat(32)
    );
    let r = check_json(&proof, &summary);
    assert_eq!(r["failure"]["kind"], "format-mismatch");
    assert_eq!(r["root_source"], "published-summary");
    assert_eq!(r["attestation"], Value::Null);
}
