//! Checking that a transaction input spends its previous output.
//!
//! Single-key scripts (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR key path with
//! `SIGHASH_ALL`/`SIGHASH_DEFAULT`) are checked here without a script
//! interpreter, so a build without the `consensus` feature (a wasm32 one)
//! checks them too: legacy, BIP-143 and BIP-341 sighashes (rust-bitcoin's
//! `SighashCache`), then ECDSA or BIP-340 Schnorr with k256, the crate's one
//! curve library (legacy and EVM key recovery, the `precomputed-tables`
//! feature) rather than rust-bitcoin's libsecp256k1. Every other script
//! (multisig, time locks, taproot script paths, other sighash types) needs a
//! full script interpreter: with the `consensus` feature that is Bitcoin
//! Core's own (`bitcoinconsensus`); without it the answer is
//! [`SpendFailure::NeedsInterpreter`], never a guess.

use core::fmt;

use k256::ecdsa::{Signature as EcdsaSignature, VerifyingKey};
use k256::schnorr::{Signature as SchnorrSignature, VerifyingKey as XOnlyKey};

use ::bitcoin::script::Instruction;
use ::bitcoin::WitnessVersion;
use ::bitcoin::{Amount, Script, ScriptBuf, Witness};

use crate::reason::InvalidReason;

use super::encode::{hash160, Transaction, TxOut};
use crate::hazmat::sighash::{legacy_sighash_all, segwit_v0_sighash_all, taproot_key_path_sighash};

/// A script type the pure verifier cannot evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScriptKind {
    /// Native segwit script hash (multisig, time locks, ...).
    P2wsh,
    /// P2SH wrapping a script other than P2WPKH (bare multisig, P2SH-P2WSH, ...).
    P2sh,
    /// Taproot script path (or key path with an annex).
    P2trScriptPath,
    /// A single-key script signed with a sighash type other than ALL/DEFAULT.
    UncommonSighash,
    /// Any other output script.
    Other,
}

impl ScriptKind {
    /// A short description for reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptKind::P2wsh => "p2wsh script",
            ScriptKind::P2sh => "p2sh script (multisig or wrapped script)",
            ScriptKind::P2trScriptPath => "taproot script path",
            ScriptKind::UncommonSighash => "single-key spend with an uncommon sighash type",
            ScriptKind::Other => "non-standard output script",
        }
    }
}

impl fmt::Display for ScriptKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input does not (or cannot here) verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpendFailure {
    /// The script needs a full interpreter, and this build has none.
    NeedsInterpreter(ScriptKind),
    /// The input does not spend its output.
    Invalid(InvalidReason),
}

pub(crate) fn invalid(what: &'static str) -> SpendFailure {
    SpendFailure::Invalid(InvalidReason::InputShape { what })
}

