//! Ownership verification throughput: 100,000 mixed signatures (BIP-322
//! P2WPKH, BIP-322 P2TR key path, legacy signed message, EIP-191), verified
//! with rayon on the machine's cores, against a baseline measured in the same
//! run: raw k256 ECDSA verifications (prehashed, no encoding work) on the same
//! number of threads.
//!
//! Run: `cargo bench -p por-benches --bench ownership` (optional argument:
//! the signature count, default 100000). The signatures are made here with
//! k256 (signing is not what is measured); the verifier is
//! `por_ownership::verify`, the same call the CLI makes per row.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark binary"
)]

use std::time::Instant;

use base64::Engine as _;
use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use k256::ecdsa::{Signature, SigningKey};
use por_ownership::bitcoin::bip322::{to_sign_simple, to_spend};
use por_ownership::bitcoin::encode::{encode_witness, hash160, Amount, ScriptBuf, TxOut, Witness};
use por_ownership::bitcoin::legacy::{signed_message_hash, BITCOIN_MAGIC};
use por_ownership::evm::{eip191_hash, EvmAddress};
use por_ownership::hazmat::sighash::{segwit_v0_sighash_all, taproot_key_path_sighash};
use por_ownership::{verify, Chain, OwnershipClaim, Verdict, VerifyOptions};
use rayon::prelude::*;

struct Row {
    chain: Chain,
    address: String,
    message: String,
    signature: String,
}

