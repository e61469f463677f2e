//! Legacy "Bitcoin Signed Message" signatures: a 65-byte recoverable ECDSA
//! signature (header byte, r, s) over
//! `sha256d(varstr("Bitcoin Signed Message:\n") || varstr(message))`.
//!
//! The header byte (BIP-137) says how to turn the recovered key into an
//! address; wallets disagree on how strictly to read it, so the reading is an
//! explicit [`LegacyPolicy`] that every verdict reports.
//!
//! Written here rather than with rust-bitcoin's `sign_message`: its
//! `MessageSignature` reads only the P2PKH headers 27–34 (not BIP-137's
//! segwit headers 35–42 that wallets emit), and its `signed_msg_hash` is
//! fixed to Bitcoin's magic and to UTF-8 text, where the other coins have
//! their own magics and a message is bytes. The key is recovered with k256,
//! as for EVM signatures (see `hazmat::recover_from_prehash_unverified`).

use core::fmt;

use base64::Engine as _;
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use crate::reason::InvalidReason;

use super::address::{p2wpkh_redeem_script, Address, AddressKind};
use super::bip322::BASE64;
use super::encode::{hash160, sha256d, write_var_bytes};

/// The magic prefix of Bitcoin's signed messages.
pub const BITCOIN_MAGIC: &str = "Bitcoin Signed Message:\n";

/// `sha256d(varstr(magic) || varstr(message))`: rust-bitcoin's
/// `signed_msg_hash` for Bitcoin's magic (a test checks they agree), and
/// the same framing for the other coins' magics.
#[must_use]
pub fn signed_message_hash(magic: &str, message: &[u8]) -> [u8; 32] {
    let mut pre = Vec::with_capacity(magic.len() + message.len() + 10);
    write_var_bytes(&mut pre, magic.as_bytes());
    write_var_bytes(&mut pre, message);
    sha256d(&pre)
}

/// How the BIP-137 header byte must relate to the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LegacyPolicy {
    /// Bitcoin Core's `verifymessage`: P2PKH addresses only; the header's
    /// compression flag must match the key hashed into the address.
    CoreP2pkhOnly,
    /// BIP-137: header 27–30 uncompressed P2PKH, 31–34 compressed P2PKH,
    /// 35–38 P2SH-P2WPKH, 39–42 P2WPKH; the type must match the address.
    Bip137Strict,
    /// Electrum / Trezor `no_script_type` / bitcoinjs `checkSegwitAlways`:
    /// BIP-137, and also the compressed-P2PKH header 31–34 for the same key's
    /// P2SH-P2WPKH and P2WPKH addresses. Still sound: only the key's own
    /// addresses are accepted.
    #[default]
    Permissive,
}

impl LegacyPolicy {
    /// `core`, `bip137` or `permissive`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyPolicy::CoreP2pkhOnly => "core",
            LegacyPolicy::Bip137Strict => "bip137",
            LegacyPolicy::Permissive => "permissive",
        }
    }

    /// Parses the names of [`LegacyPolicy::as_str`].
    #[must_use]
    pub fn from_name(s: &str) -> Option<LegacyPolicy> {
        match s {
            "core" => Some(LegacyPolicy::CoreP2pkhOnly),
            "bip137" | "strict" => Some(LegacyPolicy::Bip137Strict),
            "permissive" | "electrum" => Some(LegacyPolicy::Permissive),
            _ => None,
        }
    }
}

/// The address type a BIP-137 header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderType {
    /// 27–30.
    P2pkhUncompressed,
    /// 31–34.
    P2pkhCompressed,
    /// 35–38.
    P2shP2wpkh,
    /// 39–42.
    P2wpkh,
}

/// A malformed legacy signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyFormatError {
    /// Neither base64 nor hex.
    Encoding,
    /// Not 65 bytes.
    Length {
        /// The length found.
        len: usize,
    },
    /// A header byte outside 27..=42.
    Header {
        /// The byte found.
        header: u8,
    },
    /// r or s is zero or not below the curve order.
    Scalars,
}

impl fmt::Display for LegacyFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LegacyFormatError::Encoding => {
                write!(f, "signed-message signature is neither base64 nor hex")
            }
            LegacyFormatError::Length { len } => {
                write!(
                    f,
                    "signed-message signature is {len} bytes, expected 65 (header, r, s)"
                )
            }
            LegacyFormatError::Header { header } => {
                write!(
                    f,
                    "unknown signature header byte {header}, expected 27..=42 (BIP-137)"
                )
            }
            LegacyFormatError::Scalars => {
                write!(f, "signature r or s is zero or not below the curve order")
            }
        }
    }
}

impl std::error::Error for LegacyFormatError {}

/// A decoded legacy signature, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySignature {
    header: u8,
    sig: Signature,
    recid: RecoveryId,
}

