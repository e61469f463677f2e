#![doc = include_str!("../README.md")]
//!
//! ## The API
//!
//! An [`OwnershipClaim`] (chain, address, message, signature) is untrusted.
//! [`verify`] either says the input is malformed ([`MalformedError`]: bad
//! base64/hex, wrong lengths, unknown header bytes, an address of another
//! network) or gives a [`Verdict`]: [`Verdict::Verified`] with a
//! [`VerifiedOwnership`] naming the scheme that verified and whether the
//! message is bound to the snapshot; [`Verdict::Rejected`] with the reason; or
//! [`Verdict::NeedsNativeVerifier`] when the script needs Bitcoin Core's
//! interpreter and this build (the browser's) has none.
//!
//! Supported schemes ([`Scheme`]): BIP-322 (simple, full, proof of funds;
//! with or without the v2.0.0 prefixes), legacy Bitcoin signed messages under
//! an explicit [`LegacyPolicy`], EIP-191 `personal_sign`, and the published
//! variants of OKX (EVM keccak-then-personal_sign, Bitcoin 2-of-3 multisig)
//! and HTX (raw keccak).
//!
//! Modules: [`asset`] (the asset identity [`AssetId`]: a chain's native
//! coin or a token contract, shared by the audit and the balance sources),
//! [`bitcoin`] (addresses, transactions, BIP-322, legacy messages,
//! spending checks), [`evm`] (EVM and TRON addresses and signatures),
//! [`exchange_schemes`] (OKX and HTX variants), [`message`] (the reserves
//! message and its binding), [`file`](mod@file) (claim files), [`outcome`] (pass,
//! fail or incomplete from verdicts), [`reason`] (why a proof is rejected) and
//! [`hazmat`] (raw pieces that skip a check; avoid).

pub mod asset;
pub mod bitcoin;
pub mod evm;
pub mod exchange_schemes;
pub mod file;
pub mod hazmat;
pub mod message;
pub mod outcome;
pub mod reason;

use core::fmt;

/// rust-bitcoin, whose transaction, script and witness types the
/// [`bitcoin`](mod@self::bitcoin) module takes and returns.
pub use ::bitcoin as rust_bitcoin;

pub use self::bitcoin::{
    Address, AddressError, AddressKind, Bip322Format, Bip322FormatError, Bip322Signature, Checker,
    LegacyFormatError, LegacyPolicy, LegacySignature, Network, ScriptKind, UtxoCoin,
};
pub use asset::AssetId;
pub use evm::{EvmAddress, EvmFormatError, EvmHashing, EvmSignature};
pub use message::{binding, Binding, MessageError, ReservesMessage};
pub use outcome::{BindingCheck, FileTally, Outcome};
pub use reason::InvalidReason;

use self::bitcoin::bip322::{self, Bip322Failure, FundedInput};
use self::bitcoin::legacy;

/// A chain family: the vocabulary every por crate shares.
pub use por_types::Chain;

/// Which scheme to try: the vocabulary's (`por_types`), since an attestation
/// names it too.
pub use por_types::SchemeRequest;

/// The scheme that verified a signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// BIP-322.
    Bip322 {
        /// simple / full / proof of funds.
        format: Bip322Format,
        /// Whether it had the v2.0.0 prefix.
        prefixed: bool,
    },
    /// Legacy "Bitcoin Signed Message".
    BitcoinSignedMessage {
        /// The policy applied.
        policy: LegacyPolicy,
        /// The header byte.
        header: u8,
    },
    /// OKX Bitcoin m-of-n multisig.
    OkxBitcoinMultisig {
        /// Required signatures.
        m: u8,
        /// Keys.
        n: usize,
        /// `p2sh` or `p2wsh`.
        script_type: &'static str,
    },
    /// An EVM scheme.
    Evm(EvmHashing),
}

