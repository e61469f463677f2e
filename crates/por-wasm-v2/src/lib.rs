//! # por-wasm-v2
//!
//! WebAssembly bindings of `por_tree::v2` for the customer's browser verifier
//! (`www/`): a customer's `por-proof-v2` checked against the exchange's
//! `por-root-v2` publication (or its root hash alone), by
//! `por_tree::v2::check`, the function `por verify` calls too.
//!
//! A third module beside `por-wasm` and `por-wasm-interop`: the page loads and
//! instantiates it only when a proof says `"format": "por-proof-v2"`, so the
//! curve (curve25519-dalek) and the range proofs (bulletproofs) are not in
//! what every customer loads first (docs/wasm.md). This crate only formats
//! the core's verdict: every check is `por_tree::v2`'s. Like the other two
//! modules, the answer crosses the boundary as a JSON string ([`check_json`],
//! tested natively).

use por_tree::customer::{CustomerVerdict, NotVerifiedCause};
use por_tree::v2::{self, ProofV2, RootV2, VerifyErrorV2};
use por_tree::{Amount, NodeHash};
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// Checks a `por-proof-v2` against `published`: the `por-root-v2` JSON the
/// exchange published, its root hash alone (64 hex digits, any case, white
/// space ignored), or nothing (blank: only the root written in the proof).
/// Returns the JSON of [`check_json`]; never throws.
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

/// What the customer gave as the published root.
///
/// An attestation that carries a v2 root would be one more variant: its
/// signature is checked where the attestation is parsed (the first module,
/// which has `por-attest`), and the root it signs is handed here as a
/// `RootV2` with its own source name.
enum Published {
    /// Nothing given: only the root written in the proof.
    Nothing,
    /// The root hash alone. The hash binds the height, the asset list and
    /// the root commitments, which are opened to the totals the proof
    /// states.
    Hash(NodeHash),
    /// The `por-root-v2` publication: hash, height, assets, totals and root
    /// blinding factors.
    Root(RootV2),
}

impl Published {
    /// The `root_source` of the report.
    fn source(&self) -> &'static str {
        match self {
            Published::Nothing => "proof",
            Published::Hash(_) => "published-hash",
            Published::Root(_) => "published-root",
        }
    }
}

fn failure(kind: &str, message: &str) -> Value {
    json!({ "ok": false, "error": kind, "message": message })
}

/// Reads the published root: blank, a `por-root-v2` document, or 64 hex
/// digits.
fn parse_published(text: &str) -> Result<Published, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Published::Nothing);
    }
    if text.starts_with('{') {
        let format = serde_json::from_str::<serde_json::Map<String, Value>>(text)
            .ok()
            .and_then(|mut m| m.remove("format"));
        return match format {
            Some(Value::String(f)) if f == v2::proof::ROOT_FORMAT_V2 => RootV2::from_json(text)
                .map(Published::Root)
                .map_err(|e| {
                    e.to_string()
                        .replacen("malformed", "malformed por-root-v2", 1)
                }),
            Some(other) => Err(format!(
                "a por-proof-v2 is checked against the exchange's por-root-v2 (or its root hash), not a document of format {other}"
            )),
            None if serde_json::from_str::<Value>(text).is_err() => {
                Err("not JSON, and not a root hash (64 hex digits)".to_owned())
            }
            None => Err(
                "a por-proof-v2 is checked against the exchange's por-root-v2 (\"format\": \"por-root-v2\") or its root hash; this JSON has no format (a v1 tree summary?)"
                    .to_owned(),
            ),
        };
    }
    let hex: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex.parse().map(Published::Hash).map_err(|_| {
        format!(
            "expected the por-root-v2 JSON or a root hash of 64 hex digits, got {} characters",
            text.chars().count()
        )
    })
}

