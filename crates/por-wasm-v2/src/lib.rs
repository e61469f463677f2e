//! # por-wasm-v2
//!
//! WebAssembly bindings of `por_tree::v2` for the customer's browser verifier
//! (`www/`): a customer's `por-proof-v2` checked against what the exchange
//! published — its `por-root-v2`, its root hash alone, or the signed
//! attestation that carries the v2 root — by
//! `por_attest::publication::check_proof_v2`, the function `por verify`
//! calls too (one reader, `PublishedRoot::parse`, and one check for both).
//!
//! A third module beside `por-wasm` and `por-wasm-interop`: the page loads and
//! instantiates it only when a proof says `"format": "por-proof-v2"`, so the
//! curve (curve25519-dalek) and the range proofs (bulletproofs) are not in
//! what every customer loads first (docs/wasm.md). This crate only formats
//! the core's verdict: every check is `por_tree::v2`'s and, for an
//! attestation, its BIP-340 signature `por_attest`'s. Like the other two
//! modules, the answer crosses the boundary as a JSON string ([`check_json`],
//! tested natively).

use por_attest::publication::{self, ProofReportV2, PublishedRoot, RootSource};
use por_tree::customer::{CustomerVerdict, NotVerifiedCause};
use por_tree::v2::{self, ProofV2, VerifyErrorV2};
use por_tree::Amount;
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// Checks a `por-proof-v2` against `published`: the `por-root-v2` JSON the
/// exchange published, its root hash alone (64 hex digits, any case, white
/// space ignored), the signed attestation carrying the v2 root, or nothing
/// (blank: only the root written in the proof). Returns the JSON of
/// [`check_json`]; never throws.
#[wasm_bindgen]
#[must_use]
pub fn check(proof: &str, published: &str) -> String {
    check_json(proof, published).to_string()
}

/// Returns this module's version (the crate version).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The report's `root_source`: what the root checked against came from.
/// The page's names: a `por-root-v2` is `published-root`, a format v1 tree
/// summary `published-summary` (never the root of a v2 proof). A form this
/// crate does not know is `unknown`, which the page does not pass.
fn source_name(published: Option<&PublishedRoot>) -> &'static str {
    match published {
        None => "proof",
        Some(PublishedRoot::Hash(_)) => "published-hash",
        Some(PublishedRoot::RootV2(_)) => "published-root",
        Some(PublishedRoot::TreeSummary(_)) => "published-summary",
        Some(PublishedRoot::Attestation(_)) => "attestation",
        Some(_) => "unknown",
    }
}

fn failure(kind: &str, message: &str) -> Value {
    json!({ "ok": false, "error": kind, "message": message })
}

/// Reads the published root with the one reader `por verify` uses too:
/// blank is no publication; otherwise a root hash, a `por-root-v2`, or a
/// signed attestation (its signature checked here). A format v1 publication
/// reads too, and is then refused by the check (a v2 proof cannot lead to a
/// v1 root).
fn parse_published(text: &str) -> Result<Option<PublishedRoot>, String> {
    let text = text.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return Ok(None);
    }
    PublishedRoot::parse(text)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The check behind [`check`], as a JSON value.
