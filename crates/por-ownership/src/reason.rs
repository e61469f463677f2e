//! Why a well-formed ownership proof does not verify.

use core::fmt;

use super::evm::EvmAddress;

/// Why a readable proof was rejected (as opposed to
/// [`MalformedError`](super::MalformedError), input that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReason {
    /// The ECDSA signature does not verify against the key.
    EcdsaMismatch,
    /// The BIP-340 Schnorr signature does not verify against the key.
    SchnorrMismatch,
    /// A public key that is not a valid secp256k1 point of the right size.
    BadPublicKey {
        /// Which key.
        what: &'static str,
    },
    /// A script signature that is not strict DER, or empty.
    BadDer,
    /// A Schnorr signature of the wrong length.
    SchnorrLength {
        /// Its length.
        len: usize,
    },
    /// A key or script that does not hash to the address.
    HashMismatch {
        /// What was hashed.
        what: &'static str,
    },
    /// The spending input does not have the shape its output type needs.
    InputShape {
        /// What is wrong.
        what: &'static str,
    },
    /// A witness with the wrong number of items.
    WitnessItems {
        /// Output type.
        script: &'static str,
        /// Items found.
        got: usize,
        /// Items expected.
        expected: usize,
    },
    /// Bitcoin Core's interpreter rejected the input.
    BitcoinCore {
        /// Core's error.
        detail: &'static str,
    },
    /// The BIP-322 `to_sign` does not spend `to_spend:0` (another message or address).
    WrongToSpend,
    /// The BIP-322 `to_sign` has other outputs than one 0-sat OP_RETURN.
    ToSignOutputs,
    /// A full signature with more than one input.
    FullInputs {
        /// Inputs found.
        count: usize,
    },
    /// A proof-of-funds input whose previous output is not in the PSBT.
    MissingPrevout {
        /// The input.
        input: usize,
    },
    /// A proof-of-funds input that does not verify.
    FundsInput {
        /// The input.
        input: usize,
        /// Why.
        reason: Box<InvalidReason>,
    },
    /// No public key can be recovered from the signature.
    NoKeyRecovered,
    /// The recovered key is not the address's (wrong message, key or address).
    RecoveredKeyMismatch,
    /// EVM: the signature recovers another address.
    SignerMismatch {
        /// Recovered.
        recovered: EvmAddress,
        /// Claimed.
        claimed: EvmAddress,
    },
    /// EVM: a malleable high-S signature (EIP-2).
    HighS,
    /// A legacy header that does not fit the address under the policy.
    HeaderPolicy {
        /// The header byte.
        header: u8,
        /// The address type.
        address_type: &'static str,
        /// The policy.
        policy: &'static str,
    },
    /// Policy `core` and an address that is not P2PKH.
    CoreNeedsP2pkh {
        /// The address type.
        address_type: &'static str,
    },
    /// A multisig proof for an address that is not P2SH or P2WSH.
    MultisigAddressType {
        /// The address type.
        address_type: &'static str,
    },
    /// The redeem script is not `OP_m <keys> OP_n OP_CHECKMULTISIG`.
    NotMultisig {
        /// What is wrong.
        what: &'static str,
    },
    /// A signature recovers a key that is not in the script.
    SignerNotInScript {
        /// 1-based signature number.
        signature: usize,
    },
    /// Two signatures by the same key.
    RepeatedSigner {
        /// 1-based signature number.
        signature: usize,
    },
    /// An output of a future witness version, which anyone can spend: it
    /// proves no control.
    UnencumberedWitness,
    /// Fewer distinct signers than the script requires.
    TooFewSigners {
        /// Distinct signers.
        got: usize,
        /// Required.
        need: u8,
    },
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidReason::EcdsaMismatch => write!(f, "ECDSA signature does not verify"),
            InvalidReason::SchnorrMismatch => write!(f, "Schnorr signature does not verify"),
            InvalidReason::BadPublicKey { what } => {
                write!(f, "{what} is not a valid secp256k1 public key")
            }
            InvalidReason::BadDer => write!(f, "signature is not strict DER"),
            InvalidReason::SchnorrLength { len } => {
                write!(f, "taproot signature is {len} bytes, expected 64 or 65")
            }
            InvalidReason::HashMismatch { what } => {
                write!(f, "{what} does not hash to the address")
            }
            InvalidReason::InputShape { what } => write!(f, "{what}"),
            InvalidReason::WitnessItems {
                script,
                got,
                expected,
            } => {
                write!(f, "{script} witness has {got} items, expected {expected}")
            }
            InvalidReason::BitcoinCore { detail } => {
                write!(f, "Bitcoin Core script check failed: {detail}")
            }
            InvalidReason::WrongToSpend => {
                write!(
                    f,
                    "to_sign does not spend to_spend:0 (wrong message or address)"
                )
            }
            InvalidReason::ToSignOutputs => {
                write!(
                    f,
                    "to_sign must have exactly one output: 0 sat to OP_RETURN"
                )
            }
            InvalidReason::FullInputs { count } => {
                write!(
                    f,
                    "full signature has {count} inputs, expected 1 (use pof for proof of funds)"
                )
            }
            InvalidReason::MissingPrevout { input } => {
                write!(
                    f,
                    "input {input}: no previous output given for it in the PSBT"
                )
            }
            InvalidReason::FundsInput { input, reason } => {
                write!(f, "proof-of-funds input {input}: {reason}")
            }
            InvalidReason::NoKeyRecovered => {
                write!(f, "no public key can be recovered from the signature")
            }
            InvalidReason::RecoveredKeyMismatch => {
                write!(
                    f,
                    "recovered key does not match the address (wrong message, key or address)"
                )
            }
            InvalidReason::SignerMismatch { recovered, claimed } => {
                write!(
                    f,
                    "signature recovers {}, not {}",
                    recovered.to_checksummed(),
                    claimed.to_checksummed()
                )
            }
            InvalidReason::HighS => {
                write!(
                    f,
                    "malleable high-S signature rejected (EIP-2: s must be at most n/2)"
                )
            }
            InvalidReason::HeaderPolicy {
                header,
                address_type,
                policy,
            } => {
                write!(
                    f,
                    "header {header} does not fit a {address_type} address under policy `{policy}`"
                )
            }
            InvalidReason::CoreNeedsP2pkh { address_type } => {
                write!(
                    f,
                    "policy `core` accepts only P2PKH addresses, this one is {address_type}"
                )
            }
            InvalidReason::MultisigAddressType { address_type } => {
                write!(
                    f,
                    "a multisig proof needs a P2SH or P2WSH address, not {address_type}"
                )
            }
            InvalidReason::NotMultisig { what } => write!(f, "redeem script {what}"),
            InvalidReason::SignerNotInScript { signature } => {
                write!(
                    f,
                    "signature {signature} recovers a key that is not in the script"
                )
            }
            InvalidReason::RepeatedSigner { signature } => {
                write!(f, "signature {signature} repeats a key already counted")
            }
            InvalidReason::UnencumberedWitness => write!(
                f,
                "the address is a future witness version that anyone can spend: a signature proves no control"
            ),
            InvalidReason::TooFewSigners { got, need } => {
                write!(f, "{got} distinct signer(s), the script needs {need}")
            }
        }
    }
}

impl std::error::Error for InvalidReason {}
