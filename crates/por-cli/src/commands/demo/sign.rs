//! Demo-only signers: fresh keys and signatures over the canonical reserves
//! message, in the formats real custody tools produce.
//!
//! - Bitcoin: BIP-322 (the `to_spend` / `to_sign` virtual transactions).
//!   P2WPKH and P2TR sign the "simple" form (the witness only); the 2-of-3
//!   P2WSH multisig signs the "full" form (the whole `to_sign` transaction,
//!   with the `ful` prefix of BIP-322's signature encoding).
//!   Sighashes follow BIP-143 (segwit v0) and BIP-341 (taproot key path).
//! - Ethereum: EIP-191 `personal_sign`, `0x` + r‖s‖v with v = 27 + recovery id.
//!
//! Nothing here is trusted by the audit: `por_ownership` verifies these
//! signatures exactly as it verifies anyone else's (the multisig through
//! Bitcoin Core's script interpreter), so this module is checked end to end
//! by every demo run and by the tests. Private keys never leave memory.

use anyhow::{anyhow, Context, Result};
use base64::Engine as _;
use k256::ecdsa;
use k256::elliptic_curve::PrimeField;
use k256::Scalar;
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// 32 fresh bytes from the operating system.
fn fresh_bytes() -> Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b)
        .map_err(|e| anyhow!("the OS random number generator failed: {e}"))?;
    Ok(b)
}

