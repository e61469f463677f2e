//! Liabilities tree format v2 (`docs/tree-v2.md`): Pedersen commitments on
//! ristretto255 instead of plain sums, a fixed height with customers at
//! pseudo-random positions (the customer count is hidden), aggregated
//! Bulletproofs range proofs over every sibling commitment a proof reveals,
//! and a root that commits to the format version, the height and the asset
//! list (symbols, decimals, proof units).
//!
//! - [`TreeV2::build`]: the exchange's sparse build; [`TreeV2::root`] is
//!   what it publishes (with the totals and root blinding factors);
//!   [`TreeV2::proof`] creates one customer's `por-proof-v2` on demand.
//! - [`store::build_stored`] builds and writes the stored tree
//!   (`tree-v2.bin`); [`store::StoredTreeV2::proof`] creates the same proof
//!   from it with one read per level, without rebuilding.
//! - [`ProofV2::from_json`] and [`ProofV2::verify`]: the customer's side;
//!   [`check`] gives the customer's verdict (shared by `por verify`).

pub mod format;
mod hazmat;
pub mod proof;
// The one module of `v2` that uses `std::io` (reads and writes through the
// caller's `Read + Seek` and `Write`): with the `std` feature only.
#[cfg(feature = "std")]
pub mod store;
pub mod tree;

pub use format::{AssetV2, AssetsV2, DEFAULT_HEIGHT};
pub use proof::{ProofFormatErrorV2, ProofV2, RootV2, Sibling, VerifiedV2, VerifyErrorV2};
pub use tree::{BuildErrorV2, TreeV2};

use crate::customer::{CustomerVerdict, NotVerifiedCause};

/// The customer's verdict on a v2 proof, and the reason when it is not
/// verified.
///
/// - With a published root: `Verified` when the proof verifies against it
///   (every check, range proofs included); otherwise `NotVerified`,
///   `RootDiffers` when the proof is valid against its own stated root but
///   that root is not the published one, `ProofInconsistent` when it is not
///   even valid against its own stated root.
/// - Without: `ConsistentNotCompared` when the proof verifies against the
///   root written in it (which anyone can write), else `ProofInconsistent`.
#[must_use]
pub fn check(
    proof: &ProofV2,
    published: Option<&RootV2>,
) -> (CustomerVerdict, Option<VerifyErrorV2>) {
    let own = proof.verify(&proof.claimed_root()).err();
    match (published, own) {
        (None, None) => (CustomerVerdict::ConsistentNotCompared, None),
        (_, Some(e)) => (
            CustomerVerdict::NotVerified(NotVerifiedCause::ProofInconsistent),
            Some(e),
        ),
        // Verifying against the same root again would repeat every check
        // (the range proofs dominate) for the same outcome.
        (Some(root), None) if *root == proof.claimed_root() => (CustomerVerdict::Verified, None),
        (Some(root), None) => match proof.verify(root) {
            Ok(_) => (CustomerVerdict::Verified, None),
            Err(e) => (
                CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers),
                Some(e),
            ),
        },
    }
}

/// A forged proof and root showing the attack range proofs stop (tests and
/// vectors only): the sibling of `user_id` at `level` gets `delta` taken off
/// its committed value of asset `asset` (so it may hold a negative value),
/// the root is recomputed from the forged path and its total lowered by
/// `delta`, so hashes and the root opening all agree; the range proofs are
/// made with the sibling's value lowered by `delta` modulo 2^64, the best a
/// cheating prover can claim. Returns `None` if there is no such customer.
#[doc(hidden)]
#[must_use]
pub fn forge_negative_sibling(
    tree: &TreeV2,
    user_id: &str,
    level: u8,
    asset: usize,
    delta: u64,
) -> Option<(ProofV2, RootV2)> {
    tree.forge_negative_sibling(user_id, level, asset, delta)
}
