//! The safe spending check refuses what the raw interpreter in `hazmat`
//! accepts: a BIP-322 "proof" for an output anyone can spend (issue 11,
//! "Hazards are not named").
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use por_ownership::bitcoin::bip322::{to_sign_simple, to_spend};
use por_ownership::bitcoin::encode::{Amount, ScriptBuf, Transaction, TxOut, Witness};
use por_ownership::bitcoin::spend::{verify_input, SpendFailure};
use por_ownership::InvalidReason;

/// `to_sign` for `script_pubkey`, its one input carrying `witness`, and the
/// output it spends.
fn bip322_spend(script_pubkey: &[u8], witness: Vec<Vec<u8>>) -> (Transaction, Vec<TxOut>) {
    let script_pubkey = ScriptBuf::from_bytes(script_pubkey.to_vec());
    let to_spend = to_spend(b"anything", &script_pubkey);
    let mut tx = to_sign_simple(to_spend.compute_txid());
    tx.input[0].witness = Witness::from_slice(&witness);
    let prevouts = vec![TxOut {
        value: Amount::ZERO,
        script_pubkey,
    }];
    (tx, prevouts)
}

/// Witness programs consensus leaves unencumbered: versions 2 to 16 and a
/// version 1 program that is not 32 bytes.
fn anyone_can_spend_scripts() -> Vec<Vec<u8>> {
    let mut scripts = Vec::new();
    for op in 0x52u8..=0x60 {
        let mut s = vec![op, 32];
        s.extend_from_slice(&[7; 32]);
        scripts.push(s);
    }
    let mut v1_short = vec![0x51, 20];
    v1_short.extend_from_slice(&[7; 20]);
    scripts.push(v1_short);
    scripts
}

#[test]
fn verify_input_refuses_outputs_anyone_can_spend() {
    for spk in anyone_can_spend_scripts() {
        for witness in [vec![], vec![vec![0x01]], vec![vec![0u8; 72], vec![2u8; 33]]] {
            let (tx, prevouts) = bip322_spend(&spk, witness);
            assert_eq!(
                verify_input(&tx, 0, &prevouts),
                Err(SpendFailure::Invalid(InvalidReason::UnencumberedWitness)),
                "{}",
                hex::encode(&spk)
            );
        }
    }
}

/// The hazard the guard exists for: Bitcoin Core's interpreter, called
/// directly, accepts an arbitrary witness for the same outputs.
#[cfg(feature = "consensus")]
#[test]
fn the_unguarded_interpreter_accepts_them() {
    use por_ownership::hazmat::verify_input_consensus_unguarded;
    for spk in anyone_can_spend_scripts() {
        let (tx, prevouts) = bip322_spend(&spk, vec![vec![0x01]]);
        assert_eq!(
            verify_input_consensus_unguarded(&tx, 0, &prevouts),
            Ok(()),
            "{}",
            hex::encode(&spk)
        );
    }
}
