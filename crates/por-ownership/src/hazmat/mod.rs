//! Raw building blocks that skip a check the safe API makes.
//!
//! <div class="warning">
//!
//! **Hazardous.** Every function here does less than its name in the safe
//! API suggests, and a caller that forgets the missing step accepts proofs
//! that prove nothing. Use [`verify`](crate::verify) (or
//! [`bitcoin::spend::verify_input`](crate::bitcoin::spend::verify_input) for
//! one transaction input) unless you are writing such a verifier yourself.
//!
//! </div>
//!
//! | here | what it skips | the safe path |
//! |---|---|---|
//! | `verify_input_consensus_unguarded` (`consensus` feature) | the refusal of outputs anyone can spend (future witness versions): a direct call accepts an arbitrary witness for them | [`verify_input`](crate::bitcoin::spend::verify_input) |
//! | [`recover_from_prehash_unverified`] | any comparison with an expected signer, the post-recovery verification, the low-S rule | [`verify`](crate::verify), [`EvmSignature::recover`](crate::EvmSignature::recover) |
//! | [`sighash`] | any check of the transaction but the input index (rust-bitcoin's `SighashCache` underneath) | the verifiers of [`bitcoin::spend`](crate::bitcoin::spend) |
//!
//! Named after RustCrypto's `signature::hazmat`: the hazard is in the module
//! path and in the function names, so it shows at every call site.

#[cfg(feature = "consensus")]
mod consensus;
mod recover;
pub mod sighash;

#[cfg(feature = "consensus")]
pub use consensus::verify_input_consensus_unguarded;
pub use recover::recover_from_prehash_unverified;
