//! Reading the reserve engine's data files (policies, inputs, scenarios).
//!
//! TOML and JSON are both read into one JSON-like tree and then walked by
//! hand, so that every error names the exact field (`holdings[3].tier`) and
//! what was expected, and every unknown key is an error rather than silently
//! ignored (a misspelt `excludes` must not drop an exclusion). Exact numbers
//! (rates, prices, quantities) must be strings: a TOML or JSON float is
//! refused, because it has already been rounded by the parser.

use core::fmt;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::num::{Date, Price, Rate, SignedRate, Yen};

/// A data file of the reserve engine that is not valid: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    path: String,
    kind: FieldErrorKind,
}

/// Why a field was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// The file is not valid TOML / JSON.
    Syntax(String),
    /// A required field is absent.
    Missing,
    /// A key that this format does not define.
    Unknown,
    /// A value of the wrong type.
    WrongType {
        /// What was expected.
        expected: &'static str,
    },
    /// A value of the right type but not acceptable.
    Invalid {
        /// The value as written.
        value: String,
        /// What was expected.
        expected: String,
    },
}

impl FieldError {
    pub(crate) fn new(path: impl Into<String>, kind: FieldErrorKind) -> FieldError {
        FieldError {
            path: path.into(),
            kind,
        }
    }

    pub(crate) fn invalid(
        path: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> FieldError {
        FieldError::new(
            path,
            FieldErrorKind::Invalid {
                value: value.into(),
                expected: expected.into(),
            },
        )
    }

    /// The field's path, such as `holdings[3].tier` or `params.alpha_cold`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Why it was rejected.
    #[must_use]
    pub fn kind(&self) -> &FieldErrorKind {
        &self.kind
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.path;
        match &self.kind {
            FieldErrorKind::Syntax(m) => write!(f, "not valid: {m}"),
            FieldErrorKind::Missing => write!(f, "field `{p}` is missing"),
            FieldErrorKind::Unknown => {
                write!(f, "unknown key `{p}`: not part of this format (misspelt?)")
            }
            FieldErrorKind::WrongType { expected } => {
                write!(f, "field `{p}` has the wrong type: expected {expected}")
            }
            FieldErrorKind::Invalid { value, expected } => {
                write!(f, "field `{p}` = {value}: expected {expected}")
            }
        }
    }
}

impl std::error::Error for FieldError {}

/// The syntax of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Syntax {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

/// Parses TOML or JSON text into the tree the readers walk.
pub(crate) fn parse_tree(text: &str, syntax: Syntax) -> Result<Map<String, Value>, FieldError> {
    let value: Value = match syntax {
        Syntax::Toml => toml::from_str(text)
            .map_err(|e| FieldError::new("", FieldErrorKind::Syntax(format!("TOML: {e}"))))?,
        Syntax::Json => serde_json::from_str(text)
            .map_err(|e| FieldError::new("", FieldErrorKind::Syntax(format!("JSON: {e}"))))?,
    };
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(FieldError::new(
            "",
            FieldErrorKind::WrongType {
                expected: "a table / object at the top level",
            },
        )),
    }
}

