//! Ownership schemes other exchanges publish, so a regulator can check their
//! files as they are.
//!
//! - OKX EVM: `personal_sign` of `keccak256(message)` (see
//!   [`EvmHashing::PersonalSignOfKeccak`](super::evm::EvmHashing)).
//! - HTX EVM: raw `keccak256(message)` (see
//!   [`EvmHashing::RawKeccak`](super::evm::EvmHashing)).
//! - OKX Bitcoin multisig (this module): two legacy signed-message signatures
//!   plus the m-of-n redeem/witness script; the script must hash to the
//!   address (hash160 for P2SH, sha256 for P2WSH) and the two signatures must
//!   recover two distinct keys of the script. OKX's signers use the
//!   compressed-P2PKH header (31/32) whatever the address type, so the header's
//!   script-type bits are not read here.

use super::bitcoin::address::{Address, AddressKind};
use super::bitcoin::encode::{hash160, sha256};
use super::bitcoin::legacy::{signed_message_hash, LegacySignature};
use super::reason::InvalidReason;

/// A parsed `OP_m <key>* OP_n OP_CHECKMULTISIG` script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multisig {
    /// Signatures required.
    pub m: u8,
    /// Public keys (SEC1, 33 or 65 bytes).
    pub keys: Vec<Vec<u8>>,
}

/// Parses a bare multisig script.
///
/// # Errors
///
/// [`InvalidReason::NotMultisig`] saying what is wrong.
pub fn parse_multisig(script: &[u8]) -> Result<Multisig, InvalidReason> {
    let not = |what| InvalidReason::NotMultisig { what };
    let (&first, rest) = script.split_first().ok_or(not("is empty"))?;
    let (&last, rest) = rest.split_last().ok_or(not("is too short"))?;
    if last != 0xae {
        return Err(not("does not end with OP_CHECKMULTISIG"));
    }
    let (&n_op, mut body) = rest.split_last().ok_or(not("is too short"))?;
    let small = |op: u8| (0x51..=0x60).contains(&op).then(|| op - 0x50);
    let m = small(first).ok_or(not("does not start with OP_1..OP_16"))?;
    let n = small(n_op).ok_or(not("has no OP_1..OP_16 key count"))?;
    let mut keys = Vec::new();
    while let Some((&len, tail)) = body.split_first() {
        let len = usize::from(len);
        if len != 33 && len != 65 {
            return Err(not(
                "pushes something other than a 33- or 65-byte public key",
            ));
        }
        let key = tail.get(..len).ok_or(not("is truncated"))?;
        keys.push(key.to_vec());
        body = &tail[len..];
    }
    if keys.len() != usize::from(n) || m > n {
        return Err(not(
            "has a key count that does not match its OP_n, or m > n",
        ));
    }
    Ok(Multisig { m, keys })
}

/// What the OKX multisig check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OkxMultisigVerified {
    /// Signatures required by the script.
    pub m: u8,
    /// Keys in the script.
    pub n: usize,
    /// `p2sh` or `p2wsh`.
    pub script_type: &'static str,
}

/// Verifies an OKX-style multisig ownership proof.
///
/// # Errors
///
/// A reason if it does not verify.
pub fn verify_okx_multisig(
    address: &Address,
    message: &[u8],
    signatures: &[LegacySignature],
    script: &[u8],
) -> Result<OkxMultisigVerified, InvalidReason> {
    let script_type = match address.kind() {
        AddressKind::P2sh(h) if hash160(script) == *h => "p2sh",
        AddressKind::P2wsh(h) if sha256(script) == *h => "p2wsh",
        AddressKind::P2sh(_) | AddressKind::P2wsh(_) => {
            return Err(InvalidReason::HashMismatch {
                what: "redeem script",
            })
        }
        other => {
            return Err(InvalidReason::MultisigAddressType {
                address_type: other.name(),
            })
        }
    };
    let ms = parse_multisig(script)?;
    let digest = signed_message_hash(address.coin().message_magic(), message);
    let mut signers: Vec<usize> = Vec::new();
    for (i, sig) in signatures.iter().enumerate() {
        let key = sig.recover(&digest)?;
        let c = key.to_encoded_point(true);
        let u = key.to_encoded_point(false);
        let pos = ms
            .keys
            .iter()
            .position(|k| k.as_slice() == c.as_bytes() || k.as_slice() == u.as_bytes())
            .ok_or(InvalidReason::SignerNotInScript { signature: i + 1 })?;
        if signers.contains(&pos) {
            return Err(InvalidReason::RepeatedSigner { signature: i + 1 });
        }
        signers.push(pos);
    }
    if signers.len() < usize::from(ms.m) {
        return Err(InvalidReason::TooFewSigners {
            got: signers.len(),
            need: ms.m,
        });
    }
    Ok(OkxMultisigVerified {
        m: ms.m,
        n: ms.keys.len(),
        script_type,
    })
}