/// A fresh secp256k1 ECDSA key from the OS random number generator.
pub fn fresh_ecdsa_key() -> Result<ecdsa::SigningKey> {
    loop {
        // A random 32-byte string is a valid scalar except with probability ~2^-128.
        if let Ok(k) = ecdsa::SigningKey::from_slice(&fresh_bytes()?) {
            return Ok(k);
        }
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn sha256d(data: &[u8]) -> [u8; 32] {
    sha256(&sha256(data))
}

fn tagged_hash(tag: &str, parts: &[&[u8]]) -> [u8; 32] {
    let t = sha256(tag.as_bytes());
    let mut h = Sha256::new();
    h.update(t);
    h.update(t);
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hash160(data: &[u8]) -> [u8; 20] {
    Ripemd160::digest(sha256(data)).into()
}

fn compact_size(out: &mut Vec<u8>, n: usize) {
    // Scripts and witness items here are far below 0xfd bytes except the
    // multisig witness script (105 bytes): one byte always suffices, but
    // encode the general form anyway.
    match n {
        0..=0xfc => out.push(u8::try_from(n).unwrap_or(0xfc)),
        0xfd..=0xffff => {
            out.push(0xfd);
            out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes());
        }
        _ => {
            out.push(0xfe);
            out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        }
    }
}

fn push_var(out: &mut Vec<u8>, bytes: &[u8]) {
    compact_size(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// The BIP-322 `to_spend` txid for a message and a challenge script.
fn to_spend_txid(message: &[u8], script_pubkey: &[u8]) -> [u8; 32] {
    let msg_hash = tagged_hash("BIP0322-signed-message", &[message]);
    let mut tx = Vec::with_capacity(128);
    tx.extend_from_slice(&0u32.to_le_bytes()); // version 0
    tx.push(1); // one input
    tx.extend_from_slice(&[0u8; 32]);
    tx.extend_from_slice(&0xffff_ffffu32.to_le_bytes());
    let mut script_sig = vec![0x00, 0x20];
    script_sig.extend_from_slice(&msg_hash);
    push_var(&mut tx, &script_sig);
    tx.extend_from_slice(&0u32.to_le_bytes()); // sequence 0
    tx.push(1); // one output
    tx.extend_from_slice(&0u64.to_le_bytes());
    push_var(&mut tx, script_pubkey);
    tx.extend_from_slice(&0u32.to_le_bytes()); // lock time 0
    sha256d(&tx)
}

/// The single output of `to_sign`: value 0, `OP_RETURN`.
const TO_SIGN_OUTPUT: [u8; 10] = [0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x6a];

/// BIP-143 sighash (SIGHASH_ALL) of `to_sign`'s only input.
fn segwit_v0_sighash(txid: &[u8; 32], script_code: &[u8]) -> [u8; 32] {
    let mut outpoint = txid.to_vec();
    outpoint.extend_from_slice(&0u32.to_le_bytes());
    let mut pre = Vec::with_capacity(256);
    pre.extend_from_slice(&0u32.to_le_bytes()); // version
    pre.extend_from_slice(&sha256d(&outpoint)); // hashPrevouts
    pre.extend_from_slice(&sha256d(&0u32.to_le_bytes())); // hashSequence
    pre.extend_from_slice(&outpoint);
    push_var(&mut pre, script_code);
    pre.extend_from_slice(&0u64.to_le_bytes()); // amount spent: 0
    pre.extend_from_slice(&0u32.to_le_bytes()); // sequence
    pre.extend_from_slice(&sha256d(&TO_SIGN_OUTPUT)); // hashOutputs
    pre.extend_from_slice(&0u32.to_le_bytes()); // lock time
    pre.extend_from_slice(&1u32.to_le_bytes()); // SIGHASH_ALL
    sha256d(&pre)
}

/// BIP-341 key-path sighash (SIGHASH_DEFAULT) of `to_sign`'s only input.
fn taproot_sighash(txid: &[u8; 32], script_pubkey: &[u8]) -> [u8; 32] {
    let mut outpoint = txid.to_vec();
    outpoint.extend_from_slice(&0u32.to_le_bytes());
    let mut spk = Vec::new();
    push_var(&mut spk, script_pubkey);
    let mut m = Vec::with_capacity(200);
    m.push(0x00); // epoch
    m.push(0x00); // hash type: default
    m.extend_from_slice(&0u32.to_le_bytes()); // version
    m.extend_from_slice(&0u32.to_le_bytes()); // lock time
    m.extend_from_slice(&sha256(&outpoint)); // sha_prevouts
    m.extend_from_slice(&sha256(&0u64.to_le_bytes())); // sha_amounts
    m.extend_from_slice(&sha256(&spk)); // sha_scriptpubkeys
    m.extend_from_slice(&sha256(&0u32.to_le_bytes())); // sha_sequences
    m.extend_from_slice(&sha256(&TO_SIGN_OUTPUT)); // sha_outputs
    m.push(0x00); // spend type: key path, no annex
    m.extend_from_slice(&0u32.to_le_bytes()); // input index
    tagged_hash("TapSighash", &[&m])
}

fn witness_bytes(items: &[&[u8]]) -> Vec<u8> {
    let mut w = Vec::new();
    compact_size(&mut w, items.len());
    for i in items {
        push_var(&mut w, i);
    }
    w
}

/// `to_sign` with its witness (the BIP-322 "full" encoding).
fn to_sign_full(txid: &[u8; 32], witness: &[u8]) -> Vec<u8> {
    let mut tx = Vec::with_capacity(64 + witness.len());
    tx.extend_from_slice(&0u32.to_le_bytes()); // version 0
    tx.extend_from_slice(&[0x00, 0x01]); // segwit marker and flag
    tx.push(1);
    tx.extend_from_slice(txid);
    tx.extend_from_slice(&0u32.to_le_bytes());
    tx.push(0); // empty scriptSig
    tx.extend_from_slice(&0u32.to_le_bytes()); // sequence 0
    tx.push(1);
    tx.extend_from_slice(&TO_SIGN_OUTPUT);
    tx.extend_from_slice(witness);
    tx.extend_from_slice(&0u32.to_le_bytes()); // lock time
    tx
}

fn der_all(key: &ecdsa::SigningKey, digest: &[u8; 32]) -> Result<Vec<u8>> {
    let sig: ecdsa::Signature = key
        .sign_prehash_recoverable(digest)
        .map(|(s, _)| s)
        .map_err(|e| anyhow!("ECDSA signing failed: {e}"))?;
    let sig = sig.normalize_s().unwrap_or(sig);
    let mut der = sig.to_der().as_bytes().to_vec();
    der.push(0x01); // SIGHASH_ALL
    Ok(der)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signed Bitcoin wallet: its address, the signature (base64 BIP-322) and
/// which form was used.
#[derive(Debug, Clone)]
pub struct SignedBitcoin {
    /// The mainnet address (bech32 / bech32m).
    pub address: String,
    /// Base64 BIP-322 signature.
    pub signature: String,
    /// `P2WPKH`, `P2TR` or `P2WSH 2-of-3`.
    pub script: &'static str,
    /// `bip322-simple` or `bip322-full`.
    pub form: &'static str,
    /// The witness script of a multisig (hex), empty otherwise.
    pub witness_script: String,
}

/// A fresh P2WPKH wallet signing `message` (BIP-322 simple).
pub fn p2wpkh(message: &[u8]) -> Result<SignedBitcoin> {
    let key = fresh_ecdsa_key()?;
    let pk = key.verifying_key().to_encoded_point(true);
    let program = hash160(pk.as_bytes());
    let mut spk = vec![0x00, 0x14];
    spk.extend_from_slice(&program);
    let txid = to_spend_txid(message, &spk);
    let mut script_code = vec![0x76, 0xa9, 0x14];
    script_code.extend_from_slice(&program);
    script_code.extend_from_slice(&[0x88, 0xac]);
    let sig = der_all(&key, &segwit_v0_sighash(&txid, &script_code))?;
    Ok(SignedBitcoin {
        address: bech32::segwit::encode_v0(bech32::hrp::BC, &program)
            .map_err(|e| anyhow!("bech32: {e}"))?,
        signature: b64(&witness_bytes(&[&sig, pk.as_bytes()])),
        script: "P2WPKH",
        form: "bip322-simple",
        witness_script: String::new(),
    })
}

/// A fresh P2TR (key path, no script tree) wallet signing `message` (BIP-322 simple).
pub fn p2tr(message: &[u8]) -> Result<SignedBitcoin> {
    // The internal key, normalised to even y by k256 (BIP-340).
    let internal = k256::schnorr::SigningKey::from_bytes(&fresh_bytes()?)
        .map_err(|_| anyhow!("random bytes are not a secp256k1 secret key"))?;
    let p_x = internal.verifying_key().to_bytes();
    let t = tagged_hash("TapTweak", &[&p_x]);
    let t: Option<Scalar> = Scalar::from_repr(t.into()).into();
    let t = t.context("the taproot tweak is not below the curve order (probability 2^-128)")?;
    let d = **internal.as_nonzero_scalar() + t;
    let output = k256::schnorr::SigningKey::from_bytes(&d.to_bytes())
        .map_err(|_| anyhow!("the tweaked key is zero (probability 2^-256)"))?;
    let q_x = output.verifying_key().to_bytes();
    let mut spk = vec![0x51, 0x20];
    spk.extend_from_slice(&q_x);
    let txid = to_spend_txid(message, &spk);
    let sig = output
        .sign_raw(&taproot_sighash(&txid, &spk), &fresh_bytes()?)
        .map_err(|e| anyhow!("Schnorr signing failed: {e}"))?;
    Ok(SignedBitcoin {
        address: bech32::segwit::encode_v1(bech32::hrp::BC, &q_x)
            .map_err(|e| anyhow!("bech32m: {e}"))?,
        signature: b64(&witness_bytes(&[&sig.to_bytes()])),
        script: "P2TR",
        form: "bip322-simple",
        witness_script: String::new(),
    })
}

/// A fresh 2-of-3 P2WSH multisig (`OP_2 <k1> <k2> <k3> OP_3 OP_CHECKMULTISIG`,
/// keys sorted as in `sortedmulti`) whose first two keys sign `message`
/// (BIP-322 full); the third key stays unused, as a backup key would.
pub fn p2wsh_2_of_3(message: &[u8]) -> Result<SignedBitcoin> {
    let mut keys = [fresh_ecdsa_key()?, fresh_ecdsa_key()?, fresh_ecdsa_key()?];
    keys.sort_by_key(|k| k.verifying_key().to_encoded_point(true).as_bytes().to_vec());
    let mut ws = vec![0x52];
    for k in &keys {
        let pk = k.verifying_key().to_encoded_point(true);
        push_var(&mut ws, pk.as_bytes());
    }
    ws.extend_from_slice(&[0x53, 0xae]);
    let program = sha256(&ws);
    let mut spk = vec![0x00, 0x20];
    spk.extend_from_slice(&program);
    let txid = to_spend_txid(message, &spk);
    let digest = segwit_v0_sighash(&txid, &ws);
    let s1 = der_all(&keys[0], &digest)?;
    let s2 = der_all(&keys[1], &digest)?;
    let witness = witness_bytes(&[&[], &s1, &s2, &ws]);
    Ok(SignedBitcoin {
        address: bech32::segwit::encode_v0(bech32::hrp::BC, &program)
            .map_err(|e| anyhow!("bech32: {e}"))?,
        // The full form carries BIP-322's `ful` prefix: unprefixed base64
        // means the simple form (a witness stack) to verifiers.
        signature: format!("ful{}", b64(&to_sign_full(&txid, &witness))),
        script: "P2WSH 2-of-3",
        form: "bip322-full",
        witness_script: hex::encode(&ws),
    })
}

/// A signed Ethereum EOA.
#[derive(Debug, Clone)]
pub struct SignedEvm {
    /// EIP-55 checksummed address.
    pub address: String,
    /// `0x` + 65 bytes hex (r, s, v = 27/28).
    pub signature: String,
}

/// A fresh EOA signing `message` with EIP-191 `personal_sign`: the digest
/// and the address (EIP-55) are the ownership crate's own.
pub fn eoa(message: &[u8]) -> Result<SignedEvm> {
    let key = fresh_ecdsa_key()?;
    let digest = por_ownership::EvmHashing::PersonalSign.digest(message);
    let (sig, recid) = key
        .sign_prehash_recoverable(&digest)
        .map_err(|e| anyhow!("ECDSA signing failed: {e}"))?;
    let mut bytes = sig.to_bytes().to_vec();
    bytes.push(27 + recid.to_byte());
    Ok(SignedEvm {
        address: por_ownership::EvmAddress::from_key(key.verifying_key()).to_checksummed(),
        signature: format!("0x{}", hex::encode(bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip322_message_hash_matches_the_bip() {
        // BIP-322 test vectors: message hashes of "" and "Hello World".
        assert_eq!(
            hex::encode(tagged_hash("BIP0322-signed-message", &[b""])),
            "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"
        );
        assert_eq!(
            hex::encode(tagged_hash("BIP0322-signed-message", &[b"Hello World"])),
            "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"
        );
    }

    #[test]
    fn bip322_to_spend_txid_matches_the_bip() {
        // BIP-322: to_spend txid for address bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l
        // (P2WPKH program 2b05d564e6a7a33c087f16e0f730d1440123799d).
        let spk = hex::decode("00142b05d564e6a7a33c087f16e0f730d1440123799d").unwrap();
        let mut id = to_spend_txid(b"", &spk);
        id.reverse();
        assert_eq!(
            hex::encode(id),
            "c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7"
        );
        let mut id = to_spend_txid(b"Hello World", &spk);
        id.reverse();
        assert_eq!(
            hex::encode(id),
            "b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b"
        );
    }
}
