//! Policy files: the regulatory parameters, each with its value, source and
//! status, for one model (the in-force Japanese tests, the proposed reserve,
//! MiCA Art. 67, Hong Kong's cover).
//!
//! A policy is TOML:
//!
//! ```toml
//! format = "por-reserve-policy"
//! version = 1
//! name = "jp-fsa-2026-proposal"
//! model = "jp-liability-reserve"
//! title = "..."
//!
//! [params.alpha_cold]
//! value = "1%"
//! status = "assumption"
//! source = "regulation.md §6.3; Nikkei [P1]"
//! note = "optional free text"
//! ```
//!
//! Every model has a fixed set of parameters, one typed struct per model
//! ([`PsaParams`], [`LiabilityReserveParams`], [`MicaParams`],
//! [`HkCoverParams`]) whose fields are [`Sourced`] values: a missing
//! parameter, an unknown one or a value of the wrong kind is an error naming
//! it, and the engine reads fields, never keys.
//!
//! The structs are filled by hand from the parsed tree (`fields.rs`), not by
//! `serde::Deserialize`: the readers there give every error its field path
//! (`params.alpha_cold.value`) and the hints the files need (a rate or a
//! price written as a TOML float has already been rounded by the parser), and
//! a derive would need a custom deserializer for each of [`Rate`], [`Yen`],
//! "yen or none" and euro anyway. One macro (`params!`) declares each struct,
//! its reader and its listing from a single table, so a field's name is its
//! key in the file.

use core::fmt;
use std::collections::BTreeSet;

use crate::fields::{
    as_yen, check_format, one_of, parse_tree, FieldError, FieldErrorKind, Obj, Syntax,
};
use crate::inputs::VolumeCategory;
use crate::num::{Rate, Yen};

/// The `format` value of a policy file.
pub const POLICY_FORMAT: &str = "por-reserve-policy";
/// The only policy format version this build reads.
pub const POLICY_VERSION: u32 = 1;

/// How firm a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Status {
    /// In force (statute, ordinance or binding rulebook).
    Law,
    /// In official deliberation material, not yet law.
    Proposal,
    /// A press report of an official plan.
    Press,
    /// An industry rule in force that is not law (the Korean banks'
    /// deposit-reserve guideline).
    Industry,
    /// A modelling choice, not a legal fact.
    Assumption,
    /// Recalled or inferred, not confirmed.
    Unverified,
}

impl Status {
    /// The lower-case name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Law => "law",
            Status::Proposal => "proposal",
            Status::Press => "press",
            Status::Industry => "industry",
            Status::Assumption => "assumption",
            Status::Unverified => "unverified",
        }
    }

    const ALL: [(&'static str, Status); 6] = [
        ("law", Status::Law),
        ("proposal", Status::Proposal),
        ("press", Status::Press),
        ("industry", Status::Industry),
        ("assumption", Status::Assumption),
        ("unverified", Status::Unverified),
    ];
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a figure rests on: the weakest status among the parameters it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Basis {
    /// Every parameter is law: a pass is "compliant".
    Law,
    /// Some parameter is only a proposal, a press report or an industry
    /// rule (not law): "indicative".
    NotInForce,
    /// Some parameter is an assumption or unverified: "illustrative", never
    /// "compliant".
    Illustrative,
}

impl Basis {
    /// The basis of one status.
    #[must_use]
    pub fn of(status: Status) -> Basis {
        match status {
            Status::Law => Basis::Law,
            Status::Proposal | Status::Press | Status::Industry => Basis::NotInForce,
            Status::Assumption | Status::Unverified => Basis::Illustrative,
        }
    }

    /// The label of a pass (`true`) or fail on this basis: `compliant`,
    /// `non-compliant`, `indicative: pass/fail`, `illustrative: pass/fail`.
    #[must_use]
    pub fn label(self, passes: bool) -> &'static str {
        match (self, passes) {
            (Basis::Law, true) => "compliant",
            (Basis::Law, false) => "non-compliant",
            (Basis::NotInForce, true) => "indicative: pass",
            (Basis::NotInForce, false) => "indicative: fail",
            (Basis::Illustrative, true) => "illustrative: pass",
            (Basis::Illustrative, false) => "illustrative: fail",
        }
    }

    /// The label of a figure that is not a pass/fail: `law`, `indicative`,
    /// `illustrative`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Law => "law",
            Basis::NotInForce => "indicative",
            Basis::Illustrative => "illustrative",
        }
    }
}