///
/// Either `{"ok": false, "error": "proof" | "root", "message"}` (the proof
/// or the published root cannot be read; the message names the field), or
/// the report:
///
/// - `verdict` (`verified`, `consistent-not-compared`, `not-verified`),
///   `verified`, `cause` (`root-differs`, `proof-inconsistent`,
///   `publication-untrusted` or null) and `failure` (`{"kind", "message"}`:
///   the names of `vectors/tree-v2.json`, `bad-signature` for an
///   attestation whose signature does not verify, `format-mismatch` for a
///   format v1 publication);
/// - `root_source`: `published-root`, `published-hash`, `attestation` or
///   `proof`;
/// - `attestation`: for an attestation, whether its signature verified and
///   what it names (`por_attest::publication::AttestationSummary`), else
///   null;
/// - `user_id`, `position`, `height`, `max_customers` (`2^(height−1)`, the
///   most a tree of this height holds, as a decimal string);
/// - `assets`: per asset the `symbol`, `decimals`, `unit_exponent`, the
///   proof `unit` in asset units, the customer's exact `balance` (and
///   `balance_base_units`), the committed `units` (rounded up; null when
///   out of range), the `committed` amount they stand for, and `rounded_up`;
/// - `totals`: per asset `units` and the `amount` they stand for, from the
///   publication (`totals_published`) or the proof;
/// - `checked_root`, `proof_root`;
/// - `range_proofs`: `commitments` (`height × assets`, every sibling
///   commitment on the path), `padded_to` (the parties of the file's one
///   aggregated range proof: `commitments` rounded up to a power of two
///   with commitments to zero) and `valid` (true only when it was checked
///   and verified);
/// - `comparisons` of `root_hash`, `height`, `assets` and `totals` with the
///   publication: `matches`, `differs`, `not-given`, `not-compared` (the
///   check stopped before it, or the publication is untrusted or of format
///   v1), or `under-hash` (a root hash alone was given:
///   the item is the one that hash commits to, not compared with a
///   published figure).
#[must_use]
pub fn check_json(proof: &str, published: &str) -> Value {
    let proof = match ProofV2::from_json(proof.trim_start_matches('\u{feff}')) {
        Ok(p) => p,
        Err(e) => {
            return failure(
                "proof",
                &e.to_string().replacen("malformed", "malformed proof", 1),
            )
        }
    };
    let published = match parse_published(published) {
        Ok(p) => p,
        Err(m) => return failure("root", &m),
    };
    let checked = publication::check_proof_v2(&proof, published.as_ref());
    report(&proof, published.as_ref(), &checked)
}

fn report(proof: &ProofV2, published: Option<&PublishedRoot>, checked: &ProofReportV2) -> Value {
    let verdict = checked.verdict;
    let claimed = proof.claimed_root();
    let shown = &checked.root;
    let height = proof.height();
    let k = proof.assets().len();
    let assets: Vec<Value> = proof
        .assets()
        .iter()
        .zip(proof.balances())
        .map(|(a, b)| {
            let d = a.asset().decimals();
            let units = a.to_units(*b);
            let committed = units.and_then(|u| in_base_units(u, a.unit_exponent()));
            json!({
                "symbol": a.asset().symbol(),
                "decimals": d,
                "unit_exponent": a.unit_exponent(),
                "unit": in_base_units(1, a.unit_exponent()).map(|u| u.display_in(d).to_string()),
                "balance": b.display_in(d).to_string(),
                "balance_base_units": b.to_string(),
                "units": units.map(|u| u.to_string()),
                "committed": committed.map(|c| c.display_in(d).to_string()),
                "rounded_up": committed.is_some_and(|c| c != *b),
            })
        })
        .collect();
    let totals: Vec<Value> = shown
        .assets
        .iter()
        .zip(&shown.totals)
        .map(|(a, t)| {
            let d = a.asset().decimals();
            json!({
                "symbol": a.asset().symbol(),
                "units": t.to_string(),
                "unit_exponent": a.unit_exponent(),
                "amount": in_base_units(*t, a.unit_exponent()).map(|x| x.display_in(d).to_string()),
            })
        })
        .collect();
    let all_checked = matches!(
        verdict,
        CustomerVerdict::Verified | CustomerVerdict::ConsistentNotCompared
    );
    json!({
        "ok": true,
        "format": v2::proof::PROOF_FORMAT_V2,
        "verdict": verdict.as_str(),
        "verified": verdict == CustomerVerdict::Verified,
        "cause": match verdict { CustomerVerdict::NotVerified(c) => Some(c.as_str()), _ => None },
        "failure": failure_of(checked),
        "root_source": source_name(published),
        "user_id": proof.user_id(),
        "position": proof.position().to_string(),
        "height": height,
        "max_customers": max_customers(height),
        "assets": assets,
        "totals": totals,
        "totals_published": checked.totals_published,
        "checked_root": shown.hash.to_string(),
        "proof_root": claimed.hash.to_string(),
        "range_proofs": {
            "commitments": usize::from(height) * k,
            "padded_to": v2::proof::range_proof_parties(usize::from(height) * k),
            "valid": all_checked,
        },
        "comparisons": comparisons(proof, checked),
        "attestation": published
            .and_then(PublishedRoot::attestation)
            .map(|a| serde_json::to_value(a.summary()).unwrap_or(Value::Null)),
    })
}

