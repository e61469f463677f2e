//! EVM signatures: EIP-191 `personal_sign`, and the variants exchanges publish
//! (OKX's personal_sign of the message's keccak, HTX's raw keccak).
//!
//! The signer is recovered from the 65-byte `r || s || v` signature with k256
//! and compared with the address. Malleable high-S signatures are rejected
//! (EIP-2), and a mixed-case address must carry a valid EIP-55 checksum.

use core::fmt;

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use sha3::{Digest, Keccak256};

use super::reason::InvalidReason;

/// keccak256.
#[must_use]
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// The EIP-191 version 0x45 hash:
/// `keccak256("\x19Ethereum Signed Message:\n" || decimal(len) || message)`.
#[must_use]
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(message.len().to_string().as_bytes());
    h.update(message);
    h.finalize().into()
}

/// How an EVM signature's digest is made from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvmHashing {
    /// EIP-191 `personal_sign` of the message.
    PersonalSign,
    /// OKX: `personal_sign` of the 32-byte `keccak256(message)`.
    PersonalSignOfKeccak,
    /// HTX (most rows): `keccak256(message)` signed raw, no EIP-191 prefix.
    /// Weak: a raw 32-byte digest could as well be a transaction hash.
    RawKeccak,
    /// OKX's framing for OKC (OKTC) addresses:
    /// `keccak256(varstr("OKX Signed Message:\n") || varstr(message))`.
    OkxOkc,
    /// TRON v2 (TronWeb `signMessageV2`):
    /// `keccak256("\x19TRON Signed Message:\n" || len || message)`.
    TronV2,
    /// TRON v1 over the message's keccak:
    /// `keccak256("\x19TRON Signed Message:\n32" || keccak256(message))`.
    TronV1OfKeccak,
    /// TRON v1 over the message itself with the constant length "32"
    /// (TronWeb `verifySignature` with a hex message), whatever its length.
    TronV1Raw,
}

impl EvmHashing {
    /// The digest that was signed.
    #[must_use]
    pub fn digest(self, message: &[u8]) -> [u8; 32] {
        match self {
            EvmHashing::PersonalSign => eip191_hash(message),
            EvmHashing::PersonalSignOfKeccak => eip191_hash(&keccak256(message)),
            EvmHashing::RawKeccak => keccak256(message),
            EvmHashing::TronV2 => {
                let mut h = Keccak256::new();
                h.update(b"\x19TRON Signed Message:\n");
                h.update(message.len().to_string().as_bytes());
                h.update(message);
                h.finalize().into()
            }
            EvmHashing::TronV1OfKeccak => tron_v1(&keccak256(message)),
            EvmHashing::TronV1Raw => tron_v1(message),
            EvmHashing::OkxOkc => {
                let mut pre = Vec::with_capacity(message.len() + 32);
                crate::bitcoin::encode::write_var_bytes(&mut pre, b"OKX Signed Message:\n");
                crate::bitcoin::encode::write_var_bytes(&mut pre, message);
                keccak256(&pre)
            }
        }
    }
}

fn tron_v1(body: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19TRON Signed Message:\n32");
    h.update(body);
    h.finalize().into()
}

/// A checked EVM address (20 bytes): the one EVM address type of por
/// (ownership proofs, token contracts, balance queries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvmAddress([u8; 20]);

/// Malformed EVM input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvmFormatError {
    /// Not `0x` + 40 hex digits.
    Address {
        /// The input.
        address: String,
    },
    /// Mixed case that is not the EIP-55 checksum.
    Checksum {
        /// The input.
        address: String,
        /// The correctly checksummed form.
        expected: String,
    },
    /// The signature is not hex.
    SignatureHex,
    /// The signature is not 65 bytes.
    SignatureLength {
        /// The length found.
        len: usize,
    },
    /// `v` is not 27, 28, 0 or 1.
    RecoveryByte {
        /// The byte found.
        v: u8,
    },
    /// r or s is zero or not below the curve order.
    Scalars,
}

impl fmt::Display for EvmFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvmFormatError::Address { address } => {
                write!(
                    f,
                    "`{address}` is not an EVM address (expected 0x and 40 hex digits)"
                )
            }
            EvmFormatError::Checksum { address, expected } => {
                write!(
                    f,
                    "`{address}` has a bad EIP-55 checksum (expected {expected}, or all one case)"
                )
            }
            EvmFormatError::SignatureHex => write!(f, "EVM signature is not hex"),
            EvmFormatError::SignatureLength { len } => {
                write!(f, "EVM signature is {len} bytes, expected 65 (r, s, v)")
            }
            EvmFormatError::RecoveryByte { v } => {
                write!(f, "EVM signature v = {v}, expected 27, 28, 0 or 1")
            }
            EvmFormatError::Scalars => write!(
                f,
                "EVM signature r or s is zero or not below the curve order"
            ),
        }
    }
}

impl std::error::Error for EvmFormatError {}