/// The model a policy parameterises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Model {
    /// The Japanese Payment Services Act segregation tests (A1–A6).
    JpPsa,
    /// The proposed Japanese liability reserve (regulation.md §6.3).
    JpLiabilityReserve,
    /// EU MiCA Art. 67 own funds.
    MicaArt67,
    /// Hong Kong SFC insurance / compensation cover.
    HkSfcCover,
    /// Korea's Virtual Asset User Protection Act (cold share, hack cover).
    KrVaupa,
    /// Singapore MAS customer-asset rules (cold share, reconciliation).
    SgMasCustody,
}

impl Model {
    const ALL: [(&'static str, Model); 6] = [
        ("jp-psa-segregation", Model::JpPsa),
        ("jp-liability-reserve", Model::JpLiabilityReserve),
        ("eu-mica-art67", Model::MicaArt67),
        ("hk-sfc-cover", Model::HkSfcCover),
        ("kr-vaupa", Model::KrVaupa),
        ("sg-mas-custody", Model::SgMasCustody),
    ];

    /// The name used in the `model` key.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Model::JpPsa => "jp-psa-segregation",
            Model::JpLiabilityReserve => "jp-liability-reserve",
            Model::MicaArt67 => "eu-mica-art67",
            Model::HkSfcCover => "hk-sfc-cover",
            Model::KrVaupa => "kr-vaupa",
            Model::SgMasCustody => "sg-mas-custody",
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole number of euro (MiCA's minimum capital).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Eur(u128);

impl Eur {
    /// The number of euro.
    #[must_use]
    pub fn get(self) -> u128 {
        self.0
    }
}

/// A whole number of units of the policy's valuation currency (the Korean
/// floors in won).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Units(u128);

impl Units {
    /// The number of units.
    #[must_use]
    pub fn get(self) -> u128 {
        self.0
    }
}

/// How a policy values crypto: at the snapshot's price, or at the average
/// price over a window of days ending at the valuation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Valuation {
    /// The price at the valuation time.
    Spot,
    /// The mean price over the window.
    Average {
        /// Days in the window.
        days: u32,
    },
}

impl fmt::Display for Valuation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Valuation::Spot => f.write_str("spot"),
            Valuation::Average { days } => write!(f, "average-{days}d"),
        }
    }
}

/// An ISO 4217 currency code (`JPY`, `KRW`, `SGD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Yen.
    pub const JPY: Currency = Currency(*b"JPY");

    /// Parses three upper-case ASCII letters.
    #[must_use]
    pub fn parse(s: &str) -> Option<Currency> {
        let b: [u8; 3] = s.as_bytes().try_into().ok()?;
        b.iter().all(u8::is_ascii_uppercase).then_some(Currency(b))
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Three ASCII letters, checked when parsed.
        core::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parameter's value, whatever its kind (for listing a policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamValue {
    /// A rate.
    Rate(Rate),
    /// Days or years.
    Count(u32),
    /// Yen, or none.
    Yen(Option<Yen>),
    /// Whole euro.
    Eur(u128),
    /// Whole units of the policy's valuation currency.
    Units(u128),
    /// A valuation method.
    Valuation(Valuation),
    /// A currency code.
    Currency(Currency),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Rate(r) => write!(f, "{r}"),
            ParamValue::Count(n) => write!(f, "{n}"),
            ParamValue::Yen(Some(y)) => write!(f, "¥{y}"),
            ParamValue::Yen(None) => f.write_str("none"),
            ParamValue::Eur(e) => write!(f, "€{}", Yen::new(*e)),
            ParamValue::Units(u) => write!(f, "{}", Yen::new(*u)),
            ParamValue::Valuation(v) => write!(f, "{v}"),
            ParamValue::Currency(c) => write!(f, "{c}"),
        }
    }
}

