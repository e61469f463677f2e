//! The distribution policy file (`policies/distribution-pro-rata.toml`):
//! every parameter with its value, source and status, as the reserve
//! policies in `policies/` are written.
//!
//! ```toml
//! format = "por-distribution-policy"
//! version = 1
//! name = "distribution-pro-rata"
//! title = "..."
//!
//! [params.rule]              # "pro-rata-in-kind", the only rule of v1
//! value = "pro-rata-in-kind"
//! status = "assumption"      # law | proposal | press | assumption | unverified
//! source = "..."
//! note = "optional"
//!
//! [params.holdback]          # user ids whose allocation is set aside
//! value = []
//! [params.de_minimis]        # per asset symbol, base units as a string
//! value = {}
//! # optional, all three or none:
//! [params.top_up_pool_jpy]   # whole yen, a string
//! [params.top_up_prices]     # per asset symbol, yen per whole unit, a decimal string
//! [params.top_up_price_date] # YYYY-MM-DD
//! ```
//!
//! Parsing is strict: an unknown key anywhere, a missing one, a number
//! where a string is expected (amounts and prices are strings so that no
//! TOML float rounds them) are errors naming the line and the field.

use core::fmt;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use por_reserve::Status;
use por_tree::{Amount, AssetList, Customers};
use serde::Deserialize;
use toml::Spanned;

use crate::allocate::Price;
use crate::plan::TopUp;

/// The `format` of a policy file.
pub const POLICY_FORMAT: &str = "por-distribution-policy";
/// The version this build reads.
pub const POLICY_VERSION: i64 = 1;
/// The shipped default policy, `policies/distribution-pro-rata.toml`: in
/// kind, pro rata, no top-up, no holdback, no de-minimis threshold.
pub const DEFAULT_POLICY: &str = include_str!("../../../policies/distribution-pro-rata.toml");
/// The only allocation rule of version 1.
pub const RULE_PRO_RATA_IN_KIND: &str = "pro-rata-in-kind";

/// A policy file that is not valid: the line, the field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    line: Option<usize>,
    field: String,
    message: String,
}

impl PolicyError {
    /// The 1-based line, when known.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The field's path (`params.de_minimis.value.BTC`), empty when the
    /// error is about the document.
    #[must_use]
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "field {}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// One parameter: its value, source, status and note, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<T> {
    /// The value.
    pub value: T,
    /// Where it comes from.
    pub source: String,
    /// How firm it is.
    pub status: Status,
    /// A free-text note.
    pub note: Option<String>,
    /// The line of its `value`.
    pub line: usize,
}

/// The JPY top-up terms as written (not yet checked against the assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUpPolicy {
    /// The pool, in yen.
    pub pool_jpy: Param<Amount>,
    /// Yen per whole unit, by symbol, with each price's line.
    pub prices: Param<Vec<(String, Price, usize)>>,
    /// The prices' date, `YYYY-MM-DD`.
    pub price_date: Param<String>,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The rule (always [`RULE_PRO_RATA_IN_KIND`] in v1).
    pub rule: Param<String>,
    /// Held-back user ids, each with its line.
    pub holdback: Param<Vec<(String, usize)>>,
    /// De-minimis thresholds by symbol (base units), each with its line.
    pub de_minimis: Param<Vec<(String, Amount, usize)>>,
    /// The top-up, if any.
    pub top_up: Option<TopUpPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    format: Spanned<String>,
    version: Spanned<i64>,
    name: Spanned<String>,
    title: String,
    params: RawParams,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    rule: RawParam<Spanned<String>>,
    holdback: RawParam<Spanned<Vec<Spanned<String>>>>,
    de_minimis: RawParam<Spanned<BySymbol>>,
    top_up_pool_jpy: Option<RawParam<Spanned<String>>>,
    top_up_prices: Option<RawParam<Spanned<BySymbol>>>,
    top_up_price_date: Option<RawParam<Spanned<String>>>,
}

/// A table of strings by asset symbol, each with its span.
type BySymbol = BTreeMap<String, Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam<T> {
    value: T,
    status: Spanned<String>,
    source: Spanned<String>,
    note: Option<String>,
}

/// Where a byte offset is: its 1-based line.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .get(..offset.min(text.len()))
        .map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() + 1)
}

