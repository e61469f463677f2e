//! # por-wasm
//!
//! WebAssembly bindings of `por-tree`, `por-attest` and `por-distribute` for the customer's browser verifier
//! (`www/`). The page hands over the proof file and the exchange's published
//! root as text and gets back a JSON report (see [`report::Report`]): the
//! customer's verdict from `por_tree::customer` (verified, consistent but not
//! compared, not verified), each published item as matches / differs / not
//! given, the failing level and reason, the customer's balances in asset
//! units, the tree totals, height and root.
//!
//! [`check_distribution`] does the same for the administrator's
//! distribution: a customer's distribution proof against the signed
//! statement (see [`distribution::DistributionReport`]).
//!
//! The logic lives in [`report`] and [`distribution`] (over `por_attest::publication`) and is tested natively;
//! the exports below only convert errors into JavaScript errors. The report
//! crosses the boundary as a JSON string (parsed by the page) rather than
//! through `serde-wasm-bindgen`: `serde_json` is already in the module for the
//! proof, so this adds nothing to its size.

pub mod distribution;
pub mod report;

use wasm_bindgen::prelude::{wasm_bindgen, JsError};

/// Verifies a `por-proof-v1` proof against the exchange's published root
/// (64 hex digits or the JSON of `por tree build --json`), or, when
/// `published` is blank, against the root stated in the proof. Returns the
/// [`report::Report`] as JSON.
///
/// # Errors
///
/// Throws a JavaScript `Error` whose message names the file and field when the
/// proof or the published root cannot be read. A proof that does not verify
/// is not an error: the report says `"verdict": "not-verified"` and why.
#[wasm_bindgen]
pub fn verify(proof: &str, published: &str) -> Result<String, JsError> {
    report::verify_json(proof, published).map_err(|e| JsError::new(&e.to_string()))
}

/// Checks a customer's distribution proof (`por-distribution-proof-v1`)
/// against the administrator's signed statement (`por-distribution-v1`).
/// Returns the [`distribution::DistributionReport`] as JSON.
///
/// # Errors
///
/// Throws a JavaScript `Error` naming the file and field when the proof or
/// the statement cannot be read as its format. A statement whose signature
/// fails (`"verdict": "untrusted"`) and a proof that does not check
/// (`"not-verified"`) are not errors.
#[wasm_bindgen]
pub fn check_distribution(proof: &str, statement: &str) -> Result<String, JsError> {
    distribution::check_json(proof, statement).map_err(|e| JsError::new(&e.to_string()))
}

/// Returns this verifier's version (the crate version), shown on the page.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