/// The kinds a parameter's value can take: how it is read from its table
/// and how it is listed. Private, so the set is closed.
trait Kind: Copy + Sized {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError>;
    fn listed(self) -> ParamValue;
}

impl Kind for Rate {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        p.req_rate("value")
    }
    fn listed(self) -> ParamValue {
        ParamValue::Rate(self)
    }
}

// A whole number of days or years.
impl Kind for u32 {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        p.req_u32("value")
    }
    fn listed(self) -> ParamValue {
        ParamValue::Count(self)
    }
}

impl Kind for Yen {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        p.req_yen("value")
    }
    fn listed(self) -> ParamValue {
        ParamValue::Yen(Some(self))
    }
}

// Yen, or the string "none".
impl Kind for Option<Yen> {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        let (vp, raw) = p.req("value")?;
        if raw.as_str() == Some("none") {
            Ok(None)
        } else {
            as_yen(&vp, raw).map(Some)
        }
    }
    fn listed(self) -> ParamValue {
        ParamValue::Yen(self)
    }
}

impl Kind for Eur {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        p.req_yen("value").map(|y| Eur(y.get()))
    }
    fn listed(self) -> ParamValue {
        ParamValue::Eur(self.0)
    }
}

impl Kind for Units {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        p.req_yen("value").map(|y| Units(y.get()))
    }
    fn listed(self) -> ParamValue {
        ParamValue::Units(self.0)
    }
}

// "spot" or "average-<days>d".
impl Kind for Valuation {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        let path = p.path_of("value");
        let s = p.req_str("value")?;
        let bad = || {
            FieldError::invalid(
                path.clone(),
                format!("{s:?}"),
                "\"spot\" or \"average-<days>d\" (e.g. average-365d)",
            )
        };
        if s == "spot" {
            return Ok(Valuation::Spot);
        }
        let days = s
            .strip_prefix("average-")
            .and_then(|r| r.strip_suffix('d'))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|&d| d > 0)
            .ok_or_else(bad)?;
        Ok(Valuation::Average { days })
    }
    fn listed(self) -> ParamValue {
        ParamValue::Valuation(self)
    }
}

impl Kind for Currency {
    fn read(p: &mut Obj<'_>) -> Result<Self, FieldError> {
        let path = p.path_of("value");
        let s = p.req_str("value")?;
        Currency::parse(s).ok_or_else(|| {
            FieldError::invalid(
                path,
                format!("{s:?}"),
                "an ISO 4217 code such as JPY, KRW, SGD",
            )
        })
    }
    fn listed(self) -> ParamValue {
        ParamValue::Currency(self)
    }
}

/// One parameter's value with where it comes from: its key in the file, its
/// source, its [`Status`] and an optional note. Only parsing a policy makes
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    key: &'static str,
    value: T,
    source: String,
    status: Status,
    note: Option<String>,
}

impl<T: Copy> Sourced<T> {
    /// The parameter's key (`alpha_cold`).
    #[must_use]
    pub fn key(&self) -> &'static str {
        self.key
    }
    /// Its value.
    #[must_use]
    pub fn value(&self) -> T {
        self.value
    }
    /// Where it comes from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }
    /// How firm it is.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }
    /// A free-text note, if any.
    #[must_use]
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

/// Reads the parameter table `params.<key>`: its value (of kind `T`),
/// source, status and note, and nothing else.
fn sourced<T: Kind>(ps: &mut Obj<'_>, key: &'static str) -> Result<Sourced<T>, FieldError> {
    let (path, v) = ps.req(key)?;
    let mut p = Obj::from_value(path, v)?;
    let value = T::read(&mut p)?;
    let source = p.req_str("source")?.to_owned();
    if source.trim().is_empty() {
        return Err(FieldError::invalid(
            p.path_of("source"),
            "\"\"",
            "a non-empty source",
        ));
    }
    let status_str = p.req_str("status")?;
    let status = one_of(&p.path_of("status"), status_str, &Status::ALL)?;
    let note = p.opt_str("note")?.map(str::to_owned);
    p.finish()?;
    Ok(Sourced {
        key,
        value,
        source,
        status,
        note,
    })
}