struct Ctx<'a> {
    text: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        msg: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            line: Some(line_of(self.text, span.start)),
            field: field.into(),
            message: msg.into(),
        }
    }

    fn param<T, U>(
        &self,
        key: &str,
        raw: RawParam<Spanned<T>>,
        convert: impl FnOnce(&Self, Spanned<T>) -> Result<U, PolicyError>,
    ) -> Result<Param<U>, PolicyError> {
        let line = line_of(self.text, raw.value.span().start);
        let status_span = raw.status.span();
        let status = match raw.status.get_ref().as_str() {
            "law" => Status::Law,
            "proposal" => Status::Proposal,
            "press" => Status::Press,
            "assumption" => Status::Assumption,
            "unverified" => Status::Unverified,
            other => {
                return Err(self.err(
                    status_span,
                    format!("params.{key}.status"),
                    format!(
                    "expected one of law, proposal, press, assumption, unverified; got {other:?}"
                ),
                ))
            }
        };
        let source_span = raw.source.span();
        let source = raw.source.into_inner();
        if source.trim().is_empty() {
            return Err(self.err(
                source_span,
                format!("params.{key}.source"),
                "expected a non-empty source",
            ));
        }
        Ok(Param {
            value: convert(self, raw.value)?,
            source,
            status,
            note: raw.note,
            line,
        })
    }
}