fn key(i: u64) -> SigningKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i + 1).to_be_bytes());
    b[31] = 1;
    SigningKey::from_bytes(&b.into()).unwrap()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn make(i: u64) -> Row {
    let sk = key(i);
    let message = format!(
        "por reserves v1\nexchange: bench\nsnapshot: {i}\nliabilities: {}",
        "ab".repeat(32)
    );
    let pk = sk
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    match i % 4 {
        0 => {
            // BIP-322 simple, P2WPKH.
            let h = hash160(&pk);
            let mut spk = vec![0x00, 0x14];
            spk.extend_from_slice(&h);
            let spk = ScriptBuf::from_bytes(spk);
            let tx = to_sign_simple(to_spend(message.as_bytes(), &spk).compute_txid());
            let code = spk.p2wpkh_script_code().unwrap();
            let digest = segwit_v0_sighash_all(&tx, 0, &code, Amount::ZERO).unwrap();
            let sig: Signature = sk.sign_prehash(&digest).unwrap();
            let mut der = sig.to_der().as_bytes().to_vec();
            der.push(0x01);
            let w = encode_witness(&Witness::from_slice(&[der, pk]));
            let address =
                bech32::segwit::encode(bech32::hrp::BC, bech32::segwit::VERSION_0, &h).unwrap();
            Row {
                chain: Chain::Bitcoin,
                address,
                message,
                signature: format!("smp{}", b64(&w)),
            }
        }
        1 => {
            // BIP-322 simple, P2TR key path (output key used directly).
            let sk = k256::schnorr::SigningKey::from_bytes(&sk.to_bytes()).unwrap();
            let x = sk.verifying_key().to_bytes();
            let mut spk = vec![0x51, 0x20];
            spk.extend_from_slice(&x);
            let spk = ScriptBuf::from_bytes(spk);
            let tx = to_sign_simple(to_spend(message.as_bytes(), &spk).compute_txid());
            let digest = taproot_key_path_sighash(
                &tx,
                0,
                &[TxOut {
                    value: Amount::ZERO,
                    script_pubkey: spk,
                }],
                0,
            )
            .unwrap();
            let sig = sk.sign_raw(&digest, &[7u8; 32]).unwrap();
            let w = encode_witness(&Witness::from_slice(&[sig.to_bytes().to_vec()]));
            let address =
                bech32::segwit::encode(bech32::hrp::BC, bech32::segwit::VERSION_1, &x).unwrap();
            Row {
                chain: Chain::Bitcoin,
                address,
                message,
                signature: format!("smp{}", b64(&w)),
            }
        }
        2 => {
            // Legacy signed message, compressed P2PKH.
            let digest = signed_message_hash(BITCOIN_MAGIC, message.as_bytes());
            let (sig, recid) = sk.sign_prehash_recoverable(&digest).unwrap();
            let mut raw = vec![31 + recid.to_byte()];
            raw.extend_from_slice(&sig.to_bytes());
            let mut payload = vec![0u8];
            payload.extend_from_slice(&hash160(&pk));
            let address = bs58::encode(payload).with_check().into_string();
            Row {
                chain: Chain::Bitcoin,
                address,
                message,
                signature: b64(&raw),
            }
        }
        _ => {
            // EIP-191 personal_sign.
            let digest = eip191_hash(message.as_bytes());
            let (sig, recid) = sk.sign_prehash_recoverable(&digest).unwrap();
            let mut raw = sig.to_bytes().to_vec();
            raw.push(27 + recid.to_byte());
            let address = EvmAddress::from_key(sk.verifying_key()).to_checksummed();
            Row {
                chain: Chain::Ethereum,
                address,
                message,
                signature: format!("0x{}", hex::encode(raw)),
            }
        }
    }
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let rows: Vec<Row> = (0..n).into_par_iter().map(make).collect();
    // `--write FILE`: also save the claims as a por JSON claims file, for
    // timing `por ownership verify-file` end to end (benches/ownership-cli.sh).
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
    {
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "chain": r.chain.as_str(), "address": r.address, "message": r.message, "signature": r.signature,
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_vec(&json).unwrap()).unwrap();
        println!("wrote {n} claims to {path}");
        return;
    }
    println!(
        "generated {n} signatures in {:.2?} (not measured below)",
        t.elapsed()
    );

    let opts = VerifyOptions::default();
    let run = || {
        rows.par_iter()
            .filter(|r| {
                let claim = OwnershipClaim {
                    chain: r.chain,
                    address: &r.address,
                    message: r.message.as_bytes(),
                    signature: &r.signature,
                    second_signature: None,
                    redeem_script: None,
                };
                matches!(verify(&claim, &opts), Ok(Verdict::Verified(_)))
            })
            .count()
    };
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for round in 1..=3 {
        let (t, c) = (Instant::now(), cpu_seconds());
        let ok = run();
        let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
        assert_eq!(ok, rows.len(), "every generated signature must verify");
        println!("round {round}: verified {ok} mixed signatures in {secs:.2} s wall, {cpu:.2} s CPU, {threads} threads");
        best = best.min(secs);
        best_cpu = best_cpu.min(cpu);
    }

    // Baseline: raw prehashed ECDSA verification, same count, same threads.
    let baseline: Vec<(k256::ecdsa::VerifyingKey, [u8; 32], Signature)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let sk = key(i);
            let digest = digest_of(i);
            let sig: Signature = sk.sign_prehash(&digest).unwrap();
            (*sk.verifying_key(), digest, sig)
        })
        .collect();
    let (t, c) = (Instant::now(), cpu_seconds());
    let ok = baseline
        .par_iter()
        .filter(|(vk, d, s)| vk.verify_prehash(d, s).is_ok())
        .count();
    let (base, base_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    assert_eq!(ok, baseline.len());
    println!("baseline: {n} raw k256 ECDSA verifications in {base:.2} s wall, {base_cpu:.2} s CPU, {threads} threads");
    let count = f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    println!(
        "result: {n} mixed ownership signatures in {best:.2} s wall (best of 3; goal < 10 s) = {:.0}/s; \
         {best_cpu:.2} s CPU = {:.1} us/signature = {:.2} s on {threads} idle cores; \
         {:.2}x the CPU time of as many raw ECDSA verifications",
        count / best,
        best_cpu * 1e6 / count,
        best_cpu / f64::from(u32::try_from(threads).unwrap_or(1)),
        best_cpu / base_cpu
    );
}

/// This process's user + system CPU time (Linux `/proc/self/stat`, 100 ticks
/// per second); 0 elsewhere. On a shared machine wall time depends on the
/// other load, CPU time much less.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<u32>().ok())
            .map_or(0.0, f64::from)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn digest_of(i: u64) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(i.to_le_bytes()).into()
}
