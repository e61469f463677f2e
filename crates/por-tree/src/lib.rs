#![doc = include_str!("../README.md")]

pub mod amount;
pub mod asset;
#[cfg(feature = "csv")]
pub mod bounded;
pub mod customer;
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