/// A parameter of any kind, for listing.
fn listed<T: Kind>(s: &Sourced<T>) -> Param<'_> {
    Param {
        key: s.key,
        value: s.value.listed(),
        source: &s.source,
        status: s.status,
        note: s.note.as_deref(),
    }
}

/// One parameter of any kind, as listed by [`Policy::params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    key: &'static str,
    value: ParamValue,
    source: &'a str,
    status: Status,
    note: Option<&'a str>,
}

impl<'a> Param<'a> {
    /// The parameter's key.
    #[must_use]
    pub fn key(&self) -> &'static str {
        self.key
    }
    /// Its value.
    #[must_use]
    pub fn value(&self) -> ParamValue {
        self.value
    }
    /// Where it comes from.
    #[must_use]
    pub fn source(&self) -> &'a str {
        self.source
    }
    /// How firm it is.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }
    /// A free-text note, if any.
    #[must_use]
    pub fn note(&self) -> Option<&'a str> {
        self.note
    }
}

/// Declares a model's parameter struct, its reader (fields in file order,
/// each field's name its key) and its listing, from one table.
macro_rules! params {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Sourced<$ty>, )*
        }

        impl $name {
            fn read(ps: &mut Obj<'_>) -> Result<Self, FieldError> {
                Ok($name {
                    $( $field: sourced(ps, stringify!($field))?, )*
                })
            }

            fn listed(&self) -> Vec<Param<'_>> {
                vec![$( listed(&self.$field), )*]
            }
        }
    };
}

params! {
    /// The in-force Japanese segregation tests (`jp-psa-segregation`).
    PsaParams {
        /// A1: the largest non-cold share of customer crypto (yen, aggregate).
        non_cold_limit: Rate,
        /// A2: performance-guarantee crypto per unit of non-cold customer crypto.
        guarantee_ratio: Rate,
        /// A3: segregated customer crypto per unit of customer liabilities.
        segregation_ratio: Rate,
        /// A4: trust balance per yen of customer fiat liabilities.
        trust_ratio: Rate,
        /// A5: the most days since the last segregation audit.
        audit_max_days: u32,
        /// Minimum capital (the stress waterfall's excess-capital floor).
        min_capital_jpy: Yen,
    }
}

params! {
    /// The proposed Japanese liability reserve (`jp-liability-reserve`,
    /// regulation.md §6.3).
    LiabilityReserveParams {
        /// Fiscal years the volume term and incident term look back.
        lookback_years: u32,
        /// Volume rate for exchange-model spot trading.
        r_spot_exchange: Rate,
        /// Volume rate for dealer-model spot trading.
        r_spot_dealer: Rate,
        /// Volume rate for derivatives.
        r_derivatives: Rate,
        /// Volume rate for lending and staking.
        r_lending_staking: Rate,
        /// Weight of cold customer crypto.
        alpha_cold: Rate,
        /// Weight of non-cold customer crypto not backed by guarantee crypto.
        alpha_hot: Rate,
        /// Weight of customer crypto on a vendor's signing path.
        alpha_vendor: Rate,
        /// Weight of the largest recent incident loss.
        beta: Rate,
        /// The largest share of the requirement insurance may meet.
        s_max: Rate,
        /// Weight of crypto earmarked for the reserve.
        haircut_reserve_crypto: Rate,
        /// Insurance weight for an insurer rated A- or better.
        haircut_a_or_better: Rate,
        /// Insurance weight for a lower-rated or unrated insurer.
        haircut_below_a: Rate,
        /// Minimum insurance term for the credit.
        insurance_min_term_days: u32,
        /// Minimum cancellation notice for the credit.
        insurance_min_notice_days: u32,
        /// Floor of the requirement, if any.
        floor_jpy: Option<Yen>,
        /// Cap of the requirement, if any.
        cap_jpy: Option<Yen>,
        /// Low end of the reported band (reported, not tested).
        band_low_jpy: Yen,
        /// High end of the reported band (reported, not tested).
        band_high_jpy: Yen,
    }
}

