//! Arbitrary bytes as a `por-attestation-v1` document, and as JSON for the
//! RFC 8785 (JCS) canonicalisation it is identified and signed by.
//!
//! - JCS: what `parse_strict` accepts canonicalises, and the canonical text
//!   re-parses and canonicalises to itself (idempotence).
//! - Attestation: what parses has an id that is the SHA-256 of its canonical
//!   form, so that canonical form parses to the same id, the same body and
//!   the same signature outcome; verifying the signature never panics and a
//!   verified document's root commitment is readable or a clear error.
//! - Typed and written forms agree: the typed attestation written back
//!   (through the wire struct) with the document's signature canonicalises
//!   to the document's own canonical form, byte for byte.
//! - A format v2 liabilities section (`por-root-v2`): what parses has a
//!   root readable by por-tree's parser and base-unit totals that fit, and
//!   the publication reader takes the same document without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_attest::{jcs, ParsedAttestation};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let canonical = match jcs::parse_strict(text) {
        Err(_) => None,
        Ok(value) => match jcs::canonicalize(&value) {
            Err(e) => {
                let _ = e.to_string();
                None
            }
            Ok(c) => {
                let again = jcs::parse_strict(&c).expect("canonical JSON re-parses");
                assert_eq!(
                    jcs::canonicalize(&again).as_deref(),
                    Ok(c.as_str()),
                    "canonicalisation is idempotent"
                );
                Some(c)
            }
        },
    };
    let parsed = match ParsedAttestation::from_json(text) {
        Err(e) => {
            let _ = (e.to_string(), e.kind());
            return;
        }
        Ok(p) => p,
    };
    let _ = por_attest::publication::PublishedRoot::parse(text);
    let canonical = canonical.expect("an accepted attestation is canonicalisable JSON");
    let again = ParsedAttestation::from_json(&canonical).expect("its canonical form parses");
    assert_eq!(
        again.id(),
        parsed.id(),
        "the canonical form has the same id"
    );
    assert_eq!(again.body_unverified(), parsed.body_unverified());
    let mut written =
        serde_json::to_value(parsed.body_unverified()).expect("a typed attestation serialises");
    let original = jcs::parse_strict(text).expect("an accepted attestation is strict JSON");
    if let (Some(map), Some(sig)) = (written.as_object_mut(), original.get("signature")) {
        map.insert("signature".to_owned(), sig.clone());
    }
    assert_eq!(
        jcs::canonicalize(&written).ok().as_deref(),
        Some(canonical.as_str()),
        "the typed attestation writes back the members it was read from"
    );
    let _ = parsed.id().to_hex();
    let first = parsed.verify_signature();
    let second = again.verify_signature();
    assert_eq!(
        first
            .as_ref()
            .map(|v| (v.id(), v.signed_digest()))
            .map_err(|e| e.kind()),
        second
            .as_ref()
            .map(|v| (v.id(), v.signed_digest()))
            .map_err(|e| e.kind()),
        "the signature verdict does not depend on the layout"
    );
    match first {
        Err(e) => {
            let _ = (e.to_string(), e.kind());
        }
        Ok(v) => {
            let _ = v.key_fingerprint();
            if let Err(e) = v.root_commitment() {
                let _ = e.to_string();
            }
            let l = &v.body().liabilities;
            let _ = (l.root(), l.height(), l.customers());
            l.totals()
                .expect("a parsed attestation's totals are readable in base units");
            if let Some(v2) = l.v2() {
                v2.root_v2()
                    .expect("a parsed v2 section is read by por-tree's por-root-v2 parser");
            }
        }
    }
});
