//! BIP-322 generic signed messages: simple, full and proof-of-funds.
//!
//! The verifier builds the virtual `to_spend` transaction (an output locked by
//! the address's script, "funded" by a commitment to the message), then checks
//! that the `to_sign` transaction carried (or rebuilt from) the signature
//! spends it. v2.0.0 (2026) signatures begin with `smp`, `ful` or `pof`;
//! earlier wallets emit unprefixed simple signatures, which BIP-322 allows to
//! be read as simple.

use core::fmt;

use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::address::{p2wpkh_redeem_script, Address, AddressKind};
use super::encode::{
    decode_witness, tagged_hash, DecodeError, OutPoint, Reader, Transaction, TxIn, TxOut,
};
use crate::reason::InvalidReason;

use super::spend::{verify_input, Checker, ScriptKind, SpendFailure};

/// Base64 as wallets emit it: standard alphabet, padding optional.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `tagged_hash("BIP0322-signed-message", message)`.
#[must_use]
pub fn message_hash(message: &[u8]) -> [u8; 32] {
    tagged_hash("BIP0322-signed-message", &[message])
}

/// The virtual `to_spend` transaction for `message` and the address script.
#[must_use]
pub fn to_spend(message: &[u8], script_pubkey: &[u8]) -> Transaction {
    let mut script_sig = vec![0x00, 0x20];
    script_sig.extend_from_slice(&message_hash(message));
    Transaction {
        version: 0,
        inputs: vec![TxIn {
            prevout: OutPoint {
                txid: [0; 32],
                vout: 0xffff_ffff,
            },
            script_sig,
            sequence: 0,
            witness: Vec::new(),
        }],
        outputs: vec![TxOut {
            value: 0,
            script_pubkey: script_pubkey.to_vec(),
        }],
        lock_time: 0,
    }
}

