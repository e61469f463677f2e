//! BIP-322 generic signed messages: simple, full and proof-of-funds.
//!
//! The verifier builds the virtual `to_spend` transaction (an output locked by
//! the address's script, "funded" by a commitment to the message), then checks
//! that the `to_sign` transaction carried (or rebuilt from) the signature
//! spends it. v2.0.0 (2026) signatures begin with `smp`, `ful` or `pof`;
//! earlier wallets emit unprefixed simple signatures, which BIP-322 allows to
//! be read as simple.
//!
//! The transactions, witnesses and the proof-of-funds PSBT are rust-bitcoin's
//! (`Transaction`, `Witness`, `Psbt`); what is written here is BIP-322's own
//! part: the two virtual transactions, the signature formats and the checks
//! of the signed transaction's shape.

use core::fmt;

use ::bitcoin::absolute::LockTime;
use ::bitcoin::hashes::{sha256t_hash_newtype, Hash as _};
use ::bitcoin::opcodes::all::OP_RETURN;
use ::bitcoin::psbt::{self, Psbt};
use ::bitcoin::script::{Builder, PushBytes};
use ::bitcoin::transaction::Version;
use ::bitcoin::{Amount, Sequence};
use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::address::{p2wpkh_redeem_script, Address, AddressKind};
use super::encode::{
    decode_transaction, decode_witness, DecodeError, OutPoint, Script, ScriptBuf, Transaction,
    TxIn, TxOut, Txid, Witness,
};
use crate::reason::InvalidReason;

use super::spend::{verify_input, Checker, ScriptKind, SpendFailure};

/// Base64 as wallets emit it: standard alphabet, padding optional.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

sha256t_hash_newtype! {
    /// BIP-322's message tag.
    struct Bip322MessageTag = hash_str("BIP0322-signed-message");
    /// A BIP-322 message hash.
    struct Bip322MessageHash(_);
}

/// `tagged_hash("BIP0322-signed-message", message)`.
#[must_use]
pub fn message_hash(message: &[u8]) -> [u8; 32] {
    Bip322MessageHash::hash(message).to_byte_array()
}

/// The virtual `to_spend` transaction for `message` and the address script.
#[must_use]
pub fn to_spend(message: &[u8], script_pubkey: &Script) -> Transaction {
    let script_sig = Builder::new()
        .push_int(0)
        .push_slice(message_hash(message))
        .into_script();
    Transaction {
        version: Version(0),
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::null(),
            script_sig,
            sequence: Sequence::ZERO,
            witness: Witness::new(),
        }],
        output: vec![TxOut {
            value: Amount::ZERO,
            script_pubkey: script_pubkey.to_owned(),
        }],
    }
}

/// The unsigned simple-format `to_sign` transaction spending `to_spend`.
#[must_use]
pub fn to_sign_simple(to_spend_txid: Txid) -> Transaction {
    Transaction {
        version: Version(0),
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::new(to_spend_txid, 0),
            script_sig: ScriptBuf::new(),
            sequence: Sequence::ZERO,
            witness: Witness::new(),
        }],
        output: vec![op_return_output()],
    }
}

/// The one output of every `to_sign`: 0 sat to a bare `OP_RETURN`.
fn op_return_output() -> TxOut {
    TxOut {
        value: Amount::ZERO,
        script_pubkey: Builder::new().push_opcode(OP_RETURN).into_script(),
    }
}

/// The three BIP-322 signature formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bip322Format {
    /// The witness stack only.
    Simple,
    /// The whole signed `to_sign` transaction.
    Full,
    /// A finalized PSBT whose extra inputs prove funds.
    ProofOfFunds,
}

impl Bip322Format {
    /// `simple`, `full` or `proof-of-funds`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Bip322Format::Simple => "simple",
            Bip322Format::Full => "full",
            Bip322Format::ProofOfFunds => "proof-of-funds",
        }
    }
}

/// A malformed BIP-322 signature (as opposed to one that does not verify).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bip322FormatError {
    /// The signature is empty or only a prefix.
    TooShort,
    /// Not base64.
    Base64(base64::DecodeError),
    /// A simple signature that is not a witness stack.
    SimpleBody(DecodeError),
    /// A full signature that is not a transaction.
    FullBody(DecodeError),
    /// A proof-of-funds signature that is not a finalized PSBT.
    Psbt(PsbtError),
}

