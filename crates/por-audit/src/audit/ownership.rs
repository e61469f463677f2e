//! An attestation's reserve entry through the ownership module: is the
//! signature valid, and is its message the canonical reserves message of
//! this exchange, snapshot and liabilities root?

use core::fmt;

use por_attest::{Attestation, ReserveEntry};
use por_ownership::{
    Binding, LegacyPolicy, MalformedError, Network, OwnershipClaim, ReservesMessage, Verdict,
    VerifyOptions, Weakness,
};

/// What the ownership check found for a well-formed proof.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnershipStatus {
    /// Valid, and the message is this snapshot's canonical message.
    Bound {
        /// The scheme that verified.
        scheme: String,
        /// The binding, described.
        binding: String,
    },
    /// Valid signature, but over another message (another snapshot,
    /// exchange or root, or a fixed text): it proves nothing about now.
    NotBound {
        /// The scheme that verified.
        scheme: String,
        /// The binding, described.
        binding: String,
    },
    /// The signature does not verify.
    Invalid {
        /// Why.
        reason: String,
    },
    /// The script needs Bitcoin Core's interpreter, which this build lacks.
    NeedsNativeVerifier {
        /// The script type.
        script: String,
    },
}

impl OwnershipStatus {
    /// One line for reports.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            OwnershipStatus::Bound { scheme, binding } => format!("valid {scheme}, {binding}"),
            OwnershipStatus::NotBound { scheme, binding } => {
                format!("valid {scheme} signature but {binding}")
            }
            OwnershipStatus::Invalid { reason } => format!("invalid signature: {reason}"),
            OwnershipStatus::NeedsNativeVerifier { script } => format!(
                "not checked: a {script} script needs Bitcoin Core's interpreter (build with por-ownership's `consensus` feature)"
            ),
        }
    }
}

/// A proof that cannot be checked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnershipError {
    /// A chain the ownership module does not know.
    UnknownChain(String),
    /// A scheme name the ownership module does not know.
    UnknownScheme(String),
    /// The exchange id or snapshot label cannot form a canonical message.
    Message(String),
    /// The address, signature or script is malformed.
    Malformed(MalformedError),
}

impl fmt::Display for OwnershipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OwnershipError::UnknownChain(c) => {
                write!(f, "chain {c:?} has no ownership scheme (expected bitcoin or ethereum)")
            }
            OwnershipError::UnknownScheme(s) => write!(
                f,
                "scheme {s:?} is unknown (expected auto, bip322, legacy, okx-multisig, eip191, okx-evm or htx-raw-keccak)"
            ),
            OwnershipError::Message(m) => write!(f, "no canonical message: {m}"),
            OwnershipError::Malformed(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OwnershipError {}

/// The Bitcoin network an attestation's addresses must belong to: the
/// main network. An attestation names chains, not networks, and `bitcoin`
/// means Bitcoin itself, so a testnet, signet or regtest address under it
/// (`n…`, `2N…`, `tb1…`, `bcrt1…`) is refused exactly as `por ownership
/// verify` refuses it with its default `--network mainnet`; the network is
/// never guessed from the address.
pub const ATTESTED_NETWORK: Network = Network::Bitcoin;

/// The canonical reserves message of an attestation.
///
/// # Errors
/// [`OwnershipError::Message`] when the exchange id or label cannot be put
/// in a canonical message (control characters, surrounding spaces).
pub fn canonical_message(body: &Attestation) -> Result<ReservesMessage, OwnershipError> {
    ReservesMessage::new(
        &body.exchange.id,
        &body.snapshot.label,
        &body.liabilities.root().to_string(),
    )
    .map_err(|e| OwnershipError::Message(e.to_string()))
}

/// Checks one reserve entry's ownership proof.
///
/// # Errors
/// [`OwnershipError`] when the proof cannot be checked at all (unknown chain
/// or scheme, malformed address or signature).
pub fn check_entry(
    body: &Attestation,
    entry: &ReserveEntry,
) -> Result<OwnershipStatus, OwnershipError> {
    let chain = entry
        .chain
        .known()
        .ok_or_else(|| OwnershipError::UnknownChain(entry.chain.as_str().to_owned()))?;
    let scheme = entry
        .proof
        .scheme
        .known()
        .ok_or_else(|| OwnershipError::UnknownScheme(entry.proof.scheme.as_str().to_owned()))?;
    let expected = canonical_message(body)?;
    let opts = VerifyOptions {
        network: ATTESTED_NETWORK,
        legacy_policy: LegacyPolicy::default(),
        scheme,
        expected: Some(expected),
    };
    let claim = OwnershipClaim {
        chain,
        address: entry.address.as_str(),
        message: entry.proof.message.as_bytes(),
        signature: &entry.proof.signature,
        second_signature: entry.proof.second_signature.as_deref(),
        redeem_script: entry.proof.redeem_script.as_deref(),
    };
    Ok(
        match por_ownership::verify(&claim, &opts).map_err(OwnershipError::Malformed)? {
            Verdict::Verified(v) => {
                let scheme = v.scheme().id();
                let mut binding = v.binding().describe();
                for w in v.weaknesses() {
                    if *w != Weakness::NotBoundToSnapshot {
                        binding.push_str(&format!(" (weakness: {})", w.id()));
                    }
                }
                if matches!(v.binding(), Binding::BoundToExpected(_)) {
                    OwnershipStatus::Bound { scheme, binding }
                } else {
                    OwnershipStatus::NotBound { scheme, binding }
                }
            }
            Verdict::Rejected(r) => OwnershipStatus::Invalid {
                reason: format!("{} ({})", r.reason, r.schemes_tried.join(", ")),
            },
            Verdict::NeedsNativeVerifier { script } => OwnershipStatus::NeedsNativeVerifier {
                script: script.to_string(),
            },
            // `Verdict` is non-exhaustive (it lives in por-ownership): a kind
            // of verdict this audit does not know proves nothing here.
            other => OwnershipStatus::Invalid {
                reason: format!("a verdict this audit does not know: {}", other.summary()),
            },
        },
    )
}