/// The check behind [`check`], as a JSON value.
///
/// Either `{"ok": false, "error": "proof" | "root", "message"}` (the proof
/// or the published root cannot be read; the message names the field), or
/// the report:
///
/// - `verdict` (`verified`, `consistent-not-compared`, `not-verified`),
///   `verified`, `cause` (`root-differs`, `proof-inconsistent` or null) and
///   `failure` (`{"kind", "message"}`, the names of `vectors/tree-v2.json`);
/// - `root_source`: `published-root`, `published-hash` or `proof`;
/// - `user_id`, `position`, `height`, `max_customers` (`2^(height−1)`, the
///   most a tree of this height holds, as a decimal string);
/// - `assets`: per asset the `symbol`, `decimals`, `unit_exponent`, the
///   proof `unit` in asset units, the customer's exact `balance` (and
///   `balance_base_units`), the committed `units` (rounded up; null when
///   out of range), the `committed` amount they stand for, and `rounded_up`;
/// - `totals`: per asset `units` and the `amount` they stand for, from the
///   publication (`totals_published`) or the proof;
/// - `checked_root`, `proof_root`;
/// - `range_proofs`: `proofs` (aggregated proofs in the file), `commitments`
///   (`height × assets`, every sibling commitment on the path) and `valid`
///   (true only when every one was checked and verified);
/// - `comparisons` of `root_hash`, `height`, `assets` and `totals` with the
///   publication: `matches`, `differs`, `not-given`, `not-compared` (the
///   check stopped before it), or `under-hash` (a root hash alone was given:
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
        Err(m) => return failure("root", &format!("published root: {m}")),
    };
    let root = match &published {
        Published::Nothing => None,
        Published::Hash(h) => {
            let mut r = proof.claimed_root();
            r.hash = *h;
            Some(r)
        }
        Published::Root(r) => Some(r.clone()),
    };
    let (verdict, error) = v2::check(&proof, root.as_ref());
    report(&proof, &published, root.as_ref(), verdict, error.as_ref())
}

fn report(
    proof: &ProofV2,
    published: &Published,
    root: Option<&RootV2>,
    verdict: CustomerVerdict,
    error: Option<&VerifyErrorV2>,
) -> Value {
    let claimed = proof.claimed_root();
    let shown = root.unwrap_or(&claimed);
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
        "failure": error.map(|e| json!({"kind": e.as_str(), "message": e.to_string()})),
        "root_source": published.source(),
        "user_id": proof.user_id(),
        "position": proof.position().to_string(),
        "height": height,
        "max_customers": max_customers(height),
        "assets": assets,
        "totals": totals,
        "totals_published": matches!(published, Published::Root(_)),
        "checked_root": shown.hash.to_string(),
        "proof_root": claimed.hash.to_string(),
        "range_proofs": {
            "proofs": proof.range_proofs().len(),
            "commitments": usize::from(height) * k,
            "valid": all_checked,
        },
        "comparisons": comparisons(proof, published, verdict, error),
    })
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
fn comparisons(
    proof: &ProofV2,
    published: &Published,
    verdict: CustomerVerdict,
    error: Option<&VerifyErrorV2>,
) -> Value {
    let all = |v: &str| json!({"root_hash": v, "height": v, "assets": v, "totals": v});
    let root = match published {
        Published::Nothing => return all("not-given"),
        Published::Hash(_) => None,
        Published::Root(r) => Some(r),
    };
    match (verdict, root) {
        (CustomerVerdict::Verified, Some(_)) => all("matches"),
        (CustomerVerdict::Verified, None) => {
            json!({"root_hash": "matches", "height": "under-hash", "assets": "under-hash", "totals": "under-hash"})
        }
        (CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers), _) => {
            // The proof verified against its own root; the published one
            // stopped it at `error`. Items checked before it matched.
            let order = ["root_hash", "height", "assets", "totals"];
            let failed_at = match error {
                Some(VerifyErrorV2::RootHashMismatch { .. }) => Some(0),
                Some(VerifyErrorV2::HeightMismatch { .. }) => Some(1),
                // Before the root hash when the counts differ, after it
                // otherwise.
                Some(VerifyErrorV2::AssetMismatch) => {
                    if root.is_some_and(|r| r.assets.len() != proof.assets().len()) {
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
                        if root.is_some() || i == 0 {
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
