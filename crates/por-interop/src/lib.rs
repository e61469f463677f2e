//! Customers' inclusion proofs of other exchanges, each checked by that
//! exchange's own published rule, and por's own proof through the same
//! interface (docs/interop.md).
//!
//! Pure: no I/O. [`detect`] recognises a file by its structure (never by its
//! name); [`check`] runs the format's [`Adapter`] and, when the customer gave
//! a published root, compares it with the root the proof leads to. The
//! verdict is the exchange's rule's ([`Verdict`]); por's stricter findings
//! are [`Weakness`]es beside it and never change it.

pub mod decimal;
mod detect;
mod javamap;
mod json;
pub mod weakness;

mod bitget;
mod bitmex;
mod bitunix;
mod coinex;
mod mexc;
mod okx;
#[cfg(feature = "por-v1")]
mod por;
#[cfg(not(feature = "por-v1"))]
mod por_elsewhere;
mod zk;

use std::fmt;

pub use detect::{detect, Candidate, Detection};
#[cfg(feature = "por-v1")]
pub use por::por_v1_weaknesses;
pub use weakness::Weakness;

/// The version of the JSON report `por verify --json` prints for a proof of
/// another exchange (docs/interop.md).
pub const REPORT_VERSION: &str = "por-interop-report-v1";

