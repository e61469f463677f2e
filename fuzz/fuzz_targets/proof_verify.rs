//! Arbitrary bytes as a `por-proof-v1` file: parse, then verify against the
//! root the file claims and against a fixed published root (a case of
//! `vectors/tree-v1.json`). Nothing may panic, and what parses must survive a
//! serialize / parse round trip unchanged.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_tree::{AssetList, InclusionProof, RootCommitment};

/// The published root and assets of the vectors' 8-customer, 3-asset case.
fn published() -> &'static (AssetList, RootCommitment) {
    static P: OnceLock<(AssetList, RootCommitment)> = OnceLock::new();
    P.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../vectors/tree-v1.json"))
                .expect("the vectors are JSON");
        let case = doc["cases"]
            .as_array()
            .and_then(|c| {
                c.iter()
                    .find(|c| c["name"] == "eight-customers-three-assets")
            })
            .expect("the vectors have the 8-customer case");
        let proof = &case["proofs"][0]["proof"];
        let assets: AssetList =
            serde_json::from_value(case["assets"].clone()).expect("valid assets");
        let root: RootCommitment =
            serde_json::from_value(proof["root"].clone()).expect("valid root");
        (assets, root)
    })
}

fuzz_target!(|data: &[u8]| {
    let (assets, root) = published();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match InclusionProof::from_json(text) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(proof) => {
            let again =
                InclusionProof::from_json(&proof.to_json()).expect("a parsed proof re-parses");
            assert_eq!(again, proof, "serialize / parse round trip");
            for result in [
                proof.verify(proof.claimed_root()),
                proof.verify(root),
                proof.verify_with_assets(assets, root),
            ] {
                if let Err(e) = result {
                    let _ = (e.to_string(), e.kind(), e.level());
                }
            }
        }
    }
});