/// One table being read: remembers which keys were read so that the rest
/// can be reported as unknown.
pub(crate) struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
    seen: BTreeSet<&'a str>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl<'a> Obj<'a> {
    pub(crate) fn new(path: impl Into<String>, map: &'a Map<String, Value>) -> Obj<'a> {
        Obj {
            path: path.into(),
            map,
            seen: BTreeSet::new(),
        }
    }

    pub(crate) fn from_value(path: String, v: &'a Value) -> Result<Obj<'a>, FieldError> {
        match v {
            Value::Object(m) => Ok(Obj::new(path, m)),
            _ => Err(FieldError::new(
                path,
                FieldErrorKind::WrongType {
                    expected: "a table / object",
                },
            )),
        }
    }

    pub(crate) fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.map.get_key_value(key)?;
        self.seen.insert(k.as_str());
        Some(v)
    }

    pub(crate) fn opt(&mut self, key: &str) -> Option<(String, &'a Value)> {
        self.get(key).map(|v| (join(&self.path, key), v))
    }

    pub(crate) fn req(&mut self, key: &str) -> Result<(String, &'a Value), FieldError> {
        let path = join(&self.path, key);
        match self.get(key) {
            Some(v) => Ok((path, v)),
            None => Err(FieldError::new(path, FieldErrorKind::Missing)),
        }
    }

    pub(crate) fn req_str(&mut self, key: &str) -> Result<&'a str, FieldError> {
        let (p, v) = self.req(key)?;
        as_str(&p, v)
    }

    pub(crate) fn opt_str(&mut self, key: &str) -> Result<Option<&'a str>, FieldError> {
        self.opt(key).map(|(p, v)| as_str(&p, v)).transpose()
    }

    pub(crate) fn opt_bool(&mut self, key: &str) -> Result<Option<bool>, FieldError> {
        match self.opt(key) {
            None => Ok(None),
            Some((_, Value::Bool(b))) => Ok(Some(*b)),
            Some((p, _)) => Err(FieldError::new(
                p,
                FieldErrorKind::WrongType {
                    expected: "true or false",
                },
            )),
        }
    }

    pub(crate) fn req_u32(&mut self, key: &str) -> Result<u32, FieldError> {
        let (p, v) = self.req(key)?;
        as_u32(&p, v)
    }

    pub(crate) fn opt_u32(&mut self, key: &str) -> Result<Option<u32>, FieldError> {
        self.opt(key).map(|(p, v)| as_u32(&p, v)).transpose()
    }

    pub(crate) fn req_yen(&mut self, key: &str) -> Result<Yen, FieldError> {
        let (p, v) = self.req(key)?;
        as_yen(&p, v)
    }

    pub(crate) fn opt_yen(&mut self, key: &str) -> Result<Option<Yen>, FieldError> {
        self.opt(key).map(|(p, v)| as_yen(&p, v)).transpose()
    }

    pub(crate) fn req_rate(&mut self, key: &str) -> Result<Rate, FieldError> {
        let (p, v) = self.req(key)?;
        as_rate(&p, v)
    }

    pub(crate) fn opt_rate(&mut self, key: &str) -> Result<Option<Rate>, FieldError> {
        self.opt(key).map(|(p, v)| as_rate(&p, v)).transpose()
    }

    pub(crate) fn opt_signed_rate(&mut self, key: &str) -> Result<Option<SignedRate>, FieldError> {
        self.opt(key)
            .map(|(p, v)| {
                let s = as_str(&p, v)?;
                SignedRate::parse(s).map_err(|e| {
                    FieldError::invalid(
                        p,
                        describe(v),
                        format!("a signed rate like \"-30%\" ({e})"),
                    )
                })
            })
            .transpose()
    }

    pub(crate) fn req_price(&mut self, key: &str) -> Result<Price, FieldError> {
        let (p, v) = self.req(key)?;
        if let Value::Number(n) = v {
            return Err(FieldError::invalid(
                p,
                n.to_string(),
                "a price written as a decimal string, like \"10000000\" or \"88.549\" (numbers may have been rounded by the parser)",
            ));
        }
        let s = as_str(&p, v)?;
        Price::parse(s).map_err(|e| {
            FieldError::invalid(p, describe(v), format!("an exact decimal string ({e})"))
        })
    }

    pub(crate) fn req_date(&mut self, key: &str) -> Result<Date, FieldError> {
        let (p, v) = self.req(key)?;
        as_date(&p, v)
    }

    /// An array of tables (absent = empty).
    pub(crate) fn arr(&mut self, key: &str) -> Result<Vec<Obj<'a>>, FieldError> {
        let Some((p, v)) = self.opt(key) else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = v else {
            return Err(FieldError::new(
                p,
                FieldErrorKind::WrongType {
                    expected: "an array of tables",
                },
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Obj::from_value(format!("{p}[{i}]"), item))
            .collect()
    }

    /// An array of strings (absent = empty).
    pub(crate) fn str_list(&mut self, key: &str) -> Result<Vec<(String, &'a str)>, FieldError> {
        let Some((p, v)) = self.opt(key) else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = v else {
            return Err(FieldError::new(
                p,
                FieldErrorKind::WrongType {
                    expected: "an array of strings",
                },
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let ip = format!("{p}[{i}]");
                as_str(&ip, item).map(|s| (ip, s))
            })
            .collect()
    }

    /// A sub-table (absent = `None`).
    pub(crate) fn opt_obj(&mut self, key: &str) -> Result<Option<Obj<'a>>, FieldError> {
        self.opt(key)
            .map(|(p, v)| Obj::from_value(p, v))
            .transpose()
    }

    /// The keys not read yet, in order (for maps keyed by user data).
    pub(crate) fn entries(&mut self) -> Vec<(String, &'a str, &'a Value)> {
        let out: Vec<_> = self
            .map
            .iter()
            .filter(|(k, _)| !self.seen.contains(k.as_str()))
            .map(|(k, v)| (join(&self.path, k), k.as_str(), v))
            .collect();
        for (k, _) in self.map {
            self.seen.insert(k.as_str());
        }
        out
    }

    /// Fails on the first key that was never read.
    pub(crate) fn finish(self) -> Result<(), FieldError> {
        match self.map.keys().find(|k| !self.seen.contains(k.as_str())) {
            Some(k) => Err(FieldError::new(
                join(&self.path, k),
                FieldErrorKind::Unknown,
            )),
            None => Ok(()),
        }
    }
}

