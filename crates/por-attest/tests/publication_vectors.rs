//! `vectors/publication-v1.json`: every text a customer may give as the
//! publication, read by [`PublishedRoot::parse`], must give the form and
//! figures (or the error kind) that the independent Python generator
//! (`vectors/gen_publication_v1.py`, from docs/publication.md) decided.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use por_attest::publication::PublishedRoot;
use serde_json::{json, Value};

#[test]
fn every_publication_vector() {
    let text = include_str!("../../../vectors/publication-v1.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut forms = std::collections::BTreeMap::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = case["text"].as_str().unwrap();
        let expected = &case["expected"];
        let got = match PublishedRoot::parse(input) {
            Err(e) => json!({"error": e.kind()}),
            Ok(p) => {
                let mut v = json!({"form": match &p {
                    PublishedRoot::Hash(_) => "hash",
                    PublishedRoot::TreeSummary(_) => "tree-summary",
                    PublishedRoot::Attestation(_) => "attestation",
                    _ => "other",
                }});
                match p.publication() {
                    Some(publ) => {
                        v["trusted"] = json!(true);
                        v["root"] = json!(publ.root.to_string());
                        if !matches!(p, PublishedRoot::Hash(_)) {
                            v["height"] = json!(publ.height);
                            v["customers"] = json!(publ.customers);
                            v["totals"] = json!(publ
                                .totals
                                .unwrap_or_default()
                                .iter()
                                .map(|(s, a)| json!([s, a.to_string()]))
                                .collect::<Vec<_>>());
                        }
                    }
                    None => {
                        v["trusted"] = json!(false);
                        v["signature_error"] =
                            json!(p.attestation().unwrap().signature().unwrap_err().kind());
                    }
                }
                v
            }
        };
        assert_eq!(&got, expected, "case {name}");
        *forms
            .entry(
                expected
                    .get("form")
                    .or(expected.get("error"))
                    .unwrap()
                    .to_string(),
            )
            .or_insert(0) += 1;
    }
    // Every form and every error kind is exercised.
    for k in [
        "\"hash\"",
        "\"tree-summary\"",
        "\"attestation\"",
        "\"summary\"",
        "\"unknown-format\"",
        "\"unrecognized\"",
    ] {
        assert!(forms.contains_key(k), "no case of {k}: {forms:?}");
    }
}
