//! Bitcoin consensus encoding, through rust-bitcoin.
//!
//! Transactions, inputs, outputs, scripts and witnesses are rust-bitcoin's
//! types (re-exported here); their decoders take untrusted bytes without
//! panicking and bound every allocation. What stays here:
//!
//! - hashes with fixed-size results ([`sha256`], [`sha256d`], [`hash160`]),
//!   rust-bitcoin's `bitcoin_hashes` underneath;
//! - [`write_var_bytes`], for the message framings rust-bitcoin does not know
//!   (the other coins' signed-message magics, OKX's OKC framing);
//! - [`decode_transaction`] and [`decode_witness`], which turn rust-bitcoin's
//!   decoding error (neither `Clone` nor `Eq`, as this crate's verdicts are)
//!   into a [`DecodeError`], and refuse a transaction without inputs, as
//!   Bitcoin Core's decoder does.

use core::fmt;

use ::bitcoin::consensus::encode::{self, Decodable, Encodable, VarInt};
use ::bitcoin::hashes::{hash160 as h160, sha256 as h256, sha256d as h256d, Hash as _};

pub use ::bitcoin::{Amount, OutPoint, Script, ScriptBuf, Transaction, TxIn, TxOut, Txid, Witness};

/// Double SHA-256.
#[must_use]
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    h256d::Hash::hash(data).to_byte_array()
}

/// SHA-256.
#[must_use]
pub fn sha256(data: &[u8]) -> [u8; 32] {
    h256::Hash::hash(data).to_byte_array()
}

/// RIPEMD-160 of SHA-256 (Bitcoin's `hash160`).
#[must_use]
pub fn hash160(data: &[u8]) -> [u8; 20] {
    h160::Hash::hash(data).to_byte_array()
}

/// Appends `compact_size(len(data)) || data`.
pub fn write_var_bytes(out: &mut Vec<u8>, data: &[u8]) {
    // Writing to a Vec cannot fail.
    let _ = VarInt(data.len() as u64).consensus_encode(out);
    out.extend_from_slice(data);
}

/// Why bytes did not decode as the Bitcoin structure expected: rust-bitcoin's
/// message, kept as text so verdicts stay `Clone` and `Eq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    message: String,
}

impl DecodeError {
    fn new(e: &encode::Error) -> DecodeError {
        DecodeError::from_message(e.to_string())
    }

    pub(crate) fn from_message(message: String) -> DecodeError {
        DecodeError { message }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

fn decode_all<T: Decodable>(bytes: &[u8]) -> Result<T, DecodeError> {
    encode::deserialize(bytes).map_err(|e| DecodeError::new(&e))
}

/// Decodes a whole transaction (BIP-144 witness format accepted).
///
/// # Errors
///
/// [`DecodeError`] on any malformed or trailing byte, and for a transaction
/// without inputs (which rust-bitcoin reads from a segwit marker followed by
/// an empty input list; Core refuses it).
pub fn decode_transaction(bytes: &[u8]) -> Result<Transaction, DecodeError> {
    let tx: Transaction = decode_all(bytes)?;
    if tx.input.is_empty() {
        return Err(DecodeError::from_message(
            "transaction has no inputs".to_owned(),
        ));
    }
    Ok(tx)
}

/// Serialises a transaction (with its witnesses, BIP-144, if it has any).
#[must_use]
pub fn encode_transaction(tx: &Transaction) -> Vec<u8> {
    encode::serialize(tx)
}

/// Decodes a complete witness stack (BIP-322 "simple" signature body).
///
/// # Errors
///
/// [`DecodeError`] if malformed or followed by extra bytes.
pub fn decode_witness(bytes: &[u8]) -> Result<Witness, DecodeError> {
    decode_all(bytes)
}

/// Serialises a witness stack: `count || var_bytes(item)*`.
#[must_use]
pub fn encode_witness(witness: &Witness) -> Vec<u8> {
    encode::serialize(witness)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_bytes_use_compact_sizes() {
        for (len, prefix) in [
            (0usize, vec![0u8]),
            (0xfc, vec![0xfc]),
            (0xfd, vec![0xfd, 0xfd, 0x00]),
            (0x1_0000, vec![0xfe, 0x00, 0x00, 0x01, 0x00]),
        ] {
            let mut v = Vec::new();
            write_var_bytes(&mut v, &vec![7u8; len]);
            assert_eq!(v.len(), prefix.len() + len);
            assert_eq!(v[..prefix.len()], prefix[..]);
        }
    }

    #[test]
    fn malformed_bytes_are_errors_not_allocations() {
        assert!(decode_witness(&[0xfe, 0xff, 0xff, 0xff, 0x7f]).is_err());
        // Non-canonical compact size.
        assert!(decode_witness(&[0xfd, 0x01, 0x00, 0x00]).is_err());
        assert!(decode_transaction(&[1, 0, 0, 0, 0xff, 1, 1, 1, 1, 1, 1, 1, 1]).is_err());
        // Segwit marker, then no inputs and no outputs.
        assert!(decode_transaction(&[1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
