//! Bitcoin ownership proofs: addresses, transactions, BIP-322, legacy signed
//! messages and spending checks (the raw sighashes are in
//! [`hazmat::sighash`](crate::hazmat::sighash)).

pub mod address;
pub mod bip322;
pub mod encode;
pub mod legacy;
pub mod spend;

pub use address::{Address, AddressError, AddressKind, Network, UtxoCoin};
pub use bip322::{Bip322Format, Bip322FormatError, Bip322Signature};
pub use legacy::{LegacyFormatError, LegacyPolicy, LegacySignature};
pub use spend::{Checker, ScriptKind};