/// A customer-proof format por can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// por's own `por-proof-v1`.
    PorV1,
    /// OKX's first format: one JSON file with `self` and `path`.
    OkxV1,
    /// OKX's second format: the user info file and the full tree file.
    OkxV2,
    /// Bitget: `merkel_tree_bg.json`.
    Bitget,
    /// Bitunix: `merkle_tree_bitunix.json`.
    Bitunix,
    /// MEXC: `self` and `pathList`.
    Mexc,
    /// CoinEx: `root`, `self` and `path`.
    Coinex,
    /// BitMEX proof of liabilities: the full tree as text.
    Bitmex,
    /// Gate's zk-SNARK user proof (Poseidon over BN254).
    GateZk,
    /// Binance's zk-SNARK user proof (Poseidon over BN254).
    BinanceZk,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 10] = [
        Format::PorV1,
        Format::OkxV1,
        Format::OkxV2,
        Format::Bitget,
        Format::Bitunix,
        Format::Mexc,
        Format::Coinex,
        Format::Bitmex,
        Format::GateZk,
        Format::BinanceZk,
    ];

    /// The stable id (`--format` and the JSON `format`).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Format::PorV1 => "por-v1",
            Format::OkxV1 => "okx-v1",
            Format::OkxV2 => "okx-v2",
            Format::Bitget => "bitget",
            Format::Bitunix => "bitunix",
            Format::Mexc => "mexc",
            Format::Coinex => "coinex",
            Format::Bitmex => "bitmex",
            Format::GateZk => "gate-zk",
            Format::BinanceZk => "binance-zk",
        }
    }

    /// The exchange whose format it is.
    #[must_use]
    pub fn exchange(self) -> &'static str {
        match self {
            Format::PorV1 => "por",
            Format::OkxV1 | Format::OkxV2 => "OKX",
            Format::Bitget => "Bitget",
            Format::Bitunix => "Bitunix",
            Format::Mexc => "MEXC",
            Format::Coinex => "CoinEx",
            Format::Bitmex => "BitMEX",
            Format::GateZk => "Gate",
            Format::BinanceZk => "Binance",
        }
    }

    /// The format with this id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    fn adapter(self) -> &'static dyn Adapter {
        match self {
            #[cfg(feature = "por-v1")]
            Format::PorV1 => &por::PorV1,
            #[cfg(not(feature = "por-v1"))]
            Format::PorV1 => &por_elsewhere::PorV1,
            Format::OkxV1 => &okx::OkxV1,
            Format::OkxV2 => &okx::OkxV2,
            Format::Bitget => &bitget::Bitget,
            Format::Bitunix => &bitunix::Bitunix,
            Format::Mexc => &mexc::Mexc,
            Format::Coinex => &coinex::Coinex,
            Format::Bitmex => &bitmex::Bitmex,
            Format::GateZk => &zk::GateZk,
            Format::BinanceZk => &zk::BinanceZk,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What the customer gives beside the proof file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Customer {
    /// The account id (BitMEX: numeric; used with `account_nonce`).
    pub account: Option<u64>,
    /// The per-snapshot nonce (BitMEX `--nonce`): the HMAC key of the leaves.
    pub nonce: Option<Vec<u8>>,
    /// The account's master nonce (BitMEX `--account_nonce`), from which the
    /// per-snapshot nonce is derived with the account id and block height.
    pub account_nonce: Option<Vec<u8>>,
}

/// What the customer compares the proof with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published<'a> {
    /// Nothing: only the exchange's rule on the file itself.
    Nothing,
    /// A root hash (hex) given by the customer.
    Root(&'a str),
    /// The text of a publication file: for por-v1 anything
    /// `por_attest::publication::PublishedRoot::parse` reads; for other
    /// formats a file holding the root hash alone.
    File(&'a str),
}

/// Everything a check reads.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The proof file's text.
    pub proof: &'a str,
    /// A second file the format needs (OKX v2: the full liabilities tree).
    pub tree: Option<&'a str>,
    /// What only the customer knows.
    pub customer: &'a Customer,
    /// What the customer compares with.
    pub published: Published<'a>,
}

/// The verdict of the exchange's own rule (and of the comparison with a
/// published root, when one was given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The exchange's rule accepts the proof.
    Valid,
    /// The rule rejects it: at which step, and why.
    Invalid {
        /// A short stable name of the step.
        step: String,
        /// What did not hold.
        reason: String,
    },
    /// Recognised, but not checkable here: why.
    Unverifiable {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// `valid`, `invalid` or `unverifiable`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid { .. } => "invalid",
            Verdict::Unverifiable { .. } => "unverifiable",
        }
    }

    /// The reason (`None` when valid), with the step for an invalid proof.
    #[must_use]
    pub fn reason(&self) -> Option<String> {
        match self {
            Verdict::Valid => None,
            Verdict::Invalid { step, reason } => Some(format!("{step}: {reason}")),
            Verdict::Unverifiable { reason } => Some(reason.clone()),
        }
    }

    pub(crate) fn invalid(step: &str, reason: impl Into<String>) -> Verdict {
        Verdict::Invalid {
            step: step.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unverifiable(reason: impl Into<String>) -> Verdict {
        Verdict::Unverifiable {
            reason: reason.into(),
        }
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The format checked.
    pub format: Format,
    /// The verdict.
    pub verdict: Verdict,
    /// Whether a root the customer gave was compared with the proof's.
    pub compared_with_publication: bool,
    /// The format's weaknesses (beside the verdict, never changing it).
    pub weaknesses: Vec<Weakness>,
    /// The customer's balances: asset symbol → amount exactly as the proof
    /// states it.
    pub balances: Vec<(String, String)>,
    /// The root hash the proof leads to (lower-case hex), when it leads to one.
    pub root: Option<String>,
    /// Further facts worth saying (one sentence each).
    pub notes: Vec<String>,
}

impl Report {
    /// The exit status `por verify` gives: 0 valid and compared with a
    /// publication, 1 invalid, 3 valid but not compared, or unverifiable.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match (&self.verdict, self.compared_with_publication) {
            (Verdict::Valid, true) => 0,
            (Verdict::Invalid { .. }, _) => 1,
            _ => 3,
        }
    }
}