/// The unsigned simple-format `to_sign` transaction spending `to_spend`.
#[must_use]
pub fn to_sign_simple(to_spend_txid: [u8; 32]) -> Transaction {
    Transaction {
        version: 0,
        inputs: vec![TxIn {
            prevout: OutPoint {
                txid: to_spend_txid,
                vout: 0,
            },
            script_sig: Vec::new(),
            sequence: 0,
            witness: Vec::new(),
        }],
        outputs: vec![TxOut {
            value: 0,
            script_pubkey: vec![0x6a],
        }],
        lock_time: 0,
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
    Witness(Vec<Vec<u8>>),
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
                Body::Tx(Transaction::decode(&bytes).map_err(Bip322FormatError::FullBody)?)
            }
            Bip322Format::ProofOfFunds => {
                Body::Psbt(Psbt::decode(&bytes).map_err(Bip322FormatError::Psbt)?)
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
    /// The outpoint (txid in internal order).
    pub outpoint: OutPoint,
    /// Its value in satoshi.
    pub value: u64,
    /// Its locking script.
    pub script_pubkey: Vec<u8>,
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
    let to_spend_txid = to_spend(message, &spk).txid();
    let spent = TxOut {
        value: 0,
        script_pubkey: spk,
    };
    match &sig.body {
        Body::Witness(stack) => {
            let mut tx = to_sign_simple(to_spend_txid);
            tx.inputs[0].witness = stack.clone();
            // rust-bitcoin/bip322 extension: a simple signature for a
            // P2SH-P2WPKH address implies scriptSig = push(0x0014 || hash160(pk)).
            if let (AddressKind::P2sh(_), [_, pk]) = (address.kind(), stack.as_slice()) {
                let redeem = p2wpkh_redeem_script(pk);
                let mut ss = vec![u8::try_from(redeem.len()).expect("22 bytes")];
                ss.extend_from_slice(&redeem);
                tx.inputs[0].script_sig = ss;
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
            let tx = &psbt.tx;
            check_to_sign_shape(tx, to_spend_txid, true).map_err(Bip322Failure::Invalid)?;
            let mut prevouts = vec![spent];
            let mut funds = Vec::new();
            for (i, input) in tx.inputs.iter().enumerate().skip(1) {
                let prev = psbt.prevout(i).map_err(Bip322Failure::Invalid)?;
                funds.push(FundedInput {
                    outpoint: input.prevout,
                    value: prev.value,
                    script_pubkey: prev.script_pubkey.clone(),
                });
                prevouts.push(prev);
            }
            Ok(SignedToSign {
                tx: tx.clone(),
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
    for i in 1..signed.tx.inputs.len() {
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
    to_spend_txid: [u8; 32],
    extra_inputs: bool,
) -> Result<(), InvalidReason> {
    let first = tx.inputs.first().ok_or(InvalidReason::WrongToSpend)?;
    if first.prevout
        != (OutPoint {
            txid: to_spend_txid,
            vout: 0,
        })
    {
        return Err(InvalidReason::WrongToSpend);
    }
    if !extra_inputs && tx.inputs.len() != 1 {
        return Err(InvalidReason::FullInputs {
            count: tx.inputs.len(),
        });
    }
    match tx.outputs.as_slice() {
        [o] if o.value == 0 && o.script_pubkey == [0x6a] => Ok(()),
        _ => Err(InvalidReason::ToSignOutputs),
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
    /// Bytes that do not decode.
    Decode {
        /// The input map it was in, if any.
        input: Option<usize>,
        /// What went wrong.
        error: DecodeError,
    },
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
            PsbtError::Decode {
                input: Some(i),
                error,
            } => write!(f, "input {i}: {error}"),
            PsbtError::Decode { input: None, error } => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for PsbtError {}

/// The parts of a finalized PSBT (BIP-174) that a proof of funds needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Psbt {
    /// The transaction with each input's final scriptSig and witness filled in.
    tx: Transaction,
    witness_utxo: Vec<Option<TxOut>>,
    non_witness_utxo: Vec<Option<Transaction>>,
}

impl Psbt {
    fn decode(bytes: &[u8]) -> Result<Psbt, PsbtError> {
        let mut r = Reader::new(bytes);
        let global = |error| PsbtError::Decode { input: None, error };
        let magic = r.take(5, "PSBT magic").map_err(global)?;
        if magic != b"psbt\xff" {
            return Err(PsbtError::NoMagic);
        }
        let mut tx: Option<Transaction> = None;
        for (key, value) in read_map(&mut r)? {
            if key == [0x00] {
                tx = Some(Transaction::decode(&value).map_err(global)?);
            }
        }
        let mut tx = tx.ok_or(PsbtError::NoUnsignedTx)?;
        let n = tx.inputs.len();
        let mut witness_utxo = vec![None; n];
        let mut non_witness_utxo = vec![None; n];
        for i in 0..n {
            let mut finalized = false;
            for (key, value) in read_map(&mut r)? {
                let Some(&kind) = key.first() else { continue };
                let ctx = |error: DecodeError| PsbtError::Decode {
                    input: Some(i),
                    error,
                };
                match kind {
                    0x00 => non_witness_utxo[i] = Some(Transaction::decode(&value).map_err(ctx)?),
                    0x01 => {
                        let mut vr = Reader::new(&value);
                        witness_utxo[i] = Some(TxOut::decode_from(&mut vr).map_err(ctx)?);
                        vr.finish().map_err(ctx)?;
                    }
                    0x07 => {
                        tx.inputs[i].script_sig = value;
                        finalized = true;
                    }
                    0x08 => {
                        tx.inputs[i].witness = decode_witness(&value).map_err(ctx)?;
                        finalized = true;
                    }
                    _ => {}
                }
            }
            if !finalized {
                return Err(PsbtError::NotFinalized { input: i });
            }
        }
        for _ in 0..tx.outputs.len() {
            read_map(&mut r)?;
        }
        r.finish().map_err(global)?;
        Ok(Psbt {
            tx,
            witness_utxo,
            non_witness_utxo,
        })
    }

    /// The previous output of input `i`: its witness_utxo, its
    /// non_witness_utxo, or (as one v2.0.0 vector needs) another input's
    /// non_witness_utxo with the same txid.
    fn prevout(&self, i: usize) -> Result<TxOut, InvalidReason> {
        let op = self.tx.inputs[i].prevout;
        if let Some(Some(o)) = self.witness_utxo.get(i) {
            return Ok(o.clone());
        }
        let from = |t: &Transaction| -> Option<TxOut> {
            (t.txid() == op.txid)
                .then(|| t.outputs.get(usize::try_from(op.vout).ok()?).cloned())
                .flatten()
        };
        if let Some(Some(t)) = self.non_witness_utxo.get(i) {
            return from(t).ok_or(InvalidReason::MissingPrevout { input: i });
        }
        self.non_witness_utxo
            .iter()
            .flatten()
            .find_map(from)
            .ok_or(InvalidReason::MissingPrevout { input: i })
    }
}

/// One PSBT key-value map.
type PsbtMap = Vec<(Vec<u8>, Vec<u8>)>;

fn read_map(r: &mut Reader<'_>) -> Result<PsbtMap, PsbtError> {
    let mut out = Vec::new();
    let err = |error| PsbtError::Decode { input: None, error };
    loop {
        let key = r.var_bytes("PSBT key").map_err(err)?;
        if key.is_empty() {
            return Ok(out);
        }
        let value = r.var_bytes("PSBT value").map_err(err)?;
        out.push((key.to_vec(), value.to_vec()));
    }
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
