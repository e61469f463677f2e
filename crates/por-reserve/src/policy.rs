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
//! Every model has a fixed set of parameters ([`Model::params`]): a missing
//! one, an unknown one or a value of the wrong kind is an error naming it.

use core::fmt;
use std::collections::BTreeSet;

use crate::fields::{check_format, one_of, parse_tree, FieldError, FieldErrorKind, Obj, Syntax};
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
            Status::Assumption => "assumption",
            Status::Unverified => "unverified",
        }
    }

    const ALL: [(&'static str, Status); 5] = [
        ("law", Status::Law),
        ("proposal", Status::Proposal),
        ("press", Status::Press),
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
    /// Some parameter is only a proposal or press report: "indicative".
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
            Status::Proposal | Status::Press => Basis::NotInForce,
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
}

/// The kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A rate string ("5%", "0.25").
    Rate,
    /// A whole number of days or years.
    Count,
    /// Yen, or the string "none".
    OptionalYen,
    /// Yen.
    Yen,
    /// A whole number of euro.
    Eur,
}

impl Model {
    const ALL: [(&'static str, Model); 4] = [
        ("jp-psa-segregation", Model::JpPsa),
        ("jp-liability-reserve", Model::JpLiabilityReserve),
        ("eu-mica-art67", Model::MicaArt67),
        ("hk-sfc-cover", Model::HkSfcCover),
    ];

    /// The name used in the `model` key.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Model::JpPsa => "jp-psa-segregation",
            Model::JpLiabilityReserve => "jp-liability-reserve",
            Model::MicaArt67 => "eu-mica-art67",
            Model::HkSfcCover => "hk-sfc-cover",
        }
    }

    /// The parameters this model takes, in file order, with their kinds.
    #[must_use]
    pub fn params(self) -> &'static [(&'static str, Kind)] {
        match self {
            Model::JpPsa => &[
                ("non_cold_limit", Kind::Rate),
                ("guarantee_ratio", Kind::Rate),
                ("segregation_ratio", Kind::Rate),
                ("trust_ratio", Kind::Rate),
                ("audit_max_days", Kind::Count),
                ("min_capital_jpy", Kind::Yen),
            ],
            Model::JpLiabilityReserve => &[
                ("lookback_years", Kind::Count),
                ("r_spot_exchange", Kind::Rate),
                ("r_spot_dealer", Kind::Rate),
                ("r_derivatives", Kind::Rate),
                ("r_lending_staking", Kind::Rate),
                ("alpha_cold", Kind::Rate),
                ("alpha_hot", Kind::Rate),
                ("alpha_vendor", Kind::Rate),
                ("beta", Kind::Rate),
                ("s_max", Kind::Rate),
                ("haircut_reserve_crypto", Kind::Rate),
                ("haircut_a_or_better", Kind::Rate),
                ("haircut_below_a", Kind::Rate),
                ("insurance_min_term_days", Kind::Count),
                ("insurance_min_notice_days", Kind::Count),
                ("floor_jpy", Kind::OptionalYen),
                ("cap_jpy", Kind::OptionalYen),
                ("band_low_jpy", Kind::Yen),
                ("band_high_jpy", Kind::Yen),
            ],
            Model::MicaArt67 => &[
                ("k_min_class1_eur", Kind::Eur),
                ("k_min_class2_eur", Kind::Eur),
                ("k_min_class3_eur", Kind::Eur),
                ("k_overheads", Kind::Rate),
                ("insurance_min_term_days", Kind::Count),
                ("insurance_min_notice_days", Kind::Count),
            ],
            Model::HkSfcCover => &[
                ("cold_min_share", Kind::Rate),
                ("cover_cold", Kind::Rate),
                ("cover_hot_other", Kind::Rate),
            ],
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parameter's value.
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
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Rate(r) => write!(f, "{r}"),
            ParamValue::Count(n) => write!(f, "{n}"),
            ParamValue::Yen(Some(y)) => write!(f, "¥{y}"),
            ParamValue::Yen(None) => f.write_str("none"),
            ParamValue::Eur(e) => write!(f, "€{}", Yen::new(*e)),
        }
    }
}