/// Why the proof did not verify, as `{"kind", "message"}`: the failed check
/// of the proof, or why the publication could not be compared at all (a
/// format v1 publication, an attestation whose signature does not verify).
fn failure_of(checked: &ProofReportV2) -> Value {
    if let Some(e) = &checked.failure {
        return json!({"kind": e.as_str(), "message": e.to_string()});
    }
    if let Some(m) = &checked.format_mismatch {
        return json!({"kind": "format-mismatch", "message": m});
    }
    if let Some(e) = &checked.signature_error {
        return json!({"kind": e.kind(), "message": e.to_string()});
    }
    Value::Null
}

/// `units · 10^e` base units, `None` if that exceeds `u128` (never for a
/// valid tree's per-asset values, whose base-unit totals were `u128`).
fn in_base_units(units: u64, e: u8) -> Option<Amount> {
    10u128
        .checked_pow(u32::from(e))
        .and_then(|p| p.checked_mul(u128::from(units)))
        .map(Amount::from_base_units)
}

/// `2^(h−1)`, the most customers a tree of height `h` holds (`docs/tree-v2.md`).
fn max_customers(height: u8) -> Option<String> {
    let shift = u32::from(height).checked_sub(1)?;
    1u64.checked_shl(shift).map(|n| n.to_string())
}

/// Which published items were compared, from the verdict and the order in
/// which `ProofV2::verify` checks them (`docs/tree-v2.md`, "Verification"):
/// asset count, path, root hash, height, asset list, root opening, range
/// proofs; the first failure ends the check.
fn comparisons(proof: &ProofV2, checked: &ProofReportV2) -> Value {
    let all = |v: &str| json!({"root_hash": v, "height": v, "assets": v, "totals": v});
    if checked.source == RootSource::Proof {
        return all("not-given");
    }
    // A v1 publication, or an attestation whose signature does not verify:
    // nothing in it was compared.
    if checked.format_mismatch.is_some() || checked.signature_error.is_some() {
        return all("not-compared");
    }
    // A `por-root-v2` or a signed attestation states every item; a root
    // hash alone binds them without stating them.
    let stated = checked.totals_published;
    let error = checked.failure.as_ref();
    match checked.verdict {
        CustomerVerdict::Verified if stated => all("matches"),
        CustomerVerdict::Verified => {
            json!({"root_hash": "matches", "height": "under-hash", "assets": "under-hash", "totals": "under-hash"})
        }
        CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers) => {
            // The proof verified against its own root; the published one
            // stopped it at `error`. Items checked before it matched.
            let order = ["root_hash", "height", "assets", "totals"];
            let failed_at = match error {
                Some(VerifyErrorV2::RootHashMismatch { .. }) => Some(0),
                Some(VerifyErrorV2::HeightMismatch { .. }) => Some(1),
                // Before the root hash when the counts differ, after it
                // otherwise.
                Some(VerifyErrorV2::AssetMismatch) => {
                    if stated && checked.root.assets.len() != proof.assets().len() {
                        return json!({"root_hash": "not-compared", "height": "not-compared", "assets": "differs", "totals": "not-compared"});
                    }
                    Some(2)
                }
                Some(VerifyErrorV2::RootOpeningMismatch { .. }) => Some(3),
                _ => None,
            };
            let mut m = serde_json::Map::new();
            for (i, item) in order.iter().enumerate() {
                let v = match failed_at {
                    Some(f) if i < f => {
                        if stated || i == 0 {
                            "matches"
                        } else {
                            "under-hash"
                        }
                    }
                    Some(f) if i == f => "differs",
                    _ => "not-compared",
                };
                m.insert((*item).to_owned(), json!(v));
            }
            Value::Object(m)
        }
        // Inconsistent in itself: never compared with the publication.
        _ => all("not-compared"),
    }
}

#[cfg(test)]
mod tests;
