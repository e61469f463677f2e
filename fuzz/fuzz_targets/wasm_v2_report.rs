//! The page's v2 check (`por_wasm_v2::check_json`): arbitrary text as a
//! `por-proof-v2` and as the published root (a `por-root-v2`, a root hash,
//! another JSON document or anything), separated by the first 0x1F. The
//! published root is read by `por_attest`'s `PublishedRoot::parse` (so a
//! signed attestation carrying a v2 root is one of the forms); the proof
//! and root parsers beneath are `proof_v2_verify`'s.
//!
//! Nothing may panic; the answer is either `{"ok": false, "error": "proof"
//! | "root", "message"}` or a report whose verdict is one of the three, that
//! is `verified` only when a root was given and the root hash matches, and
//! whose comparisons are all known words; an attestation whose signature
//! does not verify never gives `verified` and has nothing compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (proof, root) = text.split_once('\u{1f}').unwrap_or((text, ""));
    let v = por_wasm_v2::check_json(proof, root);
    if v["ok"] != Value::Bool(true) {
        assert!(v["error"] == "proof" || v["error"] == "root", "{v}");
        assert!(v["message"].is_string(), "{v}");
        return;
    }
    let verdict = v["verdict"].as_str().expect("a verdict");
    assert!(["verified", "consistent-not-compared", "not-verified"].contains(&verdict), "{v}");
    if verdict == "verified" {
        assert_ne!(v["root_source"], "proof", "verified without a publication: {v}");
        assert_eq!(v["comparisons"]["root_hash"], "matches", "{v}");
        assert_eq!(v["range_proofs"]["valid"], true, "{v}");
    }
    if root.trim().is_empty() {
        assert_ne!(verdict, "verified", "{v}");
    }
    if v["root_source"] == "attestation" {
        let signed = v["attestation"]["signature_valid"].as_bool().expect("signature_valid");
        if !signed {
            assert_eq!(verdict, "not-verified", "{v}");
            assert_eq!(v["failure"]["kind"], "bad-signature", "{v}");
            assert_eq!(v["attestation"]["fingerprint"], Value::Null, "{v}");
        }
    } else {
        assert_eq!(v["attestation"], Value::Null, "{v}");
    }
    let words = ["matches", "differs", "not-given", "not-compared", "under-hash"];
    for item in ["root_hash", "height", "assets", "totals"] {
        let c = v["comparisons"][item].as_str().expect("a comparison");
        assert!(words.contains(&c), "{v}");
    }
    assert_eq!(v, por_wasm_v2::check_json(proof, root), "deterministic");
});
