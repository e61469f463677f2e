//! # por-distribute
//!
//! The administrator's distribution (`docs/distribution.md`): turning the
//! attested liabilities register into a pro-rata payout that every customer
//! can check.
//!
//! - [`allocate`]: the allocation rule on integers (`floor(claim × available
//!   ÷ total)`, the remainder by largest fractional remainder, ties by leaf
//!   order), the holdback and de-minimis split, the JPY valuation of a
//!   shortfall.
//! - [`wide`]: the exact 256-bit intermediates the rule needs.
//!
//! The crate does no I/O and builds for `wasm32-unknown-unknown`; the policy
//! file reader is behind the default feature `policy` (TOML).

pub mod allocate;
pub mod wide;

pub use allocate::{pro_rata, AllocError, Price, Split};
