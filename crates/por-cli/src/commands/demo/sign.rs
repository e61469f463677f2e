//! Demo-only signers: fresh keys and signatures over the canonical reserves
//! message, in the formats real custody tools produce.
//!
//! - Bitcoin: BIP-322 (the `to_spend` / `to_sign` virtual transactions).
//!   P2WPKH and P2TR sign the "simple" form (the witness only); the 2-of-3
//!   P2WSH multisig signs the "full" form (the whole `to_sign` transaction,
//!   with the `ful` prefix of BIP-322's signature encoding).
//! - Ethereum: EIP-191 `personal_sign`, `0x` + r‖s‖v with v = 27 + recovery id.
//!
//! Only the keys and the signing are written here (k256, as the verifier).
//! Everything else is the libraries': the virtual transactions are
//! `por_ownership`'s BIP-322, the sighashes its `hazmat::sighash`
//! (rust-bitcoin's `SighashCache`), and scripts, the taproot tweak,
//! witnesses, transaction encoding and addresses are rust-bitcoin's.
//!
//! Nothing here is trusted by the audit: `por_ownership` verifies these
//! signatures exactly as it verifies anyone else's (the multisig through
//! Bitcoin Core's script interpreter), so this module is checked end to end
//! by every demo run and by the tests. Private keys never leave memory.

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use k256::ecdsa;
use k256::elliptic_curve::PrimeField;
use k256::Scalar;
use por_ownership::bitcoin::bip322;
use por_ownership::hazmat::sighash;
use por_ownership::rust_bitcoin::{
    self as btc,
    consensus::encode::serialize,
    hashes::Hash as _,
    opcodes::all::{OP_CHECKMULTISIG, OP_PUSHNUM_2, OP_PUSHNUM_3},
    script::Builder,
    secp256k1::Secp256k1,
    taproot::TapTweakHash,
    CompressedPublicKey, ScriptBuf, Transaction, Witness, XOnlyPublicKey,
};

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

/// The compressed public key of `key`, as rust-bitcoin's type.
fn compressed(key: &ecdsa::SigningKey) -> Result<CompressedPublicKey> {
    CompressedPublicKey::from_slice(key.verifying_key().to_encoded_point(true).as_bytes())
        .map_err(|e| anyhow!("k256 gave a public key rust-bitcoin refuses: {e}"))
}

/// The BIP-322 `to_spend` for `message` and the unsigned simple `to_sign`
/// spending it.
fn virtual_transactions(message: &[u8], script_pubkey: &ScriptBuf) -> (Transaction, Transaction) {
    let to_spend = bip322::to_spend(message, script_pubkey);
    let to_sign = bip322::to_sign_simple(to_spend.compute_txid());
    (to_spend, to_sign)
}

/// The BIP-143 (`SIGHASH_ALL`) digest of `to_sign`'s only input, which spends
/// 0 sat under `script_code`.
fn segwit_v0_digest(to_sign: &Transaction, script_code: &ScriptBuf) -> Result<[u8; 32]> {
    sighash::segwit_v0_sighash_all(to_sign, 0, script_code, btc::Amount::ZERO)
        .map_err(|e| anyhow!("BIP-143 sighash: {e}"))
}

/// DER ECDSA signature (low S) of `digest`, with the `SIGHASH_ALL` byte.
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