impl LegacySignature {
    /// Decodes base64 (or 130 hex digits) of `header || r || s`.
    ///
    /// # Errors
    ///
    /// [`LegacyFormatError`].
    pub fn parse(text: &str) -> Result<LegacySignature, LegacyFormatError> {
        let t = text.trim();
        let bytes = if t.len() == 130 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(t).map_err(|_| LegacyFormatError::Encoding)?
        } else {
            BASE64.decode(t).map_err(|_| LegacyFormatError::Encoding)?
        };
        LegacySignature::from_bytes(&bytes)
    }

    /// Decodes the 65 raw bytes.
    ///
    /// # Errors
    ///
    /// [`LegacyFormatError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<LegacySignature, LegacyFormatError> {
        let b: &[u8; 65] = bytes
            .try_into()
            .map_err(|_| LegacyFormatError::Length { len: bytes.len() })?;
        let header = b[0];
        if !(27..=42).contains(&header) {
            return Err(LegacyFormatError::Header { header });
        }
        let sig = Signature::from_slice(&b[1..]).map_err(|_| LegacyFormatError::Scalars)?;
        let recid = RecoveryId::from_byte((header - 27) & 3).expect("0..=3 is a recovery id");
        Ok(LegacySignature { header, sig, recid })
    }

    /// The header byte.
    #[must_use]
    pub fn header(&self) -> u8 {
        self.header
    }

    /// The address type the header names.
    #[must_use]
    pub fn header_type(&self) -> HeaderType {
        match self.header {
            27..=30 => HeaderType::P2pkhUncompressed,
            31..=34 => HeaderType::P2pkhCompressed,
            35..=38 => HeaderType::P2shP2wpkh,
            _ => HeaderType::P2wpkh,
        }
    }

    /// Recovers the signing key for `digest`, accepting high-S as Bitcoin
    /// Core does (the twin low-S signature recovers the same key).
    ///
    /// # Errors
    ///
    /// A description if no key can be recovered.
    pub fn recover(&self, digest: &[u8; 32]) -> Result<VerifyingKey, InvalidReason> {
        crate::hazmat::recover_from_prehash_unverified(digest, &self.sig, self.recid)
            .ok_or(InvalidReason::NoKeyRecovered)
    }
}

/// What a successful legacy check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyVerified {
    /// The policy applied.
    pub policy: LegacyPolicy,
    /// The header byte.
    pub header: u8,
    /// The recovered key (SEC1, compressed or not as the header says).
    pub public_key: Vec<u8>,
}

/// Verifies a legacy signature over `message` for `address` under `policy`.
///
/// # Errors
///
/// A reason if it does not verify.
pub fn verify(
    address: &Address,
    message: &[u8],
    sig: &LegacySignature,
    policy: LegacyPolicy,
) -> Result<LegacyVerified, InvalidReason> {
    let digest = signed_message_hash(address.coin().message_magic(), message);
    let key = sig.recover(&digest)?;
    let compressed = sig.header >= 31;
    let pk = key.to_encoded_point(compressed).as_bytes().to_vec();
    let ht = sig.header_type();
    let ok = match (address.kind(), policy, ht) {
        (AddressKind::P2pkh(h), _, HeaderType::P2pkhCompressed | HeaderType::P2pkhUncompressed) => {
            hash160(&pk) == *h
        }
        (_, LegacyPolicy::CoreP2pkhOnly, _) => {
            return Err(InvalidReason::HeaderPolicy {
                header: sig.header,
                address_type: address.kind().name(),
                policy: policy.as_str(),
            })
        }
        (AddressKind::P2sh(h), _, HeaderType::P2shP2wpkh)
        | (AddressKind::P2sh(h), LegacyPolicy::Permissive, HeaderType::P2pkhCompressed) => {
            hash160(p2wpkh_redeem_script(&pk).as_bytes()) == *h
        }
        (AddressKind::P2wpkh(h), _, HeaderType::P2wpkh)
        | (AddressKind::P2wpkh(h), LegacyPolicy::Permissive, HeaderType::P2pkhCompressed) => {
            hash160(&pk) == *h
        }
        (kind, policy, _) => {
            return Err(InvalidReason::HeaderPolicy {
                header: sig.header,
                address_type: kind.name(),
                policy: policy.as_str(),
            })
        }
    };
    if ok {
        Ok(LegacyVerified {
            policy,
            header: sig.header,
            public_key: pk,
        })
    } else {
        Err(InvalidReason::RecoveredKeyMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitcoin_magic_hash_is_rust_bitcoins() {
        use ::bitcoin::hashes::Hash as _;
        for msg in ["", "Hello World", &"x".repeat(300)] {
            assert_eq!(
                signed_message_hash(BITCOIN_MAGIC, msg.as_bytes()),
                ::bitcoin::sign_message::signed_msg_hash(msg).to_byte_array()
            );
        }
    }
}