pub(crate) fn as_str<'a>(p: &str, v: &'a Value) -> Result<&'a str, FieldError> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(FieldError::new(
            p,
            FieldErrorKind::WrongType {
                expected: "a string",
            },
        )),
    }
}

fn as_u32(p: &str, v: &Value) -> Result<u32, FieldError> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| FieldError::invalid(p, n.to_string(), "a non-negative whole number")),
        _ => Err(FieldError::new(
            p,
            FieldErrorKind::WrongType {
                expected: "a whole number",
            },
        )),
    }
}

/// Yen: a non-negative integer, or a string of digits (for figures above
/// what a TOML integer holds). Underscores are allowed in strings as in TOML.
pub(crate) fn as_yen(p: &str, v: &Value) -> Result<Yen, FieldError> {
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(Yen::new(u128::from(u)))
            } else if n.as_i64().is_some() {
                Err(FieldError::invalid(
                    p,
                    n.to_string(),
                    "a non-negative whole number of yen (it is negative)",
                ))
            } else {
                Err(FieldError::invalid(
                    p,
                    n.to_string(),
                    "a whole number of yen, not a float (write large or exact figures as a string of digits)",
                ))
            }
        }
        Value::String(s) => {
            let digits: String = s.chars().filter(|c| *c != '_').collect();
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                digits.parse::<u128>().map(Yen::new).map_err(|_| {
                    FieldError::invalid(p, describe(v), "a whole number of yen below 2^128")
                })
            } else {
                Err(FieldError::invalid(
                    p,
                    describe(v),
                    "a non-negative whole number of yen (digits only)",
                ))
            }
        }
        _ => Err(FieldError::new(
            p,
            FieldErrorKind::WrongType {
                expected: "a whole number of yen",
            },
        )),
    }
}

pub(crate) fn as_rate(p: &str, v: &Value) -> Result<Rate, FieldError> {
    match v {
        Value::String(s) => Rate::parse(s).map_err(|e| {
            FieldError::invalid(p, describe(v), format!("a rate like \"5%\" or \"0.25\" ({e})"))
        }),
        Value::Number(n) => Err(FieldError::invalid(
            p,
            n.to_string(),
            "a rate written as a string, like \"5%\" or \"0.25\" (numbers may have been rounded by the parser)",
        )),
        _ => Err(FieldError::new(
            p,
            FieldErrorKind::WrongType {
                expected: "a rate string like \"5%\"",
            },
        )),
    }
}

fn as_date(p: &str, v: &Value) -> Result<Date, FieldError> {
    let s = as_str(p, v).map_err(|_| {
        FieldError::new(
            p,
            FieldErrorKind::WrongType {
                expected: "a date string \"YYYY-MM-DD\" (quoted, also in TOML)",
            },
        )
    })?;
    Date::parse(s)
        .map_err(|e| FieldError::invalid(p, describe(v), format!("a date YYYY-MM-DD ({e})")))
}

/// Checks the `format` and `version` keys every reserve file starts with.
pub(crate) fn check_format(o: &mut Obj<'_>, format: &str, version: u32) -> Result<(), FieldError> {
    let f = o.req_str("format")?;
    if f != format {
        return Err(FieldError::invalid(
            o.path_of("format"),
            format!("{f:?}"),
            format!("{format:?}"),
        ));
    }
    let v = o.req_u32("version")?;
    if v != version {
        return Err(FieldError::invalid(
            o.path_of("version"),
            v.to_string(),
            format!("version {version} (the only version this build reads)"),
        ));
    }
    Ok(())
}

/// Parses one of a closed set of lower-case names.
pub(crate) fn one_of<T: Copy>(path: &str, s: &str, options: &[(&str, T)]) -> Result<T, FieldError> {
    options
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            FieldError::invalid(
                path,
                format!("{s:?}"),
                format!("one of {}", names.join(", ")),
            )
        })
}