/// The mainnet address paying to `script_pubkey` (bech32 / bech32m).
fn mainnet_address(script_pubkey: &ScriptBuf) -> Result<String> {
    Ok(
        btc::Address::from_script(script_pubkey, btc::Network::Bitcoin)
            .map_err(|e| anyhow!("no address for script {script_pubkey}: {e}"))?
            .to_string(),
    )
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
    let pk = compressed(&key)?;
    let wpkh = pk.wpubkey_hash();
    let spk = ScriptBuf::new_p2wpkh(&wpkh);
    let (_, to_sign) = virtual_transactions(message, &spk);
    let digest = segwit_v0_digest(&to_sign, &ScriptBuf::p2wpkh_script_code(wpkh))?;
    let sig = der_all(&key, &digest)?;
    let witness = Witness::from_slice(&[sig, pk.to_bytes().to_vec()]);
    Ok(SignedBitcoin {
        address: mainnet_address(&spk)?,
        signature: b64(&serialize(&witness)),
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
    let internal_x = XOnlyPublicKey::from_slice(&internal.verifying_key().to_bytes())
        .map_err(|e| anyhow!("k256 gave an x-only key rust-bitcoin refuses: {e}"))?;
    // The output key's secret: d + H_TapTweak(P) (BIP-341, no script tree).
    let t = TapTweakHash::from_key_and_tweak(internal_x, None).to_byte_array();
    let t: Option<Scalar> = Scalar::from_repr(t.into()).into();
    let t = t.context("the taproot tweak is not below the curve order (probability 2^-128)")?;
    let d = **internal.as_nonzero_scalar() + t;
    let output = k256::schnorr::SigningKey::from_bytes(&d.to_bytes())
        .map_err(|_| anyhow!("the tweaked key is zero (probability 2^-256)"))?;
    // rust-bitcoin tweaks the public key on its own: the two must agree.
    let spk = ScriptBuf::new_p2tr(&Secp256k1::verification_only(), internal_x, None);
    if spk.as_bytes().get(2..) != Some(&output.verifying_key().to_bytes()[..]) {
        bail!("the tweaked secret key does not match rust-bitcoin's taproot output key");
    }
    let (to_spend, to_sign) = virtual_transactions(message, &spk);
    let digest = sighash::taproot_key_path_sighash(&to_sign, 0, &to_spend.output, 0)
        .map_err(|e| anyhow!("BIP-341 sighash: {e}"))?;
    let sig = output
        .sign_raw(&digest, &fresh_bytes()?)
        .map_err(|e| anyhow!("Schnorr signing failed: {e}"))?;
    let witness = Witness::from_slice(&[sig.to_bytes()]);
    Ok(SignedBitcoin {
        address: mainnet_address(&spk)?,
        signature: b64(&serialize(&witness)),
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
    let mut ws = Builder::new().push_opcode(OP_PUSHNUM_2);
    for k in &keys {
        ws = ws.push_slice(compressed(k)?.to_bytes());
    }
    let ws = ws
        .push_opcode(OP_PUSHNUM_3)
        .push_opcode(OP_CHECKMULTISIG)
        .into_script();
    let spk = ScriptBuf::new_p2wsh(&ws.wscript_hash());
    let (_, mut to_sign) = virtual_transactions(message, &spk);
    let digest = segwit_v0_digest(&to_sign, &ws)?;
    let s1 = der_all(&keys[0], &digest)?;
    let s2 = der_all(&keys[1], &digest)?;
    let input = to_sign
        .input
        .first_mut()
        .context("BIP-322's to_sign has one input")?;
    input.witness = Witness::from_slice(&[Vec::new(), s1, s2, ws.to_bytes()]);
    Ok(SignedBitcoin {
        address: mainnet_address(&spk)?,
        // The full form carries BIP-322's `ful` prefix: unprefixed base64
        // means the simple form (a witness stack) to verifiers.
        signature: format!("ful{}", b64(&serialize(&to_sign))),
        script: "P2WSH 2-of-3",
        form: "bip322-full",
        witness_script: hex::encode(ws.as_bytes()),
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
    use por_ownership::rust_bitcoin::Script;
    use por_ownership::{OwnershipClaim, Verdict, VerifyOptions};

    // The BIP's published values, through the library the signers use.

    #[test]
    fn bip322_message_hash_matches_the_bip() {
        // BIP-322 test vectors: message hashes of "" and "Hello World".
        assert_eq!(
            hex::encode(bip322::message_hash(b"")),
            "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"
        );
        assert_eq!(
            hex::encode(bip322::message_hash(b"Hello World")),
            "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"
        );
    }

    #[test]
    fn bip322_to_spend_txid_matches_the_bip() {
        // BIP-322: to_spend txid for address bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l
        // (P2WPKH program 2b05d564e6a7a33c087f16e0f730d1440123799d).
        let spk = hex::decode("00142b05d564e6a7a33c087f16e0f730d1440123799d").unwrap();
        let spk = Script::from_bytes(&spk);
        assert_eq!(
            bip322::to_spend(b"", spk).compute_txid().to_string(),
            "c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7"
        );
        assert_eq!(
            bip322::to_spend(b"Hello World", spk)
                .compute_txid()
                .to_string(),
            "b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b"
        );
    }

    #[test]
    fn every_demo_signer_verifies() {
        let message = b"demo signers test";
        for s in [
            p2wpkh(message).unwrap(),
            p2tr(message).unwrap(),
            p2wsh_2_of_3(message).unwrap(),
        ] {
            let claim = OwnershipClaim {
                chain: por_ownership::Chain::Bitcoin,
                address: &s.address,
                message,
                signature: &s.signature,
                second_signature: None,
                redeem_script: None,
            };
            let verdict = por_ownership::verify(&claim, &VerifyOptions::default()).unwrap();
            assert!(
                matches!(verdict, Verdict::Verified(_)),
                "{}: {verdict:?}",
                s.script
            );
        }
    }
}
