#![doc = include_str!("../README.md")]
#![no_std]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod prelude;
#[cfg(feature = "v2")]
mod sync;

pub mod amount;
pub mod asset;
#[cfg(feature = "csv")]
pub mod bounded;
pub mod customer;
#[cfg(feature = "std")]
pub mod dir;
pub mod hash;
pub mod ledger;
pub mod proof;
pub mod summary;
pub mod tree;

pub use amount::{Amount, ParseAmountError};
pub use asset::{Asset, AssetError, AssetList};
pub use hash::{LeafId, NodeHash, Salt, SnapshotSecret};
pub use ledger::{Ledger, LedgerError};
pub use proof::{InclusionProof, ProofFormatError, VerifiedInclusion, VerifyError};
pub use summary::{SummaryError, TreeSummary};
pub use tree::{BuildError, Customers, Level, LiabilitiesTree, PathStep, RootCommitment};
#[cfg(feature = "v2")]
pub mod v2;
