//! # por-audit
//!
//! The audit: the auditor's asset registry (`registry`: which contract a
//! symbol means) and every check of `por audit` over data already fetched
//! (`audit`), and the exchange's side of the same checks before it
//! signs an attestation (`draft`). The tree, amounts, assets and
//! customer proofs are `por_tree`; the signed attestation is `por_attest`;
//! wallet ownership (BIP-322, legacy signed messages, EIP-191, the reserves
//! message) is `por_ownership`, which the audit and the registry use; the
//! reserve engine the audit runs is `por_reserve`. None of them knows this
//! crate. `ARCHITECTURE.md` at the repository root has
//! the map.
//!
//! This crate does no I/O, parses nothing from the command line and needs no
//! threads (the `parallel` feature adds rayon for the audit's ownership
//! checks), so it compiles for `wasm32-unknown-unknown` (with clang, for the
//! C that rust-bitcoin compiles); the browser page does not use it. It uses
//! `std` rather than `no_std`: the JSON and TOML readers it needs are `std`
//! crates.

pub mod audit;
pub mod draft;
pub mod registry;