/// Verifies input `index` of `tx`, whose previous outputs (one per input, in
/// order) are `prevouts`, with the pure-Rust single-key verifier.
///
/// # Errors
///
/// [`SpendFailure`] as above.
pub fn verify_input_pure(
    tx: &Transaction,
    index: usize,
    prevouts: &[TxOut],
) -> Result<(), SpendFailure> {
    if prevouts.len() != tx.input.len() {
        return Err(invalid("one previous output per input is needed"));
    }
    let input = tx
        .input
        .get(index)
        .ok_or_else(|| invalid("input index out of range"))?;
    let prev = prevouts
        .get(index)
        .ok_or_else(|| invalid("missing previous output"))?;
    let spk = prev.script_pubkey.as_script();
    match spk.as_bytes() {
        [0x00, 0x14, h @ ..] if h.len() == 20 => {
            if !input.script_sig.is_empty() {
                return Err(invalid("native segwit input has a non-empty scriptSig"));
            }
            verify_p2wpkh(tx, index, prev.value, h, &input.witness)
        }
        [0xa9, 0x14, h @ .., 0x87] if h.len() == 20 => {
            let pushes = parse_pushes(&input.script_sig)
                .ok_or_else(|| invalid("scriptSig is not push-only"))?;
            let [redeem] = pushes.as_slice() else {
                return Err(SpendFailure::NeedsInterpreter(ScriptKind::P2sh));
            };
            if hash160(redeem) != h {
                return Err(SpendFailure::Invalid(InvalidReason::HashMismatch {
                    what: "redeem script",
                }));
            }
            match redeem.as_slice() {
                [0x00, 0x14, wh @ ..] if wh.len() == 20 => {
                    verify_p2wpkh(tx, index, prev.value, wh, &input.witness)
                }
                r if is_unencumbered_witness(r, true) => {
                    Err(SpendFailure::Invalid(InvalidReason::UnencumberedWitness))
                }
                _ => Err(SpendFailure::NeedsInterpreter(ScriptKind::P2sh)),
            }
        }
        [0x76, 0xa9, 0x14, h @ .., 0x88, 0xac] if h.len() == 20 => {
            if !input.witness.is_empty() {
                return Err(invalid("P2PKH input carries a witness"));
            }
            let pushes = parse_pushes(&input.script_sig)
                .ok_or_else(|| invalid("scriptSig is not push-only"))?;
            let [sig, pk] = pushes.as_slice() else {
                return Err(invalid("P2PKH scriptSig is not <signature> <public key>"));
            };
            if hash160(pk) != h {
                return Err(SpendFailure::Invalid(InvalidReason::HashMismatch {
                    what: "public key",
                }));
            }
            let (der, hash_type) = split_ecdsa(sig)?;
            if hash_type != 0x01 {
                return Err(SpendFailure::NeedsInterpreter(ScriptKind::UncommonSighash));
            }
            let digest = legacy_sighash_all(tx, index, spk)
                .map_err(|_| invalid("input index out of range"))?;
            ecdsa_verify(pk, der, &digest)
        }
        [0x51, 0x20, k @ ..] if k.len() == 32 => {
            if !input.script_sig.is_empty() {
                return Err(invalid("taproot input has a non-empty scriptSig"));
            }
            let (1, Some(sig)) = (input.witness.len(), input.witness.nth(0)) else {
                return Err(SpendFailure::NeedsInterpreter(ScriptKind::P2trScriptPath));
            };
            let (sig64, hash_type) = match sig.len() {
                64 => (sig, 0x00),
                65 if sig[64] != 0x00 => (&sig[..64], sig[64]),
                len => return Err(SpendFailure::Invalid(InvalidReason::SchnorrLength { len })),
            };
            if hash_type != 0x00 && hash_type != 0x01 {
                return Err(SpendFailure::NeedsInterpreter(ScriptKind::UncommonSighash));
            }
            let digest = taproot_key_path_sighash(tx, index, prevouts, hash_type)
                .map_err(|_| invalid("input index out of range"))?;
            let key = XOnlyKey::from_bytes(k).map_err(|_| {
                SpendFailure::Invalid(InvalidReason::BadPublicKey {
                    what: "taproot output key",
                })
            })?;
            let sig = SchnorrSignature::try_from(sig64).map_err(|_| {
                SpendFailure::Invalid(InvalidReason::SchnorrLength { len: sig64.len() })
            })?;
            key.verify_raw(&digest, &sig)
                .map_err(|_| SpendFailure::Invalid(InvalidReason::SchnorrMismatch))
        }
        [0x00, 0x20, h @ ..] if h.len() == 32 => {
            Err(SpendFailure::NeedsInterpreter(ScriptKind::P2wsh))
        }
        _ => Err(SpendFailure::NeedsInterpreter(ScriptKind::Other)),
    }
}

fn verify_p2wpkh(
    tx: &Transaction,
    index: usize,
    amount: Amount,
    h: &[u8],
    witness: &Witness,
) -> Result<(), SpendFailure> {
    let (2, Some(sig), Some(pk)) = (witness.len(), witness.nth(0), witness.nth(1)) else {
        return Err(SpendFailure::Invalid(InvalidReason::WitnessItems {
            script: "P2WPKH",
            got: witness.len(),
            expected: 2,
        }));
    };
    if pk.len() != 33 {
        return Err(SpendFailure::Invalid(InvalidReason::BadPublicKey {
            what: "P2WPKH key (must be 33-byte compressed)",
        }));
    }
    if hash160(pk) != h {
        return Err(SpendFailure::Invalid(InvalidReason::HashMismatch {
            what: "public key",
        }));
    }
    let (der, hash_type) = split_ecdsa(sig)?;
    if hash_type != 0x01 {
        return Err(SpendFailure::NeedsInterpreter(ScriptKind::UncommonSighash));
    }
    // BIP-143: the script code of P2WPKH is the P2PKH script of the same hash.
    let wpkh = ScriptBuf::from_bytes([&[0x00, 0x14], h].concat());
    let script_code = wpkh
        .p2wpkh_script_code()
        .ok_or_else(|| invalid("P2WPKH program is not 20 bytes"))?;
    let digest = segwit_v0_sighash_all(tx, index, &script_code, amount)
        .map_err(|_| invalid("input index out of range"))?;
    ecdsa_verify(pk, der, &digest)
}

