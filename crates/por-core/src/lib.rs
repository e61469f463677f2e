//! # por-core
//!
//! The pure logic of `por` above the liabilities tree and the attestation:
//! the auditor's asset registry and the audit. The tree, amounts, assets and
//! customer proofs are `por_tree`; the signed attestation is `por_attest`;
//! wallet ownership (BIP-322, legacy signed messages, EIP-191, the reserves
//! message) is `por_ownership`, which the audit and the registry use; the
//! reserve engine the audit runs is `por_reserve`. None of them knows this
//! crate. `ARCHITECTURE.md` at the repository root has
//! the map.
//!
//! This crate does no I/O, parses nothing from the command line and needs no
//! threads (the `parallel` feature adds rayon for the audit's ownership
//! checks), so it compiles unchanged for `wasm32-unknown-unknown` and runs in
//! the customer's browser. It uses `std` (which that target has) rather than
//! `no_std`: the JSON and TOML readers it needs are `std` crates.

pub mod audit;
pub mod registry;