params! {
    /// EU MiCA Art. 67 own funds (`eu-mica-art67`).
    MicaParams {
        /// Permanent minimum capital, class 1 (Annex IV).
        k_min_class1_eur: Eur,
        /// Permanent minimum capital, class 2.
        k_min_class2_eur: Eur,
        /// Permanent minimum capital, class 3.
        k_min_class3_eur: Eur,
        /// Share of the previous year's fixed overheads.
        k_overheads: Rate,
        /// Minimum insurance term (Art. 67(5)).
        insurance_min_term_days: u32,
        /// Minimum cancellation notice (Art. 67(5)).
        insurance_min_notice_days: u32,
    }
}

params! {
    /// Hong Kong SFC insurance / compensation cover (`hk-sfc-cover`).
    HkCoverParams {
        /// The smallest cold share of client virtual assets.
        cold_min_share: Rate,
        /// Cover of client virtual assets in cold storage.
        cover_cold: Rate,
        /// Cover of client virtual assets in hot and other storage.
        cover_hot_other: Rate,
    }
}

params! {
    /// Korea's Virtual Asset User Protection Act (`kr-vaupa`).
    KrVaupaParams {
        /// The currency values are computed in.
        valuation_currency: Currency,
        /// How the cold-storage rule values users' crypto.
        valuation: Valuation,
        /// The smallest cold share of the economic value of users' crypto.
        cold_min_share: Rate,
        /// Holdings of each asset per unit of users' deposits of it.
        same_type_ratio: Rate,
        /// How the hack cover values hot-wallet crypto.
        cover_valuation: Valuation,
        /// Insurance, mutual aid or reserve per unit of hot-wallet value.
        hack_cover_rate: Rate,
        /// The cover's floor for a won-market exchange.
        hack_cover_floor_won_market: Units,
        /// The cover's floor for a coin-only exchange or custodian.
        hack_cover_floor_coin_only: Units,
        /// The banks' deposit-reserve guideline: its floor.
        bank_reserve_floor: Units,
        /// Its share of average daily deposits.
        bank_reserve_rate: Rate,
        /// Its cap.
        bank_reserve_cap: Units,
    }
}

params! {
    /// Singapore MAS customer-asset rules (`sg-mas-custody`).
    SgMasParams {
        /// The currency values are computed in.
        valuation_currency: Currency,
        /// How customer tokens are valued for the cold share.
        valuation: Valuation,
        /// The smallest cold share of customer tokens.
        cold_min_share: Rate,
        /// The longest interval between two reconciliations, in minutes.
        reconciliation_max_minutes: u32,
    }
}

impl LiabilityReserveParams {
    /// The volume rate of `category`.
    #[must_use]
    pub fn volume_rate(&self, category: VolumeCategory) -> &Sourced<Rate> {
        match category {
            VolumeCategory::SpotExchange => &self.r_spot_exchange,
            VolumeCategory::SpotDealer => &self.r_spot_dealer,
            VolumeCategory::Derivatives => &self.r_derivatives,
            VolumeCategory::LendingStaking => &self.r_lending_staking,
        }
    }
}

impl MicaParams {
    /// The permanent minimum capital of Annex IV class `class` (3 for any
    /// class above 2, as the inputs allow only 1–3).
    #[must_use]
    pub fn k_min_eur(&self, class: u8) -> &Sourced<Eur> {
        match class {
            1 => &self.k_min_class1_eur,
            2 => &self.k_min_class2_eur,
            _ => &self.k_min_class3_eur,
        }
    }
}

/// A policy's parameters: one struct per model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "a run holds four policies; a box would only add an indirection"
)]
pub enum Params {
    /// `jp-psa-segregation`.
    Psa(PsaParams),
    /// `jp-liability-reserve`.
    LiabilityReserve(LiabilityReserveParams),
    /// `eu-mica-art67`.
    Mica(MicaParams),
    /// `hk-sfc-cover`.
    HkCover(HkCoverParams),
    /// `kr-vaupa`.
    KrVaupa(KrVaupaParams),
    /// `sg-mas-custody`.
    SgMas(SgMasParams),
}