fn split_ecdsa(sig: &[u8]) -> Result<(&[u8], u8), SpendFailure> {
    match sig.split_last() {
        Some((&ht, der)) if !der.is_empty() => Ok((der, ht)),
        _ => Err(SpendFailure::Invalid(InvalidReason::BadDer)),
    }
}

fn ecdsa_verify(pk: &[u8], der: &[u8], digest: &[u8; 32]) -> Result<(), SpendFailure> {
    let key = VerifyingKey::from_sec1_bytes(pk)
        .map_err(|_| SpendFailure::Invalid(InvalidReason::BadPublicKey { what: "public key" }))?;
    let sig =
        EcdsaSignature::from_der(der).map_err(|_| SpendFailure::Invalid(InvalidReason::BadDer))?;
    // k256 rejects high-S signatures here, as Bitcoin's LOW_S standardness
    // rule (which BIP-322 applies) does.
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    key.verify_prehash(digest, &sig)
        .map_err(|_| SpendFailure::Invalid(InvalidReason::EcdsaMismatch))
}

/// Splits a script into its pushed data; `None` if it has a non-push opcode
/// (`OP_1NEGATE` and `OP_1`..`OP_16` included: no single-key spend pushes a
/// number) or is truncated.
#[must_use]
pub fn parse_pushes(script: &Script) -> Option<Vec<Vec<u8>>> {
    script
        .instructions()
        .map(|i| match i {
            Ok(Instruction::PushBytes(b)) => Some(b.as_bytes().to_vec()),
            Ok(Instruction::Op(_)) | Err(_) => None,
        })
        .collect()
}

/// Whether `script` is a witness program that consensus leaves unencumbered:
/// a version 2..16 program, a version 1 program that is not 32 bytes, or
/// (when nested in P2SH, where taproot does not apply) any version 1 program.
fn is_unencumbered_witness(script: &[u8], nested: bool) -> bool {
    let script = Script::from_bytes(script);
    match script.witness_version() {
        None | Some(WitnessVersion::V0) => false,
        Some(WitnessVersion::V1) => script.len() != 34 || nested,
        Some(_) => true,
    }
}

/// Which verifier accepted an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checker {
    /// The pure-Rust single-key verifier (also in the browser build).
    PureRust,
    /// Bitcoin Core's consensus interpreter (native builds only).
    BitcoinCore,
}

impl Checker {
    /// A short name for reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Checker::PureRust => "pure-rust single-key verifier",
            Checker::BitcoinCore => "Bitcoin Core consensus interpreter",
        }
    }
}

/// Verifies input `index`: the pure verifier for single-key scripts, Core's
/// interpreter (when built in) for the rest.
///
/// This is the safe entry point. It first refuses an output that consensus
/// leaves unencumbered (a future witness version, or a version 1 program that
/// is not taproot), which anyone can spend and so proves nothing; the raw
/// interpreter it calls afterwards,
/// `hazmat::verify_input_consensus_unguarded` (`consensus` feature), does
/// not.
///
/// # Errors
///
/// [`SpendFailure`]: `NeedsInterpreter` only when the `consensus` feature is off.
pub fn verify_input(
    tx: &Transaction,
    index: usize,
    prevouts: &[TxOut],
) -> Result<Checker, SpendFailure> {
    // Consensus lets anyone spend an output of a future witness version (the
    // libconsensus interface has no DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM
    // flag), so such a "proof" would show nothing: refuse it outright.
    if prevouts
        .get(index)
        .is_some_and(|p| is_unencumbered_witness(p.script_pubkey.as_bytes(), false))
    {
        return Err(SpendFailure::Invalid(InvalidReason::UnencumberedWitness));
    }
    match verify_input_pure(tx, index, prevouts) {
        Ok(()) => Ok(Checker::PureRust),
        #[cfg(feature = "consensus")]
        Err(SpendFailure::NeedsInterpreter(_)) => {
            crate::hazmat::verify_input_consensus_unguarded(tx, index, prevouts)
                .map(|()| Checker::BitcoinCore)
        }
        Err(e) => Err(e),
    }
}