impl EvmAddress {
    /// Parses `0x` + 40 hex digits; a mixed-case address must be EIP-55.
    ///
    /// # Errors
    ///
    /// [`EvmFormatError::Address`] or [`EvmFormatError::Checksum`].
    pub fn parse(s: &str) -> Result<EvmAddress, EvmFormatError> {
        let bad = || EvmFormatError::Address {
            address: s.to_owned(),
        };
        let h = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or_else(bad)?;
        if h.len() != 40 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut a = [0u8; 20];
        hex::decode_to_slice(h, &mut a).map_err(|_| bad())?;
        let addr = EvmAddress(a);
        let has_upper = h.bytes().any(|b| b.is_ascii_uppercase());
        let has_lower = h.bytes().any(|b| b.is_ascii_lowercase());
        if has_upper && has_lower {
            let expected = addr.to_checksummed();
            if expected[2..] != *h {
                return Err(EvmFormatError::Checksum {
                    address: s.to_owned(),
                    expected,
                });
            }
        }
        Ok(addr)
    }

    /// The address of these 20 bytes.
    #[must_use]
    pub fn from_byte_array(bytes: [u8; 20]) -> EvmAddress {
        EvmAddress(bytes)
    }

    /// The 20 bytes.
    #[must_use]
    pub fn to_byte_array(self) -> [u8; 20] {
        self.0
    }

    /// `0x` and 40 lower-case hex digits: the form nodes, files and
    /// comparisons use.
    #[must_use]
    pub fn to_lower_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Parses a TRON address: base58check of `0x41 || 20 bytes`.
    ///
    /// # Errors
    ///
    /// [`EvmFormatError::Address`].
    pub fn parse_tron(s: &str) -> Result<EvmAddress, EvmFormatError> {
        let bad = || EvmFormatError::Address {
            address: s.to_owned(),
        };
        let data = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| bad())?;
        match data.split_first() {
            Some((0x41, rest)) => Ok(EvmAddress(rest.try_into().map_err(|_| bad())?)),
            _ => Err(bad()),
        }
    }

    /// The TRON (base58check) form.
    #[must_use]
    pub fn to_tron(&self) -> String {
        let mut payload = vec![0x41];
        payload.extend_from_slice(&self.0);
        bs58::encode(payload).with_check().into_string()
    }

    /// The address of a public key: the last 20 bytes of keccak256 of its
    /// uncompressed coordinates.
    #[must_use]
    pub fn from_key(key: &VerifyingKey) -> EvmAddress {
        let point = key.to_encoded_point(false);
        let h = keccak256(&point.as_bytes()[1..]);
        let mut a = [0u8; 20];
        a.copy_from_slice(&h[12..]);
        EvmAddress(a)
    }

    /// The EIP-55 checksummed form.
    #[must_use]
    pub fn to_checksummed(&self) -> String {
        let lower = hex::encode(self.0);
        let h = keccak256(lower.as_bytes());
        let mut out = String::from("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (h[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            out.push(if nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        out
    }
}

// No `Display`: an EVM address has two written forms, and each caller says
// which it writes (`to_checksummed` for people, `to_lower_hex` for
// comparison keys, JSON-RPC and files).

/// A decoded, not yet verified `r || s || v` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmSignature {
    sig: Signature,
    recid: RecoveryId,
    v: u8,
}

impl EvmSignature {
    /// Decodes `0x`-optional hex of 65 bytes with v in {27, 28, 0, 1}.
    ///
    /// # Errors
    ///
    /// [`EvmFormatError`].
    pub fn parse(text: &str) -> Result<EvmSignature, EvmFormatError> {
        let t = text.trim();
        let h = t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t);
        let bytes = hex::decode(h).map_err(|_| EvmFormatError::SignatureHex)?;
        EvmSignature::from_bytes(&bytes)
    }

    /// Decodes the 65 raw bytes.
    ///
    /// # Errors
    ///
    /// [`EvmFormatError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<EvmSignature, EvmFormatError> {
        let b: &[u8; 65] = bytes
            .try_into()
            .map_err(|_| EvmFormatError::SignatureLength { len: bytes.len() })?;
        let v = b[64];
        let recid = match v {
            27 | 28 => v - 27,
            0 | 1 => v,
            _ => return Err(EvmFormatError::RecoveryByte { v }),
        };
        let sig = Signature::from_slice(&b[..64]).map_err(|_| EvmFormatError::Scalars)?;
        let recid = RecoveryId::from_byte(recid).expect("0 or 1 is a recovery id");
        Ok(EvmSignature { sig, recid, v })
    }

    /// The v byte as given.
    #[must_use]
    pub fn v(&self) -> u8 {
        self.v
    }

    /// Recovers the signer of `digest`.
    ///
    /// # Errors
    ///
    /// A reason: a high-S (malleable) signature, or no key recoverable.
    pub fn recover(&self, digest: &[u8; 32]) -> Result<EvmAddress, InvalidReason> {
        if self.sig.normalize_s().is_some() {
            return Err(InvalidReason::HighS);
        }
        let key = crate::hazmat::recover_from_prehash_unverified(digest, &self.sig, self.recid)
            .ok_or(InvalidReason::NoKeyRecovered)?;
        Ok(EvmAddress::from_key(&key))
    }
}

/// Verifies that `sig` over `message` (hashed as `hashing` says) was made by
/// `address`.
///
/// # Errors
///
/// A reason if it was not.
pub fn verify(
    address: &EvmAddress,
    message: &[u8],
    sig: &EvmSignature,
    hashing: EvmHashing,
) -> Result<(), InvalidReason> {
    let signer = sig.recover(&hashing.digest(message))?;
    if signer == *address {
        Ok(())
    } else {
        Err(InvalidReason::SignerMismatch {
            recovered: signer,
            claimed: *address,
        })
    }
}