impl Params {
    /// The model these parameters are for.
    #[must_use]
    pub fn model(&self) -> Model {
        match self {
            Params::Psa(_) => Model::JpPsa,
            Params::LiabilityReserve(_) => Model::JpLiabilityReserve,
            Params::Mica(_) => Model::MicaArt67,
            Params::HkCover(_) => Model::HkSfcCover,
            Params::KrVaupa(_) => Model::KrVaupa,
            Params::SgMas(_) => Model::SgMasCustody,
        }
    }

    fn read(model: Model, ps: &mut Obj<'_>) -> Result<Params, FieldError> {
        Ok(match model {
            Model::JpPsa => Params::Psa(PsaParams::read(ps)?),
            Model::JpLiabilityReserve => {
                Params::LiabilityReserve(LiabilityReserveParams::read(ps)?)
            }
            Model::MicaArt67 => Params::Mica(MicaParams::read(ps)?),
            Model::HkSfcCover => Params::HkCover(HkCoverParams::read(ps)?),
            Model::KrVaupa => Params::KrVaupa(KrVaupaParams::read(ps)?),
            Model::SgMasCustody => Params::SgMas(SgMasParams::read(ps)?),
        })
    }

    fn listed(&self) -> Vec<Param<'_>> {
        match self {
            Params::Psa(p) => p.listed(),
            Params::LiabilityReserve(p) => p.listed(),
            Params::Mica(p) => p.listed(),
            Params::HkCover(p) => p.listed(),
            Params::KrVaupa(p) => p.listed(),
            Params::SgMas(p) => p.listed(),
        }
    }
}

/// A sourced finding about a regime that is not a parameter of its
/// formula: a bill's legislative status, a rule por does not model (a
/// statutory trust), a date. Reported with the policy, never computed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// A short key (`legislative_status`).
    pub key: String,
    /// What is known.
    pub finding: String,
    /// How firm it is.
    pub status: Status,
    /// Where it comes from.
    pub source: String,
}

/// A parsed, complete policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    title: String,
    params: Params,
    facts: Vec<Fact>,
}

/// The parameters a figure used: their keys and their weakest status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Used {
    keys: BTreeSet<&'static str>,
    basis: Option<Basis>,
}

impl Used {
    pub(crate) fn new() -> Used {
        Used::default()
    }

    /// Reads a parameter's value, recording that the figure used it.
    pub(crate) fn read<T: Copy>(&mut self, p: &Sourced<T>) -> T {
        self.keys.insert(p.key);
        let b = Basis::of(p.status);
        self.basis = Some(self.basis.map_or(b, |old| old.max(b)));
        p.value
    }

    /// The keys used, in sorted order.
    pub(crate) fn keys(&self) -> Vec<&'static str> {
        self.keys.iter().copied().collect()
    }

    /// The weakest status among them (law when none was used).
    pub(crate) fn basis(&self) -> Basis {
        self.basis.unwrap_or(Basis::Law)
    }
}

impl Policy {
    /// Parses a policy file.
    ///
    /// # Errors
    ///
    /// Returns a [`FieldError`] naming the field for a syntax error, a wrong
    /// `format`/`version`, an unknown `model`, a missing or unknown
    /// parameter, an unknown key inside a parameter, a bad status or a value
    /// of the wrong kind.
    pub fn from_toml_str(text: &str) -> Result<Policy, FieldError> {
        let tree = parse_tree(text, Syntax::Toml)?;
        let mut o = Obj::new("", &tree);
        check_format(&mut o, POLICY_FORMAT, POLICY_VERSION)?;
        let name = o.req_str("name")?.to_owned();
        let title = o.req_str("title")?.to_owned();
        let model_str = o.req_str("model")?;
        let model = one_of(&o.path_of("model"), model_str, &Model::ALL)?;
        let Some(mut ps) = o.opt_obj("params")? else {
            return Err(FieldError::new("params", FieldErrorKind::Missing));
        };
        let params = Params::read(model, &mut ps)?;
        ps.finish()?;
        let mut facts = Vec::new();
        for mut f in o.arr("facts")? {
            let key = f.req_str("key")?.to_owned();
            let finding = f.req_str("finding")?.to_owned();
            let status_str = f.req_str("status")?;
            let status = one_of(&f.path_of("status"), status_str, &Status::ALL)?;
            let source = f.req_str("source")?.to_owned();
            if source.trim().is_empty() {
                return Err(FieldError::invalid(
                    f.path_of("source"),
                    "\"\"",
                    "a non-empty source",
                ));
            }
            f.finish()?;
            facts.push(Fact {
                key,
                finding,
                status,
                source,
            });
        }
        o.finish()?;
        Ok(Policy {
            name,
            title,
            params,
            facts,
        })
    }

