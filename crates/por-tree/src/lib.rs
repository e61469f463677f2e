//! # por-tree
//!
//! The liabilities side of `por`, a proof-of-reserves verifier: exact
//! amounts (`u128` base units, checked), assets, the balances export (CSV),
//! the liabilities Merkle-sum tree (format v1, byte-exact per `DESIGN.md`),
//! customer inclusion proofs (`por-proof-v1`), and the publication a
//! customer checks her proof against with the verdict every surface shows
//! (`customer`). It knows no other `por` crate: the attestation, the reserve
//! engine and the audit (`por_core`) build on it. `ARCHITECTURE.md` at the
//! repository root has the map.
//!
//! This crate does no I/O and needs no threads (the `parallel` feature adds
//! rayon for the exchange's build), so it compiles unchanged for
//! `wasm32-unknown-unknown` and runs in the customer's browser. It uses
//! `std` (which that target has) rather than `no_std`: the JSON and CSV
//! readers it needs are `std` crates.
//!
//! ```
//! use por_tree::{AssetList, InclusionProof, Ledger, LiabilitiesTree, SnapshotSecret};
//!
//! let assets = AssetList::from_spec("BTC:8,ETH:18")?;
//! let ledger = Ledger::from_csv(b"user_id,BTC,ETH\nalice,0.5,1\nbob,2,0\n", &assets)?;
//! let secret = SnapshotSecret::from_byte_array([42; 32]);
//! let (tree, customers) = LiabilitiesTree::build(&assets, &ledger, &secret)?;
//!
//! // The exchange hands alice her proof; she checks it against the published root.
//! let index = customers.position("alice").expect("alice is a customer");
//! let json = tree.proof(&customers, index)?.to_json();
//! let proof = InclusionProof::from_json(&json)?;
//! let verified = proof.verify(&tree.root())?;
//! assert_eq!(verified.proof().balances()[0].display_in(8).to_string(), "0.5");
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

pub mod amount;
pub mod asset;
pub mod customer;
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
