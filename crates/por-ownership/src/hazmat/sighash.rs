//! Bitcoin signature hashes (legacy, BIP-143, BIP-341 key path), `SIGHASH_ALL`
//! and `SIGHASH_DEFAULT` only.
//!
//! Raw digests: they check nothing about the transaction, and the BIP-143
//! and BIP-341 ones panic on an input index out of range (the verifiers in
//! [`crate::bitcoin::spend`] check it first). Hand-written for now; the
//! issue's plan is rust-bitcoin's `SighashCache`.

use sha2::{Digest, Sha256};

use crate::bitcoin::encode::{sha256d, tagged_hash, write_var_bytes, Transaction, TxOut};

/// Legacy (pre-segwit) `SIGHASH_ALL` digest of input `index`.
///
/// An `index` out of range gives a digest that commits to no input's
/// script code (no panic); callers check the index first.
#[must_use]
pub fn legacy_sighash_all(tx: &Transaction, index: usize, script_code: &[u8]) -> [u8; 32] {
    let mut copy = tx.clone();
    for (i, input) in copy.inputs.iter_mut().enumerate() {
        input.script_sig = if i == index {
            script_code.to_vec()
        } else {
            Vec::new()
        };
        input.witness.clear();
    }
    let mut bytes = copy.encode(false);
    bytes.extend_from_slice(&1u32.to_le_bytes());
    sha256d(&bytes)
}

/// BIP-143 (segwit v0) `SIGHASH_ALL` digest of input `index`.
///
/// # Panics
///
/// If `index` is not an input of `tx` (callers check it first).
#[must_use]
pub fn segwit_v0_sighash_all(
    tx: &Transaction,
    index: usize,
    script_code: &[u8],
    amount: u64,
) -> [u8; 32] {
    let mut prevouts = Vec::new();
    let mut sequences = Vec::new();
    for i in &tx.inputs {
        prevouts.extend_from_slice(&i.prevout.txid);
        prevouts.extend_from_slice(&i.prevout.vout.to_le_bytes());
        sequences.extend_from_slice(&i.sequence.to_le_bytes());
    }
    let mut outputs = Vec::new();
    for o in &tx.outputs {
        o.encode_into(&mut outputs);
    }
    let input = &tx.inputs[index];
    let mut pre = Vec::with_capacity(160 + script_code.len());
    pre.extend_from_slice(&tx.version.to_le_bytes());
    pre.extend_from_slice(&sha256d(&prevouts));
    pre.extend_from_slice(&sha256d(&sequences));
    pre.extend_from_slice(&input.prevout.txid);
    pre.extend_from_slice(&input.prevout.vout.to_le_bytes());
    write_var_bytes(&mut pre, script_code);
    pre.extend_from_slice(&amount.to_le_bytes());
    pre.extend_from_slice(&input.sequence.to_le_bytes());
    pre.extend_from_slice(&sha256d(&outputs));
    pre.extend_from_slice(&tx.lock_time.to_le_bytes());
    pre.extend_from_slice(&1u32.to_le_bytes());
    sha256d(&pre)
}

/// BIP-341 key-path digest of input `index` for `SIGHASH_DEFAULT` (0) or
/// `SIGHASH_ALL` (1), no annex.
///
/// # Panics
///
/// If `index` is not an input of `tx` (callers check it first).
#[must_use]
pub fn taproot_key_path_sighash(
    tx: &Transaction,
    index: usize,
    prevouts: &[TxOut],
    hash_type: u8,
) -> [u8; 32] {
    let mut sp = Sha256::new();
    let mut sa = Sha256::new();
    let mut ss = Sha256::new();
    let mut sq = Sha256::new();
    for (i, p) in tx.inputs.iter().zip(prevouts) {
        sp.update(i.prevout.txid);
        sp.update(i.prevout.vout.to_le_bytes());
        sa.update(p.value.to_le_bytes());
        let mut spk = Vec::new();
        write_var_bytes(&mut spk, &p.script_pubkey);
        ss.update(&spk);
        sq.update(i.sequence.to_le_bytes());
    }
    let mut so = Sha256::new();
    for o in &tx.outputs {
        let mut b = Vec::new();
        o.encode_into(&mut b);
        so.update(&b);
    }
    let index = u32::try_from(index).expect("inputs were counted from a u32-bounded encoding");
    tagged_hash(
        "TapSighash",
        &[
            &[0x00, hash_type],
            &tx.version.to_le_bytes(),
            &tx.lock_time.to_le_bytes(),
            &sp.finalize(),
            &sa.finalize(),
            &ss.finalize(),
            &sq.finalize(),
            &so.finalize(),
            &[0x00],
            &index.to_le_bytes(),
        ],
    )
}