    /// The policy's name (`jp-fsa-2026-proposal`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its title.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Its sourced findings that are not parameters (legislative status,
    /// rules por does not model), in file order.
    #[must_use]
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// The model it parameterises.
    #[must_use]
    pub fn model(&self) -> Model {
        self.params.model()
    }

    /// Its parameters, typed by model.
    #[must_use]
    pub fn typed_params(&self) -> &Params {
        &self.params
    }

    /// All parameters, in the model's order (the order of the file format).
    #[must_use]
    pub fn params(&self) -> Vec<Param<'_>> {
        self.params.listed()
    }

    /// The parameter `key`, if this policy's model has it.
    #[must_use]
    pub fn param(&self, key: &str) -> Option<Param<'_>> {
        self.params().into_iter().find(|p| p.key == key)
    }

    /// The in-force parameters, or why this policy has none.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] if the policy is not `jp-psa-segregation`.
    pub fn psa(&self) -> Result<&PsaParams, ModelMismatch> {
        match &self.params {
            Params::Psa(p) => Ok(p),
            _ => Err(self.mismatch(Model::JpPsa)),
        }
    }

    /// The proposed reserve's parameters, or why this policy has none.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] if the policy is not `jp-liability-reserve`.
    pub fn liability_reserve(&self) -> Result<&LiabilityReserveParams, ModelMismatch> {
        match &self.params {
            Params::LiabilityReserve(p) => Ok(p),
            _ => Err(self.mismatch(Model::JpLiabilityReserve)),
        }
    }

    /// The MiCA parameters, or why this policy has none.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] if the policy is not `eu-mica-art67`.
    pub fn mica(&self) -> Result<&MicaParams, ModelMismatch> {
        match &self.params {
            Params::Mica(p) => Ok(p),
            _ => Err(self.mismatch(Model::MicaArt67)),
        }
    }

    /// The Hong Kong cover parameters, or why this policy has none.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] if the policy is not `hk-sfc-cover`.
    pub fn hk_cover(&self) -> Result<&HkCoverParams, ModelMismatch> {
        match &self.params {
            Params::HkCover(p) => Ok(p),
            _ => Err(self.mismatch(Model::HkSfcCover)),
        }
    }

    /// The Korean parameters, if this is a `kr-vaupa` policy.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] for a policy of another model.
    pub fn kr_vaupa(&self) -> Result<&KrVaupaParams, ModelMismatch> {
        match &self.params {
            Params::KrVaupa(p) => Ok(p),
            _ => Err(self.mismatch(Model::KrVaupa)),
        }
    }

    /// The Singaporean parameters, if this is a `sg-mas-custody` policy.
    ///
    /// # Errors
    ///
    /// A [`ModelMismatch`] for a policy of another model.
    pub fn sg_mas(&self) -> Result<&SgMasParams, ModelMismatch> {
        match &self.params {
            Params::SgMas(p) => Ok(p),
            _ => Err(self.mismatch(Model::SgMasCustody)),
        }
    }

    fn mismatch(&self, expected: Model) -> ModelMismatch {
        ModelMismatch {
            policy: self.name.clone(),
            expected,
            found: self.model(),
        }
    }
}

/// A policy of one model was given where another was needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelMismatch {
    policy: String,
    expected: Model,
    found: Model,
}

impl fmt::Display for ModelMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "policy {:?} is a {} policy; expected a {} policy here",
            self.policy, self.found, self.expected
        )
    }
}

impl std::error::Error for ModelMismatch {}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Basis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Model {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Valuation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