/// One parameter: value, source and status (and an optional note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    key: &'static str,
    value: ParamValue,
    source: String,
    status: Status,
    note: Option<String>,
}

impl Param {
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

/// A parsed, complete policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    title: String,
    model: Model,
    params: Vec<Param>,
}

/// The set of parameter keys a figure used.
pub type Used = BTreeSet<&'static str>;

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
        let mut params = Vec::new();
        for &(key, kind) in model.params() {
            let (path, v) = ps.req(key)?;
            let mut p = Obj::from_value(path.clone(), v)?;
            let value = match kind {
                Kind::Rate => ParamValue::Rate(p.req_rate("value")?),
                Kind::Count => ParamValue::Count(p.req_u32("value")?),
                Kind::Yen => ParamValue::Yen(Some(p.req_yen("value")?)),
                Kind::Eur => ParamValue::Eur(p.req_yen("value")?.get()),
                Kind::OptionalYen => {
                    let (vp, raw) = p.req("value")?;
                    if raw.as_str() == Some("none") {
                        ParamValue::Yen(None)
                    } else {
                        ParamValue::Yen(Some(crate::fields::as_yen(&vp, raw)?))
                    }
                }
            };
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
            params.push(Param {
                key,
                value,
                source,
                status,
                note,
            });
        }
        ps.finish()?;
        o.finish()?;
        Ok(Policy {
            name,
            title,
            model,
            params,
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

    /// The model it parameterises.
    #[must_use]
    pub fn model(&self) -> Model {
        self.model
    }

    /// All parameters, in the model's order.
    #[must_use]
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The parameter `key`, if this policy's model has it.
    #[must_use]
    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.key == key)
    }

    /// A parameter the engine asks for by a key of this policy's model.
    fn known(&self, key: &str) -> &Param {
        self.param(key).unwrap_or_else(|| {
            // The engine checks the model before asking, and parsing
            // guarantees every parameter of the model is present.
            panic!("engine bug: {key} is not a {} parameter", self.model)
        })
    }

    pub(crate) fn rate(&self, key: &'static str, used: &mut Used) -> Rate {
        used.insert(key);
        match self.known(key).value {
            ParamValue::Rate(r) => r,
            other => panic!("engine bug: {key} is {other:?}, not a rate"),
        }
    }

    pub(crate) fn count(&self, key: &'static str, used: &mut Used) -> u32 {
        used.insert(key);
        match self.known(key).value {
            ParamValue::Count(n) => n,
            other => panic!("engine bug: {key} is {other:?}, not a count"),
        }
    }

    pub(crate) fn yen(&self, key: &'static str, used: &mut Used) -> Option<Yen> {
        used.insert(key);
        match self.known(key).value {
            ParamValue::Yen(y) => y,
            other => panic!("engine bug: {key} is {other:?}, not yen"),
        }
    }

    pub(crate) fn eur(&self, key: &'static str, used: &mut Used) -> u128 {
        used.insert(key);
        match self.known(key).value {
            ParamValue::Eur(e) => e,
            other => panic!("engine bug: {key} is {other:?}, not euro"),
        }
    }

    /// The basis (weakest status) of a figure that used `used`.
    #[must_use]
    pub fn basis(&self, used: &Used) -> Basis {
        self.params
            .iter()
            .filter(|p| used.contains(p.key))
            .map(|p| Basis::of(p.status))
            .max()
            .unwrap_or(Basis::Law)
    }

    pub(crate) fn require_model(&self, model: Model) -> Result<(), ModelMismatch> {
        if self.model == model {
            Ok(())
        } else {
            Err(ModelMismatch {
                policy: self.name.clone(),
                expected: model,
                found: self.model,
            })
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
