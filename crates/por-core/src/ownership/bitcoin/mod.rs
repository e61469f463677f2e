//! Bitcoin ownership proofs: addresses, transactions and sighashes, BIP-322
//! and legacy signed messages.

pub mod address;
pub mod bip322;
pub mod encode;
pub mod legacy;
pub mod spend;

pub use address::{Address, AddressError, AddressKind, Network, UtxoCoin};
pub use bip322::{Bip322Format, Bip322FormatError, Bip322Signature};
pub use legacy::{LegacyFormatError, LegacyPolicy, LegacySignature};
pub use spend::{Checker, ScriptKind};