impl Policy {
    /// Parses a policy file's text.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming the line and the field.
    pub fn from_toml_str(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError {
            line: e.span().map(|s| line_of(text, s.start)),
            field: String::new(),
            message: e.message().to_owned(),
        })?;
        let cx = Ctx { text };
        if raw.format.get_ref() != POLICY_FORMAT {
            return Err(cx.err(
                raw.format.span(),
                "format",
                format!("expected {POLICY_FORMAT:?}, got {:?}", raw.format.get_ref()),
            ));
        }
        if *raw.version.get_ref() != POLICY_VERSION {
            return Err(cx.err(
                raw.version.span(),
                "version",
                format!("expected {POLICY_VERSION}, got {}", raw.version.get_ref()),
            ));
        }
        if raw.name.get_ref().trim().is_empty() {
            return Err(cx.err(raw.name.span(), "name", "expected a non-empty name"));
        }
        let p = raw.params;
        let rule = cx.param("rule", p.rule, |cx, v| {
            if v.get_ref() == RULE_PRO_RATA_IN_KIND {
                Ok(v.into_inner())
            } else {
                Err(cx.err(
                    v.span(),
                    "params.rule.value",
                    format!(
                        "expected {RULE_PRO_RATA_IN_KIND:?} (the only rule of version 1), got {:?}",
                        v.get_ref()
                    ),
                ))
            }
        })?;
        let holdback = cx.param("holdback", p.holdback, |cx, v| {
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut out = Vec::new();
            for (i, id) in v.into_inner().into_iter().enumerate() {
                let line = line_of(cx.text, id.span().start);
                let span = id.span();
                let id = id.into_inner();
                if id.is_empty() {
                    return Err(cx.err(
                        span,
                        format!("params.holdback.value[{i}]"),
                        "expected a non-empty user id",
                    ));
                }
                if let Some(first) = seen.insert(id.clone(), line) {
                    return Err(cx.err(
                        span,
                        format!("params.holdback.value[{i}]"),
                        format!("user id {id:?} is listed twice (first on line {first})"),
                    ));
                }
                out.push((id, line));
            }
            Ok(out)
        })?;
        let de_minimis = cx.param("de_minimis", p.de_minimis, |cx, v| {
            let mut out = Vec::new();
            for (sym, amount) in v.into_inner() {
                let field = format!("params.de_minimis.value.{sym}");
                let a = Amount::from_base_units_str(amount.get_ref()).map_err(|e| {
                    cx.err(
                        amount.span(),
                        &field,
                        format!("expected an integer of base units as a string: {e}"),
                    )
                })?;
                out.push((sym, a, line_of(cx.text, amount.span().start)));
            }
            Ok(out)
        })?;
        let top_up = match (p.top_up_pool_jpy, p.top_up_prices, p.top_up_price_date) {
            (None, None, None) => None,
            (Some(pool), Some(prices), Some(date)) => Some(TopUpPolicy {
                pool_jpy: cx.param("top_up_pool_jpy", pool, |cx, v| {
                    Amount::from_base_units_str(v.get_ref()).map_err(|e| {
                        cx.err(v.span(), "params.top_up_pool_jpy.value", format!("expected whole yen as a string: {e}"))
                    })
                })?,
                prices: cx.param("top_up_prices", prices, |cx, v| {
                    let mut out = Vec::new();
                    for (sym, price) in v.into_inner() {
                        let p = Price::parse(price.get_ref()).map_err(|e| {
                            cx.err(price.span(), format!("params.top_up_prices.value.{sym}"), e)
                        })?;
                        out.push((sym, p, line_of(cx.text, price.span().start)));
                    }
                    Ok(out)
                })?,
                price_date: cx.param("top_up_price_date", date, |cx, v| {
                    if is_date(v.get_ref()) {
                        Ok(v.into_inner())
                    } else {
                        Err(cx.err(v.span(), "params.top_up_price_date.value", format!("expected YYYY-MM-DD, got {:?}", v.get_ref())))
                    }
                })?,
            }),
            _ => {
                return Err(PolicyError {
                    line: None,
                    field: "params.top_up_pool_jpy".into(),
                    message: "a top-up needs all of params.top_up_pool_jpy, params.top_up_prices and params.top_up_price_date, or none of them".into(),
                })
            }
        };
        Ok(Policy {
            name: raw.name.into_inner(),
            title: raw.title,
            rule,
            holdback,
            de_minimis,
            top_up,
        })
    }

    /// The de-minimis thresholds (one per asset, 0 where none is set) and
    /// the top-up (one price per asset), checked against the assets.
    ///
    /// # Errors
    ///
    /// A symbol that is not an asset of the register, a missing price, or
    /// a top-up with an asset named `JPY` (its rows would be mistaken for
    /// the top-up's).
    pub fn resolve(&self, assets: &AssetList) -> Result<(Vec<Amount>, Option<TopUp>), PolicyError> {
        let unknown = |line: usize, field: String, sym: &str| PolicyError {
            line: Some(line),
            field,
            message: format!(
                "{sym:?} is not an asset of the register (its assets: {})",
                assets
                    .iter()
                    .map(|a| a.symbol())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut de_minimis = vec![Amount::ZERO; assets.len()];
        for (sym, a, line) in &self.de_minimis.value {
            let j = assets
                .position(sym)
                .ok_or_else(|| unknown(*line, format!("params.de_minimis.value.{sym}"), sym))?;
            de_minimis[j] = *a;
        }
        let top_up = match &self.top_up {
            None => None,
            Some(t) => {
                if assets.position("JPY").is_some() {
                    return Err(PolicyError {
                        line: Some(t.pool_jpy.line),
                        field: "params.top_up_pool_jpy".into(),
                        message: "the register has an asset named JPY: a JPY top-up beside it would be ambiguous".into(),
                    });
                }
                let mut prices = vec![None; assets.len()];
                for (sym, p, line) in &t.prices.value {
                    let j = assets.position(sym).ok_or_else(|| {
                        unknown(*line, format!("params.top_up_prices.value.{sym}"), sym)
                    })?;
                    prices[j] = Some(*p);
                }
                let mut out = Vec::with_capacity(assets.len());
                for (a, p) in assets.iter().zip(prices) {
                    out.push(p.ok_or_else(|| PolicyError {
                        line: Some(t.prices.line),
                        field: format!("params.top_up_prices.value.{}", a.symbol()),
                        message: "missing: a top-up needs a price for every asset".into(),
                    })?);
                }
                Some(TopUp {
                    pool_jpy: t.pool_jpy.value,
                    prices: out,
                })
            }
        };
        Ok((de_minimis, top_up))
    }

    /// One flag per customer (leaf order): held back or not.
    ///
    /// # Errors
    ///
    /// A listed id that is no customer of the register: a holdback that
    /// holds no one would pay a claim meant to be held.
    pub fn held_flags(&self, customers: &Customers) -> Result<Vec<bool>, PolicyError> {
        if self.holdback.value.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: HashMap<&str, usize> = self
            .holdback
            .value
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.as_str(), i))
            .collect();
        let mut flags = vec![false; customers.len()];
        let mut found = vec![false; self.holdback.value.len()];
        for (i, flag) in flags.iter_mut().enumerate() {
            if let Some(&w) = customers.user_id(i).and_then(|u| wanted.get(u)) {
                *flag = true;
                found[w] = true;
            }
        }
        if let Some(w) = found.iter().position(|f| !f) {
            let (id, line) = &self.holdback.value[w];
            return Err(PolicyError {
                line: Some(*line),
                field: format!("params.holdback.value[{w}]"),
                message: format!("user id {id:?} is not a customer of the register"),
            });
        }
        Ok(flags)
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s.get(5..7).and_then(|m| m.parse::<u8>().ok()), Some(1..=12))
        && matches!(
            s.get(8..10).and_then(|d| d.parse::<u8>().ok()),
            Some(1..=31)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = DEFAULT_POLICY;

    fn with_params(extra: &str) -> String {
        format!(
            "format = \"por-distribution-policy\"\nversion = 1\nname = \"t\"\ntitle = \"t\"\n\
             [params.rule]\nvalue = \"pro-rata-in-kind\"\nstatus = \"assumption\"\nsource = \"s\"\n\
             [params.holdback]\nvalue = [\"u1\"]\nstatus = \"assumption\"\nsource = \"s\"\n\
             [params.de_minimis]\nvalue = {{ BTC = \"100\" }}\nstatus = \"assumption\"\nsource = \"s\"\n{extra}"
        )
    }

    #[test]
    fn shipped_policy_parses() {
        let p = Policy::from_toml_str(SHIPPED).unwrap();
        assert_eq!(p.name, "distribution-pro-rata");
        assert!(p.holdback.value.is_empty());
        assert!(p.de_minimis.value.is_empty());
        assert!(p.top_up.is_none());
    }

    #[test]
    fn full_policy_resolves() {
        let text = with_params(
            "[params.top_up_pool_jpy]\nvalue = \"1000\"\nstatus = \"assumption\"\nsource = \"s\"\n\
             [params.top_up_prices]\nvalue = { BTC = \"15000000\" }\nstatus = \"assumption\"\nsource = \"price feed\"\n\
             [params.top_up_price_date]\nvalue = \"2026-11-21\"\nstatus = \"assumption\"\nsource = \"s\"\n",
        );
        let p = Policy::from_toml_str(&text).unwrap();
        let assets = AssetList::from_spec("BTC:8").unwrap();
        let (dm, top) = p.resolve(&assets).unwrap();
        assert_eq!(dm, [Amount::from_base_units(100)]);
        assert_eq!(top.unwrap().pool_jpy, Amount::from_base_units(1000));
        let two = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let e = p.resolve(&two).unwrap_err();
        assert_eq!(e.field(), "params.top_up_prices.value.ETH");
        let other = AssetList::from_spec("ETH:18").unwrap();
        let e = p.resolve(&other).unwrap_err();
        assert_eq!(e.field(), "params.de_minimis.value.BTC");
        assert_eq!(e.line(), Some(14));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = Policy::from_toml_str(&with_params("[params.extra]\nvalue = 1\n")).unwrap_err();
        assert!(e.to_string().contains("extra"), "{e}");
        assert_eq!(e.line(), Some(17));
        let e = Policy::from_toml_str(
            &with_params("").replace("value = { BTC = \"100\" }", "value = { BTC = 100 }"),
        )
        .unwrap_err();
        assert_eq!(e.line(), Some(14), "{e}");
        let e = Policy::from_toml_str(&with_params("").replace("\"100\"", "\"1.5\"")).unwrap_err();
        assert_eq!(
            (e.line(), e.field()),
            (Some(14), "params.de_minimis.value.BTC")
        );
        let e = Policy::from_toml_str(&with_params("").replacen(
            "status = \"assumption\"",
            "status = \"maybe\"",
            1,
        ))
        .unwrap_err();
        assert_eq!((e.line(), e.field()), (Some(7), "params.rule.status"));
        let e = Policy::from_toml_str(&with_params("").replace("[\"u1\"]", "[\"u1\", \"u1\"]"))
            .unwrap_err();
        assert_eq!(e.field(), "params.holdback.value[1]");
        let e = Policy::from_toml_str(&with_params(
            "[params.top_up_pool_jpy]\nvalue = \"1\"\nstatus = \"law\"\nsource = \"s\"\n",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("all of"), "{e}");
        assert!(
            Policy::from_toml_str(&with_params("").replace("version = 1", "version = 2")).is_err()
        );
        assert!(Policy::from_toml_str("").is_err());
    }
}