impl fmt::Display for Bip322FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bip322FormatError::TooShort => write!(f, "BIP-322 signature too short (empty)"),
            Bip322FormatError::Base64(e) => write!(f, "error decoding signature as base64: {e}"),
            Bip322FormatError::SimpleBody(e) => write!(
                f,
                "error parsing signature as simple variant (witness stack): {e}"
            ),
            Bip322FormatError::FullBody(e) => write!(
                f,
                "error parsing signature as full variant (transaction): {e}"
            ),
            Bip322FormatError::Psbt(e) => {
                write!(f, "error parsing signature as proof-of-funds PSBT: {e}")
            }
        }
    }
}

impl std::error::Error for Bip322FormatError {}

/// A decoded, not yet verified BIP-322 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bip322Signature {
    format: Bip322Format,
    prefixed: bool,
    body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Witness(Witness),
    Tx(Transaction),
    Psbt(Psbt),
}

impl Bip322Signature {
    /// Decodes `smp…`, `ful…`, `pof…` or an unprefixed (simple) base64 signature.
    ///
    /// # Errors
    ///
    /// [`Bip322FormatError`] if it is not one of those.
    pub fn parse(text: &str) -> Result<Bip322Signature, Bip322FormatError> {
        let text = text.trim();
        let (format, prefixed, b64) = if let Some(rest) = text.strip_prefix("smp") {
            (Bip322Format::Simple, true, rest)
        } else if let Some(rest) = text.strip_prefix("ful") {
            (Bip322Format::Full, true, rest)
        } else if let Some(rest) = text.strip_prefix("pof") {
            (Bip322Format::ProofOfFunds, true, rest)
        } else {
            (Bip322Format::Simple, false, text)
        };
        if b64.is_empty() {
            return Err(Bip322FormatError::TooShort);
        }
        let bytes = BASE64.decode(b64).map_err(Bip322FormatError::Base64)?;
        let body = match format {
            Bip322Format::Simple => {
                Body::Witness(decode_witness(&bytes).map_err(Bip322FormatError::SimpleBody)?)
            }
            Bip322Format::Full => {
                Body::Tx(decode_transaction(&bytes).map_err(Bip322FormatError::FullBody)?)
            }
            Bip322Format::ProofOfFunds => {
                Body::Psbt(decode_finalized_psbt(&bytes).map_err(Bip322FormatError::Psbt)?)
            }
        };
        Ok(Bip322Signature {
            format,
            prefixed,
            body,
        })
    }

    /// The format.
    #[must_use]
    pub fn format(&self) -> Bip322Format {
        self.format
    }

    /// Whether it carried a v2.0.0 prefix.
    #[must_use]
    pub fn prefixed(&self) -> bool {
        self.prefixed
    }
}

/// A previous output the proof-of-funds signature showed control of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundedInput {
    /// The outpoint.
    pub outpoint: OutPoint,
    /// Its value.
    pub value: Amount,
    /// Its locking script.
    pub script_pubkey: ScriptBuf,
}

/// What a successful BIP-322 check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bip322Verified {
    /// The format.
    pub format: Bip322Format,
    /// Whether the signature had a v2.0.0 prefix.
    pub prefixed: bool,
    /// Which verifier checked the message input.
    pub checker: Checker,
    /// For proof of funds: the extra inputs, all verified.
    pub funds: Vec<FundedInput>,
}

/// Why a well-formed BIP-322 signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bip322Failure {
    /// It does not prove control of the address for this message.
    Invalid(InvalidReason),
    /// The script needs Bitcoin Core's interpreter (a native build).
    NeedsNativeVerifier(ScriptKind),
}

impl From<SpendFailure> for Bip322Failure {
    fn from(e: SpendFailure) -> Bip322Failure {
        match e {
            SpendFailure::NeedsInterpreter(k) => Bip322Failure::NeedsNativeVerifier(k),
            SpendFailure::Invalid(r) => Bip322Failure::Invalid(r),
        }
    }
}

