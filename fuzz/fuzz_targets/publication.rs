//! The publication a customer gives (`por verify --published`, the page):
//! `por_attest::publication::PublishedRoot::parse` on fuzzed text.
//!
//! - Never panics; the same text always reads the same way.
//! - A tree summary it accepts writes back (`TreeSummary::to_json`) to text
//!   that reads as the same summary.
//! - Only an attestation whose signature does not verify is untrusted
//!   (`publication()` is `None`); every other accepted form is compared, and
//!   its root is the one `root()` reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_attest::publication::PublishedRoot;
use por_tree::TreeSummary;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = PublishedRoot::parse(text);
    assert_eq!(first, PublishedRoot::parse(text), "deterministic");
    let Ok(p) = first else {
        return;
    };
    match p.publication() {
        Some(publication) => assert_eq!(publication.root, p.root()),
        None => {
            let a = p.attestation().expect("only an attestation is untrusted");
            assert!(a.signature().is_err());
        }
    }
    if let PublishedRoot::TreeSummary(s) = &p {
        let again = TreeSummary::from_json(&s.to_json()).expect("a written summary reads back");
        assert_eq!(&again, s);
    }
});
