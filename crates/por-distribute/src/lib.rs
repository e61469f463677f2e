//! # por-distribute
//!
//! The administrator's distribution (`docs/distribution.md`): turning the
//! attested liabilities register into a pro-rata payout that every customer
//! can check.
//!
//! - [`allocate`]: the allocation rule on integers (`floor(claim × available
//!   ÷ total)`, the remainder by largest fractional remainder, ties by leaf
//!   order), the holdback and de-minimis split, the JPY valuation of a
//!   shortfall; [`wide`]: the exact 256-bit intermediates it needs.
//! - [`plan`]: every column of a distribution (each asset, then the JPY
//!   top-up) and its totals.
//! - [`tree`]: the distribution Merkle-sum tree (the liabilities tree's
//!   construction under its own domain tags); [`proof`]: a customer's
//!   `por-distribution-proof-v1`.
//! - [`statement`]: the signed `por-distribution-v1` statement.
//! - [`policy`] (feature `policy`): the distribution policy file;
//!   [`recheck`] (same feature): an auditor's recheck of a signed
//!   statement from the exchange's records.
//!
//! The crate does no I/O and builds for `wasm32-unknown-unknown`.
//!
//! What a customer runs (and what the browser page should call):
//! [`statement::VerifiedStatement::from_json`], then
//! [`proof::DistributionProof::from_json`] and [`check_proof`].

pub mod allocate;
pub mod plan;
#[cfg(feature = "policy")]
pub mod policy;
pub mod proof;
#[cfg(feature = "policy")]
pub mod recheck;
pub mod statement;
pub mod tree;
pub mod wide;

pub use allocate::{pro_rata, AllocError, Price, Split};
pub use plan::{ColumnTotals, Plan, PlanError, PlanInput, TopUp};
pub use proof::DistributionProof;
pub use statement::{StatementBody, StatementError, VerifiedStatement};
pub use tree::DistributionTree;

use core::fmt;

/// Why a customer's distribution proof does not check against a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofCheckError {
    /// The proof's assets or top-up column differ from the statement's.
    Columns,
    /// The path does not lead to the statement's root and totals.
    Path(por_tree::VerifyError),
}

impl ProofCheckError {
    /// A short, stable name.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            ProofCheckError::Columns => "columns-mismatch",
            ProofCheckError::Path(e) => e.kind(),
        }
    }
}

impl fmt::Display for ProofCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofCheckError::Columns => {
                f.write_str("the proof's assets (or its JPY top-up column) are not the statement's")
            }
            ProofCheckError::Path(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ProofCheckError {}

/// Checks a customer's proof against a verified statement: the same
/// assets (symbols, decimals, order) and top-up column, and a path that
/// reaches the statement's distribution root with the sums its totals
/// imply. On success the proof's [`DistributionProof::split`]s are the
/// customer's claim and payout under the statement.
///
/// # Errors
///
/// [`ProofCheckError`] saying what differs.
pub fn check_proof(
    statement: &VerifiedStatement,
    proof: &DistributionProof,
) -> Result<(), ProofCheckError> {
    check_proof_against_body(statement.body(), proof)
}

/// [`check_proof`] against a statement body whose signature the caller
/// checks separately (or not at all: the test vectors, an auditor comparing
/// a plan before it is signed). Nothing it concludes is signed.
///
/// # Errors
///
/// [`ProofCheckError`] saying what differs.
pub fn check_proof_against_body(
    body: &StatementBody,
    proof: &DistributionProof,
) -> Result<(), ProofCheckError> {
    let same_assets = body.assets.len() == proof.assets().len()
        && body
            .assets
            .iter()
            .zip(proof.assets())
            .all(|(a, b)| a.symbol == b.symbol() && a.decimals == b.decimals());
    if !same_assets || body.top_up.is_some() != proof.has_top_up() {
        return Err(ProofCheckError::Columns);
    }
    proof
        .verify(&body.root_commitment())
        .map_err(ProofCheckError::Path)
}

/// Serde: one amount as a decimal string of base units.
pub(crate) mod amount_string {
    use por_tree::Amount;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Amount, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&v.to_base_units())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Amount::from_base_units_str(&s).map_err(serde::de::Error::custom)
    }
}