/// The signed `to_sign` transaction a signature stands for, with the
/// previous output of each input (input 0 spends the virtual `to_spend`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedToSign {
    /// The transaction carrying the signature.
    pub tx: Transaction,
    /// One previous output per input.
    pub prevouts: Vec<TxOut>,
    /// Proof of funds: inputs 1.. with their outputs.
    pub funds: Vec<FundedInput>,
}

/// Builds the signed `to_sign` transaction for `sig` over `message` and
/// `address`, checking its shape (input 0 spends `to_spend:0`, one 0-sat
/// OP_RETURN output) but not its scripts.
///
/// # Errors
///
/// [`Bip322Failure::Invalid`] if the shape is wrong (wrong message or address
/// for a full / proof-of-funds signature, or a PSBT without previous outputs).
pub fn signed_to_sign(
    address: &Address,
    message: &[u8],
    sig: &Bip322Signature,
) -> Result<SignedToSign, Bip322Failure> {
    let spk = address.script_pubkey();
    let to_spend_txid = to_spend(message, &spk).compute_txid();
    let spent = TxOut {
        value: Amount::ZERO,
        script_pubkey: spk,
    };
    match &sig.body {
        Body::Witness(stack) => {
            let mut tx = to_sign_simple(to_spend_txid);
            tx.input[0].witness = stack.clone();
            // rust-bitcoin/bip322 extension: a simple signature for a
            // P2SH-P2WPKH address implies scriptSig = push(0x0014 || hash160(pk)).
            if let (AddressKind::P2sh(_), 2, Some(pk)) = (address.kind(), stack.len(), stack.nth(1))
            {
                let redeem = p2wpkh_redeem_script(pk);
                if let Ok(push) = <&PushBytes>::try_from(redeem.as_bytes()) {
                    tx.input[0].script_sig = Builder::new().push_slice(push).into_script();
                }
            }
            Ok(SignedToSign {
                tx,
                prevouts: vec![spent],
                funds: Vec::new(),
            })
        }
        Body::Tx(tx) => {
            check_to_sign_shape(tx, to_spend_txid, false).map_err(Bip322Failure::Invalid)?;
            Ok(SignedToSign {
                tx: tx.clone(),
                prevouts: vec![spent],
                funds: Vec::new(),
            })
        }
        Body::Psbt(psbt) => {
            let tx = psbt.clone().extract_tx_unchecked_fee_rate();
            check_to_sign_shape(&tx, to_spend_txid, true).map_err(Bip322Failure::Invalid)?;
            let mut prevouts = vec![spent];
            let mut funds = Vec::new();
            for (i, input) in tx.input.iter().enumerate().skip(1) {
                let prev = psbt_prevout(psbt, i).map_err(Bip322Failure::Invalid)?;
                funds.push(FundedInput {
                    outpoint: input.previous_output,
                    value: prev.value,
                    script_pubkey: prev.script_pubkey.clone(),
                });
                prevouts.push(prev);
            }
            Ok(SignedToSign {
                tx,
                prevouts,
                funds,
            })
        }
    }
}

/// Verifies `sig` over `message` for `address`: every input of the signed
/// `to_sign` must spend its previous output.
///
/// # Errors
///
/// [`Bip322Failure`] if it does not verify (or cannot be checked here).
pub fn verify(
    address: &Address,
    message: &[u8],
    sig: &Bip322Signature,
) -> Result<Bip322Verified, Bip322Failure> {
    let signed = signed_to_sign(address, message, sig)?;
    let checker = verify_input(&signed.tx, 0, &signed.prevouts)?;
    for i in 1..signed.tx.input.len() {
        verify_input(&signed.tx, i, &signed.prevouts).map_err(|e| {
            match Bip322Failure::from(e) {
                Bip322Failure::Invalid(s) => Bip322Failure::Invalid(InvalidReason::FundsInput {
                    input: i,
                    reason: Box::new(s),
                }),
                other => other,
            }
        })?;
    }
    Ok(Bip322Verified {
        format: sig.format,
        prefixed: sig.prefixed,
        checker,
        funds: signed.funds,
    })
}