impl Scheme {
    /// A stable identifier for reports and JSON.
    #[must_use]
    pub fn id(&self) -> String {
        match self {
            Scheme::Bip322 { format, prefixed } => {
                format!(
                    "bip322-{}{}",
                    format.as_str(),
                    if *prefixed { "" } else { "-unprefixed" }
                )
            }
            Scheme::BitcoinSignedMessage { policy, .. } => {
                format!("bitcoin-signed-message/{}", policy.as_str())
            }
            Scheme::OkxBitcoinMultisig { script_type, .. } => format!("okx-multisig-{script_type}"),
            Scheme::Evm(EvmHashing::PersonalSign) => "eip191-personal-sign".to_owned(),
            Scheme::Evm(EvmHashing::PersonalSignOfKeccak) => {
                "okx-evm-personal-sign-of-keccak".to_owned()
            }
            Scheme::Evm(EvmHashing::RawKeccak) => "htx-raw-keccak".to_owned(),
            Scheme::Evm(EvmHashing::TronV2) => "tron-v2".to_owned(),
            Scheme::Evm(EvmHashing::OkxOkc) => "okx-okc".to_owned(),
            Scheme::Evm(EvmHashing::TronV1OfKeccak) => "tron-v1-of-keccak".to_owned(),
            Scheme::Evm(EvmHashing::TronV1Raw) => "tron-v1-raw-len32".to_owned(),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheme::Bip322 { format, prefixed } => write!(
                f,
                "BIP-322 {} ({})",
                format.as_str(),
                if *prefixed {
                    "v2.0.0 prefix"
                } else {
                    "unprefixed"
                }
            ),
            Scheme::BitcoinSignedMessage { policy, header } => {
                write!(
                    f,
                    "Bitcoin signed message, header {header}, policy {}",
                    policy.as_str()
                )
            }
            Scheme::OkxBitcoinMultisig { m, n, script_type } => {
                write!(
                    f,
                    "OKX {m}-of-{n} {script_type} multisig (legacy signatures + redeem script)"
                )
            }
            Scheme::Evm(EvmHashing::PersonalSign) => write!(f, "EIP-191 personal_sign"),
            Scheme::Evm(EvmHashing::PersonalSignOfKeccak) => {
                write!(f, "OKX EVM: personal_sign of keccak256(message)")
            }
            Scheme::Evm(EvmHashing::RawKeccak) => {
                write!(f, "HTX EVM: raw keccak256(message), no EIP-191 prefix")
            }
            Scheme::Evm(EvmHashing::TronV2) => write!(f, "TRON signMessageV2"),
            Scheme::Evm(EvmHashing::OkxOkc) => {
                write!(f, "OKX OKC framing: keccak256(varstr(\"OKX Signed Message:\\n\") || varstr(message))")
            }
            Scheme::Evm(EvmHashing::TronV1OfKeccak) => {
                write!(f, "TRON v1 over keccak256(message)")
            }
            Scheme::Evm(EvmHashing::TronV1Raw) => {
                write!(
                    f,
                    "TRON v1 over the message with a constant length 32 (TronWeb)"
                )
            }
        }
    }
}

/// A weakness of a proof that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Weakness {
    /// The message is not the canonical reserves message of this snapshot, so
    /// the signature can be reused (fixed message, not bound to a date).
    NotBoundToSnapshot,
    /// A raw 32-byte digest was signed with no domain prefix: the same
    /// signature could authorise a transaction.
    RawDigestSigned,
}

impl Weakness {
    /// A short identifier.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Weakness::NotBoundToSnapshot => "not-bound-to-snapshot",
            Weakness::RawDigestSigned => "raw-digest-signed",
        }
    }
}

/// An untrusted ownership claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnershipClaim<'a> {
    /// The chain family.
    pub chain: Chain,
    /// The address as published.
    pub address: &'a str,
    /// The signed message bytes.
    pub message: &'a [u8],
    /// The signature as published (base64, hex, BIP-322 prefixed...).
    pub signature: &'a str,
    /// OKX multisig: the second signature.
    pub second_signature: Option<&'a str>,
    /// OKX multisig: the redeem / witness script, hex.
    pub redeem_script: Option<&'a str>,
}

/// Verification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Bitcoin network the address must belong to.
    pub network: Network,
    /// Legacy signed-message policy.
    pub legacy_policy: LegacyPolicy,
    /// Scheme to use.
    pub scheme: SchemeRequest,
    /// The snapshot the message must be bound to, if known.
    pub expected: Option<ReservesMessage>,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            network: Network::Bitcoin,
            legacy_policy: LegacyPolicy::default(),
            scheme: SchemeRequest::Auto,
            expected: None,
        }
    }
}

