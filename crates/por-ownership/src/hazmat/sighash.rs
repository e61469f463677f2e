//! Bitcoin signature hashes (legacy, BIP-143, BIP-341 key path), `SIGHASH_ALL`
//! and `SIGHASH_DEFAULT` only: rust-bitcoin's `SighashCache`.
//!
//! Raw digests: they check nothing about the transaction but the input index
//! (and, for BIP-341, that there is one previous output per input); the
//! verifiers in [`crate::bitcoin::spend`] check the rest first.

use ::bitcoin::hashes::Hash as _;
use ::bitcoin::sighash::{EcdsaSighashType, Prevouts, SighashCache, TapSighashType, TaprootError};
use ::bitcoin::transaction::InputsIndexError;
use ::bitcoin::{Amount, Script, Transaction, TxOut};

/// Legacy (pre-segwit) `SIGHASH_ALL` digest of input `index`, with
/// `script_code` in its place (no `OP_CODESEPARATOR` handling).
///
/// # Errors
///
/// If `index` is not an input of `tx`.
pub fn legacy_sighash_all(
    tx: &Transaction,
    index: usize,
    script_code: &Script,
) -> Result<[u8; 32], InputsIndexError> {
    SighashCache::new(tx)
        .legacy_signature_hash(index, script_code, EcdsaSighashType::All.to_u32())
        .map(|h| h.to_byte_array())
}

/// BIP-143 (segwit v0) `SIGHASH_ALL` digest of input `index`, which spends
/// `amount` under `script_code`.
///
/// # Errors
///
/// If `index` is not an input of `tx`.
pub fn segwit_v0_sighash_all(
    tx: &Transaction,
    index: usize,
    script_code: &Script,
    amount: Amount,
) -> Result<[u8; 32], InputsIndexError> {
    // `p2wsh_signature_hash` signs the script code it is given, which is what
    // BIP-143 needs whatever the script (for P2WPKH, the P2PKH template).
    SighashCache::new(tx)
        .p2wsh_signature_hash(index, script_code, amount, EcdsaSighashType::All)
        .map(|h| h.to_byte_array())
}

/// BIP-341 key-path digest of input `index` for `SIGHASH_DEFAULT` (0) or
/// `SIGHASH_ALL` (1), no annex; `prevouts` holds one output per input.
///
/// # Errors
///
/// If `index` is not an input of `tx`, `prevouts` is not one per input, or
/// `hash_type` is not a BIP-341 sighash type.
pub fn taproot_key_path_sighash(
    tx: &Transaction,
    index: usize,
    prevouts: &[TxOut],
    hash_type: u8,
) -> Result<[u8; 32], TaprootError> {
    let ty = TapSighashType::from_consensus_u8(hash_type)
        .map_err(|e| TaprootError::InvalidSighashType(e.0))?;
    SighashCache::new(tx)
        .taproot_key_spend_signature_hash(index, &Prevouts::All(prevouts), ty)
        .map(|h| h.to_byte_array())
}