fn check_to_sign_shape(
    tx: &Transaction,
    to_spend_txid: Txid,
    extra_inputs: bool,
) -> Result<(), InvalidReason> {
    let first = tx.input.first().ok_or(InvalidReason::WrongToSpend)?;
    if first.previous_output != OutPoint::new(to_spend_txid, 0) {
        return Err(InvalidReason::WrongToSpend);
    }
    if !extra_inputs && tx.input.len() != 1 {
        return Err(InvalidReason::FullInputs {
            count: tx.input.len(),
        });
    }
    if tx.output.as_slice() == [op_return_output()] {
        Ok(())
    } else {
        Err(InvalidReason::ToSignOutputs)
    }
}

/// Why a proof-of-funds PSBT cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PsbtError {
    /// No `psbt\xff` magic.
    NoMagic,
    /// No global unsigned transaction.
    NoUnsignedTx,
    /// An input without a final scriptSig or witness.
    NotFinalized {
        /// The input.
        input: usize,
    },
    /// Bytes that do not decode (rust-bitcoin's message).
    Decode(DecodeError),
}

impl fmt::Display for PsbtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PsbtError::NoMagic => write!(f, "missing PSBT magic `psbt\\xff`"),
            PsbtError::NoUnsignedTx => write!(f, "PSBT has no global unsigned transaction"),
            PsbtError::NotFinalized { input } => {
                write!(
                    f,
                    "input {input} is not finalized (no final scriptSig or witness)"
                )
            }
            PsbtError::Decode(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for PsbtError {}

/// Reads a PSBT (BIP-174) whose every input is finalized.
fn decode_finalized_psbt(bytes: &[u8]) -> Result<Psbt, PsbtError> {
    let psbt = Psbt::deserialize(bytes).map_err(|e| match e {
        psbt::Error::InvalidMagic | psbt::Error::InvalidSeparator => PsbtError::NoMagic,
        psbt::Error::MustHaveUnsignedTx => PsbtError::NoUnsignedTx,
        e => PsbtError::Decode(DecodeError::from_message(e.to_string())),
    })?;
    if psbt.unsigned_tx.input.is_empty() {
        return Err(PsbtError::Decode(DecodeError::from_message(
            "transaction has no inputs".to_owned(),
        )));
    }
    if let Some(input) = psbt
        .inputs
        .iter()
        .position(|i| i.final_script_sig.is_none() && i.final_script_witness.is_none())
    {
        return Err(PsbtError::NotFinalized { input });
    }
    Ok(psbt)
}

/// The previous output of input `i` of a proof-of-funds PSBT: its
/// witness_utxo, its non_witness_utxo, or (as one v2.0.0 vector needs) another
/// input's non_witness_utxo with the same txid.
fn psbt_prevout(psbt: &Psbt, i: usize) -> Result<TxOut, InvalidReason> {
    let missing = InvalidReason::MissingPrevout { input: i };
    let op = psbt
        .unsigned_tx
        .input
        .get(i)
        .ok_or_else(|| missing.clone())?
        .previous_output;
    let input = psbt.inputs.get(i).ok_or_else(|| missing.clone())?;
    if let Some(o) = &input.witness_utxo {
        return Ok(o.clone());
    }
    let from = |t: &Transaction| -> Option<TxOut> {
        (t.compute_txid() == op.txid)
            .then(|| t.output.get(usize::try_from(op.vout).ok()?).cloned())
            .flatten()
    };
    if let Some(t) = &input.non_witness_utxo {
        return from(t).ok_or(missing);
    }
    psbt.inputs
        .iter()
        .filter_map(|i| i.non_witness_utxo.as_ref())
        .find_map(from)
        .ok_or(missing)
}

/// Whether `text` looks like a BIP-322 signature rather than a 65-byte legacy
/// one: it has a v2.0.0 prefix, or does not decode to 65 bytes starting with
/// a BIP-137 header byte.
#[must_use]
pub fn looks_like_bip322(text: &str) -> bool {
    let t = text.trim();
    if t.starts_with("smp") || t.starts_with("ful") || t.starts_with("pof") {
        return true;
    }
    match general_purpose::STANDARD.decode(t) {
        Ok(b) => !(b.len() == 65 && (27..=42).contains(&b[0])),
        Err(_) => false,
    }
}