/// Malformed input: the claim cannot be checked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedError {
    /// A bad Bitcoin address (or one of another network).
    BitcoinAddress(AddressError),
    /// A bad BIP-322 signature encoding.
    Bip322(Bip322FormatError),
    /// A bad legacy signature encoding.
    Legacy(LegacyFormatError),
    /// A bad EVM address or signature encoding.
    Evm(EvmFormatError),
    /// A scheme that does not apply to the chain.
    SchemeNotForChain {
        /// The chain.
        chain: Chain,
        /// The scheme asked for.
        scheme: SchemeRequest,
    },
    /// The multisig scheme was asked for without a redeem script.
    NoRedeemScript,
    /// The redeem script is not hex.
    RedeemScriptHex {
        /// The value given.
        value: String,
    },
}

impl fmt::Display for MalformedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedError::BitcoinAddress(e) => e.fmt(f),
            MalformedError::Bip322(e) => e.fmt(f),
            MalformedError::Legacy(e) => e.fmt(f),
            MalformedError::Evm(e) => e.fmt(f),
            MalformedError::SchemeNotForChain { chain, scheme } => {
                write!(
                    f,
                    "scheme {scheme:?} does not apply to chain {}",
                    chain.as_str()
                )
            }
            MalformedError::NoRedeemScript => write!(f, "multisig proof: no redeem script given"),
            MalformedError::RedeemScriptHex { value } => {
                write!(f, "multisig proof: redeem script {value:?} is not hex")
            }
        }
    }
}

impl std::error::Error for MalformedError {}

/// A claim that verified. Only [`verify`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedOwnership {
    chain: Chain,
    address: String,
    scheme: Scheme,
    checker: Option<Checker>,
    binding: Binding,
    weaknesses: Vec<Weakness>,
    funds: Vec<FundedInput>,
}

impl VerifiedOwnership {
    /// The chain.
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.chain
    }
    /// The address proven.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }
    /// The scheme that verified.
    #[must_use]
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }
    /// For BIP-322: which script verifier accepted it.
    #[must_use]
    pub fn checker(&self) -> Option<Checker> {
        self.checker
    }
    /// How the message relates to the snapshot.
    #[must_use]
    pub fn binding(&self) -> &Binding {
        &self.binding
    }
    /// Weaknesses (empty for a strong proof).
    #[must_use]
    pub fn weaknesses(&self) -> &[Weakness] {
        &self.weaknesses
    }
    /// BIP-322 proof of funds: the additional inputs proven.
    #[must_use]
    pub fn funds(&self) -> &[FundedInput] {
        &self.funds
    }
}

/// Why a well-formed claim did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The scheme(s) tried.
    pub schemes_tried: Vec<String>,
    /// Why.
    pub reason: InvalidReason,
}

/// The result of checking a well-formed claim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The signature proves control of the address.
    Verified(VerifiedOwnership),
    /// It does not.
    Rejected(Rejection),
    /// The script needs Bitcoin Core's interpreter; this build has none.
    NeedsNativeVerifier {
        /// The script type.
        script: ScriptKind,
    },
}

impl Verdict {
    /// A one-line summary.
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Verdict::Verified(v) => format!("valid: {} ({})", v.scheme, v.binding.describe()),
            Verdict::Rejected(r) => {
                format!("invalid ({}): {}", r.schemes_tried.join(", "), r.reason)
            }
            Verdict::NeedsNativeVerifier { script } => format!(
                "needs the native verifier (script type: {script}); not checked in this build"
            ),
        }
    }
}

