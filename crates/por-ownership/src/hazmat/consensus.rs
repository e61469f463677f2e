//! Bitcoin Core's consensus script interpreter, called directly.

use crate::bitcoin::encode::{encode_transaction, Transaction, TxOut};
use crate::bitcoin::spend::{invalid, SpendFailure};
use crate::reason::InvalidReason;

/// Verifies input `index` with Bitcoin Core's consensus script interpreter
/// (flags: P2SH, DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY,
/// WITNESS, TAPROOT), and nothing else.
///
/// # Hazard: no unencumbered-output guard
///
/// Consensus lets anyone spend an output of a future witness version (2 to
/// 16), a version 1 program that is not 32 bytes, or a version 1 program
/// nested in P2SH, and libbitcoinconsensus has no
/// `DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM` flag to refuse them. This function
/// therefore returns `Ok(())` for a BIP-322 "proof" of such an address with an
/// arbitrary witness: it shows the input is consensus-valid, not that anyone
/// controls the address. [`verify_input`](crate::bitcoin::spend::verify_input)
/// refuses those outputs before calling this; use it.
///
/// # Errors
///
/// [`SpendFailure::Invalid`] with Core's error text.
pub fn verify_input_consensus_unguarded(
    tx: &Transaction,
    index: usize,
    prevouts: &[TxOut],
) -> Result<(), SpendFailure> {
    let prev = prevouts
        .get(index)
        .ok_or_else(|| invalid("missing previous output"))?;
    // Called directly rather than through rust-bitcoin's own `bitcoinconsensus`
    // feature, which would link a second libbitcoinconsensus (Core 25.1)
    // beside this one (Core 26.0).
    let bytes = encode_transaction(tx);
    let mut utxos = Vec::with_capacity(prevouts.len());
    for p in prevouts {
        utxos.push(bitcoinconsensus::Utxo {
            script_pubkey: p.script_pubkey.as_bytes().as_ptr(),
            script_pubkey_len: u32::try_from(p.script_pubkey.len())
                .map_err(|_| invalid("script too long"))?,
            value: i64::try_from(p.value.to_sat()).map_err(|_| invalid("amount too large"))?,
        });
    }
    let flags = bitcoinconsensus::VERIFY_ALL_PRE_TAPROOT | bitcoinconsensus::VERIFY_TAPROOT;
    bitcoinconsensus::verify_with_flags(
        prev.script_pubkey.as_bytes(),
        prev.value.to_sat(),
        &bytes,
        Some(&utxos),
        index,
        flags,
    )
    .map_err(|e| {
        use bitcoinconsensus::Error as E;
        // ERR_SCRIPT is also what Core reports for a script that evaluates to false.
        let detail = match e {
            E::ERR_SCRIPT => "the script does not accept this input",
            E::ERR_TX_INDEX => "input index out of range",
            E::ERR_TX_SIZE_MISMATCH => "transaction size mismatch",
            E::ERR_TX_DESERIALIZE => "transaction does not deserialize",
            E::ERR_AMOUNT_REQUIRED => "amount required",
            E::ERR_INVALID_FLAGS => "invalid flags",
            E::ERR_SPENT_OUTPUTS_REQUIRED => "spent outputs required",
            E::ERR_SPENT_OUTPUTS_MISMATCH => "spent outputs mismatch",
        };
        SpendFailure::Invalid(InvalidReason::BitcoinCore { detail })
    })
}
