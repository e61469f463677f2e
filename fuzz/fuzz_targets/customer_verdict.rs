//! The customer's verdict: a proof and a publication from fuzzed text.
//!
//! Input: selector bytes up to the first 0x1F (read with `arbitrary`, see
//! `Shape`), then the proof text and the publication text, separated by 0x1F.
//!
//! - Page path (`Shape::page`): `por_wasm::report::verify(proof,
//!   publication)`, the browser's parse of a root hash, tree summary or
//!   attestation and its report. Verified is only ever given when a
//!   publication was supplied, and the report is deterministic.
//! - Core path: `por_tree::customer::check` against nothing, an untrusted
//!   publication, or a `Publication` built from the proof's own root (or
//!   another) with fuzzed height, totals, assets and customer count.
//!   Verified only with a publication, only when the root hash the proof
//!   leads to is the published one and no compared item differs; an
//!   untrusted publication is always "publication untrusted".
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use por_tree::customer::{
    check, Against, Comparison, CustomerVerdict, NotVerifiedCause, Publication,
};
use por_tree::{Amount, AssetList, InclusionProof, NodeHash};

#[derive(Debug, Default, Arbitrary)]
enum RootChoice {
    /// The root the proof leads to.
    #[default]
    Computed,
    /// The root written in the proof.
    Claimed,
    /// Any other hash.
    Other([u8; 32]),
}

#[derive(Debug, Default, Arbitrary)]
enum TotalsChoice {
    #[default]
    None,
    /// The computed sums under the proof's symbols.
    Computed,
    /// The computed sums with one changed.
    OneOff(u8, u64),
    /// The computed sums under other symbols.
    Renamed,
}

#[derive(Debug, Default, Arbitrary)]
enum AgainstChoice {
    #[default]
    Publication,
    Nothing,
    Untrusted,
}

#[derive(Debug, Default, Arbitrary)]
struct Shape {
    page: bool,
    against: AgainstChoice,
    root: RootChoice,
    height_delta: Option<i8>,
    totals: TotalsChoice,
    same_assets: Option<bool>,
    customers: Option<u64>,
}

fn publication(proof: &InclusionProof, s: &Shape) -> Publication {
    let computed = proof.recompute_root().ok();
    let root = match &s.root {
        RootChoice::Computed => computed
            .as_ref()
            .map_or([0; 32], |c| c.hash.to_byte_array()),
        RootChoice::Claimed => proof.claimed_root().hash.to_byte_array(),
        RootChoice::Other(b) => *b,
    };
    let sums = computed
        .as_ref()
        .map_or_else(|| proof.claimed_root().sums.clone(), |c| c.sums.clone());
    let symbols: Vec<String> = proof
        .assets()
        .iter()
        .map(|a| a.symbol().to_owned())
        .collect();
    let totals = match s.totals {
        TotalsChoice::None => None,
        TotalsChoice::Computed => Some(symbols.iter().cloned().zip(sums).collect()),
        TotalsChoice::OneOff(i, d) => {
            let mut t: Vec<(String, Amount)> = symbols.iter().cloned().zip(sums).collect();
            if !t.is_empty() {
                let k = usize::from(i) % t.len();
                let v = t[k].1.to_base_units().wrapping_add(u128::from(d));
                t[k].1 = Amount::from_base_units(v);
            }
            Some(t)
        }
        TotalsChoice::Renamed => Some(symbols.iter().map(|s| format!("{s}X")).zip(sums).collect()),
    };
    let assets = s.same_assets.map(|same| {
        if same {
            proof.assets().clone()
        } else {
            AssetList::from_spec("ZZZ:1").expect("a valid spec")
        }
    });
    Publication {
        root: NodeHash::from_byte_array(root),
        height: s.height_delta.map(|d| {
            u32::try_from(proof.path().len())
                .unwrap_or(u32::MAX)
                .wrapping_add_signed(i32::from(d))
        }),
        totals,
        assets,
        customers: s.customers,
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, tail) = match data.iter().position(|b| *b == common::SEP) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let shape = Shape::arbitrary(&mut Unstructured::new(head)).unwrap_or_default();
    let fields = common::fields(Unstructured::new(tail));
    let proof_text = common::field(&fields, 0);
    let published_text = common::field(&fields, 1);

    if shape.page {
        let first = por_wasm::report::verify(proof_text, published_text);
        match &first {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(r) => {
                if published_text.trim().is_empty() {
                    assert!(!r.verified, "verified without a publication");
                }
                assert_eq!(r.verified, r.verdict == "verified");
            }
        }
        assert_eq!(
            first,
            por_wasm::report::verify(proof_text, published_text),
            "the report is deterministic"
        );
        return;
    }

    let Ok(proof) = InclusionProof::from_json(proof_text) else {
        return;
    };
    let p = publication(&proof, &shape);
    let against = match shape.against {
        AgainstChoice::Nothing => Against::Nothing,
        AgainstChoice::Untrusted => Against::Untrusted,
        AgainstChoice::Publication => Against::Publication(&p),
    };
    let c = check(&proof, against);
    assert_eq!(c, check(&proof, against), "the verdict is deterministic");
    let _ = c.comparisons.items();
    match against {
        Against::Nothing => assert_ne!(c.verdict, CustomerVerdict::Verified),
        Against::Untrusted => assert_eq!(
            c.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::PublicationUntrusted)
        ),
        Against::Publication(p) => {
            if c.verdict == CustomerVerdict::Verified {
                // Not `self_consistent`: a proof whose path leads to the
                // published root is verified even when the root written in
                // the file is another (that field is only a claim).
                assert_eq!(c.computed.as_ref().map(|r| r.hash), Some(p.root));
                assert!(c
                    .comparisons
                    .items()
                    .iter()
                    .all(|(_, x)| *x != Comparison::Differs));
            }
        }
    }
});