/// Verifies an ownership claim.
///
/// # Errors
///
/// [`MalformedError`] if the input cannot be read; a readable claim that does
/// not verify is `Ok(Verdict::Rejected(..))`.
pub fn verify(claim: &OwnershipClaim<'_>, opts: &VerifyOptions) -> Result<Verdict, MalformedError> {
    let binding = binding(claim.message, opts.expected.as_ref());
    let verified =
        |scheme: Scheme, checker: Option<Checker>, funds: Vec<FundedInput>, address: String| {
            let mut weaknesses = Vec::new();
            if !binding.is_bound() {
                weaknesses.push(Weakness::NotBoundToSnapshot);
            }
            if scheme == Scheme::Evm(EvmHashing::RawKeccak) {
                weaknesses.push(Weakness::RawDigestSigned);
            }
            Verdict::Verified(VerifiedOwnership {
                chain: claim.chain,
                address,
                scheme,
                checker,
                binding: binding.clone(),
                weaknesses,
                funds,
            })
        };
    let rejected = |schemes: &[String], reason: InvalidReason| {
        Verdict::Rejected(Rejection {
            schemes_tried: schemes.to_vec(),
            reason,
        })
    };
    match claim.chain {
        chain @ (Chain::Bitcoin
        | Chain::Litecoin
        | Chain::Dogecoin
        | Chain::Dash
        | Chain::BitcoinCash
        | Chain::BitcoinSv) => {
            let coin = UtxoCoin::of(chain).unwrap_or_default();
            let address = if coin == UtxoCoin::Bitcoin {
                Address::parse(claim.address.trim(), opts.network)
            } else {
                Address::parse_coin(claim.address.trim(), coin)
            }
            .map_err(MalformedError::BitcoinAddress)?;
            let scheme = match opts.scheme {
                // BIP-322 is Bitcoin's; the other coins publish legacy signatures.
                SchemeRequest::Bip322 if coin != UtxoCoin::Bitcoin => {
                    return Err(MalformedError::SchemeNotForChain {
                        chain,
                        scheme: SchemeRequest::Bip322,
                    })
                }
                SchemeRequest::Auto
                    if claim.redeem_script.is_none() && coin != UtxoCoin::Bitcoin =>
                {
                    SchemeRequest::Legacy
                }
                SchemeRequest::Auto if claim.redeem_script.is_some() => SchemeRequest::OkxMultisig,
                SchemeRequest::Auto if bip322::looks_like_bip322(claim.signature) => {
                    SchemeRequest::Bip322
                }
                SchemeRequest::Auto => SchemeRequest::Legacy,
                s
                @ (SchemeRequest::Bip322 | SchemeRequest::Legacy | SchemeRequest::OkxMultisig) => s,
                s => {
                    return Err(MalformedError::SchemeNotForChain {
                        chain: claim.chain,
                        scheme: s,
                    })
                }
            };
            match scheme {
                SchemeRequest::Bip322 => {
                    let sig =
                        Bip322Signature::parse(claim.signature).map_err(MalformedError::Bip322)?;
                    let tried = [format!("bip322-{}", sig.format().as_str())];
                    Ok(match bip322::verify(&address, claim.message, &sig) {
                        Ok(v) => verified(
                            Scheme::Bip322 {
                                format: v.format,
                                prefixed: v.prefixed,
                            },
                            Some(v.checker),
                            v.funds,
                            address.to_string(),
                        ),
                        Err(Bip322Failure::Invalid(reason)) => rejected(&tried, reason),
                        Err(Bip322Failure::NeedsNativeVerifier(script)) => {
                            Verdict::NeedsNativeVerifier { script }
                        }
                    })
                }
                SchemeRequest::OkxMultisig => {
                    let script_hex = claim.redeem_script.ok_or(MalformedError::NoRedeemScript)?;
                    let script =
                        hex::decode(script_hex.trim().trim_start_matches("0x")).map_err(|_| {
                            MalformedError::RedeemScriptHex {
                                value: script_hex.to_owned(),
                            }
                        })?;
                    let mut sigs =
                        vec![LegacySignature::parse(claim.signature)
                            .map_err(MalformedError::Legacy)?];
                    if let Some(s2) = claim.second_signature {
                        sigs.push(LegacySignature::parse(s2).map_err(MalformedError::Legacy)?);
                    }
                    let tried = ["okx-multisig".to_owned()];
                    Ok(
                        match exchange_schemes::verify_okx_multisig(
                            &address,
                            claim.message,
                            &sigs,
                            &script,
                        ) {
                            Ok(v) => verified(
                                Scheme::OkxBitcoinMultisig {
                                    m: v.m,
                                    n: v.n,
                                    script_type: v.script_type,
                                },
                                None,
                                Vec::new(),
                                address.to_string(),
                            ),
                            Err(reason) => rejected(&tried, reason),
                        },
                    )
                }
                _ => {
                    let tried = [format!(
                        "bitcoin-signed-message/{}",
                        opts.legacy_policy.as_str()
                    )];
                    if opts.legacy_policy == LegacyPolicy::CoreP2pkhOnly
                        && !matches!(address.kind(), AddressKind::P2pkh(_))
                    {
                        // Core checks the address before the signature (ERR_ADDRESS_NO_KEY).
                        return Ok(rejected(
                            &tried,
                            InvalidReason::CoreNeedsP2pkh {
                                address_type: address.kind().name(),
                            },
                        ));
                    }
                    let sig =
                        LegacySignature::parse(claim.signature).map_err(MalformedError::Legacy)?;
                    Ok(
                        match legacy::verify(&address, claim.message, &sig, opts.legacy_policy) {
                            Ok(v) => verified(
                                Scheme::BitcoinSignedMessage {
                                    policy: v.policy,
                                    header: v.header,
                                },
                                None,
                                Vec::new(),
                                address.to_string(),
                            ),
                            Err(reason) => rejected(&tried, reason),
                        },
                    )
                }
            }
        }
        Chain::Tron => {
            let address =
                EvmAddress::parse_tron(claim.address.trim()).map_err(MalformedError::Evm)?;
            let sig = EvmSignature::parse(claim.signature).map_err(MalformedError::Evm)?;
            if opts.scheme != SchemeRequest::Auto {
                return Err(MalformedError::SchemeNotForChain {
                    chain: claim.chain,
                    scheme: opts.scheme,
                });
            }
            let hashings = [
                EvmHashing::TronV2,
                EvmHashing::TronV1OfKeccak,
                EvmHashing::TronV1Raw,
            ];
            Ok(
                match first_hashing_that_verifies(&address, claim.message, &sig, &hashings) {
                    Ok(h) => verified(Scheme::Evm(h), None, Vec::new(), address.to_tron()),
                    Err((tried, reason)) => rejected(&tried, reason),
                },
            )
        }
        Chain::Ethereum => {
            let address = EvmAddress::parse(claim.address.trim()).map_err(MalformedError::Evm)?;
            let sig = EvmSignature::parse(claim.signature).map_err(MalformedError::Evm)?;
            let hashings: &[EvmHashing] = match opts.scheme {
                SchemeRequest::Auto => &[
                    EvmHashing::PersonalSign,
                    EvmHashing::PersonalSignOfKeccak,
                    EvmHashing::RawKeccak,
                    EvmHashing::OkxOkc,
                ],
                SchemeRequest::Eip191 => &[EvmHashing::PersonalSign],
                SchemeRequest::OkxEvm => &[EvmHashing::PersonalSignOfKeccak],
                SchemeRequest::HtxRawKeccak => &[EvmHashing::RawKeccak],
                SchemeRequest::OkxOkc => &[EvmHashing::OkxOkc],
                s => {
                    return Err(MalformedError::SchemeNotForChain {
                        chain: claim.chain,
                        scheme: s,
                    })
                }
            };
            Ok(
                match first_hashing_that_verifies(&address, claim.message, &sig, hashings) {
                    Ok(h) => verified(Scheme::Evm(h), None, Vec::new(), address.to_checksummed()),
                    Err((tried, reason)) => rejected(&tried, reason),
                },
            )
        }
    }
}

/// Tries each hashing in turn (EVM and TRON alike): the first whose digest
/// recovers `address`, or every hashing tried and the first reason.
fn first_hashing_that_verifies(
    address: &EvmAddress,
    message: &[u8],
    sig: &EvmSignature,
    hashings: &[EvmHashing],
) -> Result<EvmHashing, (Vec<String>, InvalidReason)> {
    let mut first_reason = None;
    for &h in hashings {
        match evm::verify(address, message, sig, h) {
            Ok(()) => return Ok(h),
            Err(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    let tried = hashings.iter().map(|&h| Scheme::Evm(h).id()).collect();
    Err((tried, first_reason.unwrap_or(InvalidReason::NoKeyRecovered)))
}
