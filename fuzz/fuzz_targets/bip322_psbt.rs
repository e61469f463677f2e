//! BIP-322 signature bodies and proof-of-funds PSBTs as raw bytes (so the
//! fuzzer works on the binary encodings, not on their base64).
//!
//! Input: a mode byte (0 simple witness stack, 1 full `to_sign`
//! transaction, 2 proof-of-funds PSBT, 3 bare transaction), an address byte
//! (one of four fixed mainnet addresses: P2WPKH, P2TR, P2SH, P2PKH), then
//! the body bytes.
//!
//! - Modes 0–2: the body is base64-encoded behind its `smp`/`ful`/`pof`
//!   prefix; what `Bip322Signature::parse` accepts has that format and
//!   prefix, and the ownership verify entry point gives it a deterministic
//!   verdict for "Hello World" on the chosen address (never a panic).
//! - Mode 3: a transaction that decodes re-encodes to bytes that decode to
//!   the same transaction, with the same txid.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use por_ownership::bitcoin::encode::{decode_transaction, encode_transaction};
use por_ownership::{self as ownership, Bip322Format, Bip322Signature, Chain, OwnershipClaim};

const ADDRESSES: [&str; 4] = [
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
    "bc1pcquvhrqv0q68t4m0hfq6tpn006qrskyc7yrqnp2uyrf2emg3wynsdjyk38",
    "3PGZjFkYBL1m9WBWkWbCW5FEFTaS1Hj4EB",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
];

fuzz_target!(|data: &[u8]| {
    let [mode, addr, body @ ..] = data else {
        return;
    };
    let address = ADDRESSES[usize::from(*addr) % ADDRESSES.len()];
    let (prefix, format) = match mode % 4 {
        0 => ("smp", Bip322Format::Simple),
        1 => ("ful", Bip322Format::Full),
        2 => ("pof", Bip322Format::ProofOfFunds),
        _ => {
            if let Ok(tx) = decode_transaction(body) {
                let bytes = encode_transaction(&tx);
                let again = decode_transaction(&bytes).expect("an encoded transaction decodes");
                assert_eq!(again, tx, "encode / decode round trip");
                assert_eq!(again.compute_txid(), tx.compute_txid());
            }
            return;
        }
    };
    let text = format!("{prefix}{}", STANDARD.encode(body));
    match Bip322Signature::parse(&text) {
        Err(e) => {
            let _ = e.to_string();
            return;
        }
        Ok(sig) => {
            assert_eq!(sig.format(), format);
            assert!(sig.prefixed());
        }
    }
    let claim = OwnershipClaim {
        chain: Chain::Bitcoin,
        address,
        message: b"Hello World",
        signature: &text,
        second_signature: None,
        redeem_script: None,
    };
    let opts = ownership::VerifyOptions::default();
    let first = ownership::verify(&claim, &opts);
    match &first {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(v) => {
            let _ = v.summary();
        }
    }
    assert_eq!(first, ownership::verify(&claim, &opts), "deterministic");
});