/// Input that cannot be checked at all (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file is not well-formed for its format.
    Malformed {
        /// The field (dotted path), empty for the whole file.
        field: String,
        /// What was expected.
        message: String,
    },
    /// No format matched, or several did.
    Unknown(Detection),
    /// Something the format needs was not given, or is of no use to it.
    Usage(String),
    /// Well-formed, but beyond what por computes (a decimal beyond 38
    /// significant digits, a Java `HashMap` order por does not model). An
    /// adapter returns it; [`check`] turns it into an `unverifiable` report
    /// and never returns it.
    Beyond {
        /// The field (dotted path).
        field: String,
        /// What por does not compute.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed { field, message } if field.is_empty() => f.write_str(message),
            Error::Malformed { field, message } => write!(f, "{field}: {message}"),
            Error::Unknown(d) => write!(f, "{d}"),
            Error::Usage(m) => f.write_str(m),
            Error::Beyond { field, message } => write!(f, "{field}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// What an adapter found, before the comparison with a publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exchange's rule's verdict on the file.
    pub verdict: Verdict,
    /// The root the proof leads to under the rule, when it reaches one.
    pub root: Option<String>,
    /// Balances as stated.
    pub balances: Vec<(String, String)>,
    /// The format's weaknesses.
    pub weaknesses: Vec<Weakness>,
    /// Further facts.
    pub notes: Vec<String>,
    /// Set by an adapter that compared the publication itself (por-v1).
    pub compared: Option<bool>,
}

/// One format's check: exactly the rule of that exchange's own verifier.
pub trait Adapter: Sync {
    /// The format.
    fn format(&self) -> Format;
    /// Checks the input by the exchange's rule.
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`] or [`Error::Usage`].
    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error>;
}

/// Recognises the proof (or takes `format`), checks it by its exchange's
/// rule, and compares the root it leads to with the published one given.
///
/// # Errors
///
/// [`Error`] when the file is malformed, unknown, or something the format
/// needs is missing.
pub fn check(input: &Input<'_>, format: Option<Format>) -> Result<Report, Error> {
    let format = match format {
        Some(f) => f,
        None => detect(input.proof)
            .format()
            .ok_or_else(|| Error::Unknown(detect(input.proof)))?,
    };
    let adapter = format.adapter();
    let mut out = match adapter.check(input) {
        Err(e @ Error::Beyond { .. }) => {
            return Ok(Report {
                format,
                verdict: Verdict::unverifiable(format!(
                    "{e}; the exchange's own tool computes it, por does not"
                )),
                compared_with_publication: false,
                weaknesses: Vec::new(),
                balances: Vec::new(),
                root: None,
                notes: Vec::new(),
            })
        }
        r => r?,
    };
    let compared = match out.compared {
        Some(c) => c,
        None => compare(&mut out, input.published)?,
    };
    let mut weaknesses = out.weaknesses;
    weaknesses.sort();
    weaknesses.dedup();
    Ok(Report {
        format,
        verdict: out.verdict,
        compared_with_publication: compared,
        weaknesses,
        balances: out.balances,
        root: out.root,
        notes: out.notes,
    })
}

/// The root hash in a publication given for another exchange's format: hex
/// digits alone (an optional `0x`, surrounding white space ignored).
fn published_hex(published: Published<'_>) -> Result<Option<String>, Error> {
    let (text, field) = match published {
        Published::Nothing => return Ok(None),
        Published::Root(t) => (t, "--root"),
        Published::File(t) => (t, "--published"),
    };
    let t = text.trim().trim_start_matches('\u{feff}');
    let t = t.strip_prefix("0x").unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Usage(format!(
            "{field}: expected the root hash as hex digits alone (for this format a publication is its root hash)"
        )));
    }
    Ok(Some(t.to_ascii_lowercase()))
}

fn compare(out: &mut Outcome, published: Published<'_>) -> Result<bool, Error> {
    let Some(given) = published_hex(published)? else {
        return Ok(false);
    };
    let Some(root) = out.root.clone() else {
        out.notes.push(
            "The root you gave was not compared: this proof does not lead to a root por can compute.".to_owned(),
        );
        return Ok(false);
    };
    if given != root && out.verdict == Verdict::Valid {
        out.verdict = Verdict::invalid(
            "publication",
            format!("the proof leads to root {root}, not to the root you gave ({given})"),
        );
    } else if given != root {
        out.notes.push(format!(
            "The root you gave ({given}) also differs from the root the proof leads to ({root})."
        ));
    }
    Ok(true)
}
