//! Arbitrary bytes as a `por-proof-v2` file (after one selector byte) or a
//! `por-root-v2` publication: parse, then verify against the root the
//! proof states and against a fixed published root (the first tree of
//! `vectors/tree-v2.json`), and take the customer's verdict. Nothing may
//! panic, and what parses must survive a serialize / parse round trip.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use por_tree::v2::{self, ProofV2, RootV2};

fn published() -> &'static RootV2 {
    static P: OnceLock<RootV2> = OnceLock::new();
    P.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../vectors/tree-v2.json"))
                .expect("the vectors are JSON");
        RootV2::from_json(&doc["trees"][0]["root"].to_string()).expect("a valid root")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector & 1 == 1 {
        if let Ok(root) = RootV2::from_json(text) {
            let again = RootV2::from_json(&root.to_json()).expect("a parsed root re-parses");
            assert_eq!(again, root, "serialize / parse round trip");
        }
        return;
    }
    match ProofV2::from_json(text) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(proof) => {
            let again = ProofV2::from_json(&proof.to_json()).expect("a parsed proof re-parses");
            assert_eq!(again, proof, "serialize / parse round trip");
            for result in [proof.verify(&proof.claimed_root()), proof.verify(published())] {
                if let Err(e) = result {
                    let _ = (e.to_string(), e.as_str());
                }
            }
            let _ = v2::check(&proof, Some(published()));
            let _ = v2::check(&proof, None);
        }
    }
});
