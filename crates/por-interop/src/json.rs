//! Reading untrusted JSON the way the exchanges' parsers do, with errors that
//! name the field.

use serde_json::{Map, Value};

use crate::Error;

pub(crate) fn parse(text: &str) -> Result<Value, Error> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| Error::Malformed {
        field: String::new(),
        message: format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
    })
}

pub(crate) fn malformed(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Malformed {
        field: field.into(),
        message: message.into(),
    }
}

/// Well-formed, but beyond what por computes: the check reports the proof
/// as unverifiable, naming the field.
pub(crate) fn beyond(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Beyond {
        field: field.into(),
        message: message.into(),
    }
}

/// A decimal parse error: syntax is malformed, size is beyond por.
pub(crate) fn decimal_error(field: impl Into<String>, e: crate::decimal::DecimalError) -> Error {
    match e {
        crate::decimal::DecimalError::Syntax => malformed(field, e.to_string()),
        crate::decimal::DecimalError::TooLarge => beyond(field, e.to_string()),
    }
}

pub(crate) fn obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    v.as_object()
        .ok_or_else(|| malformed(path, "expected a JSON object"))
}

/// A key as Go's `encoding/json` matches a struct field: the exact name, or
/// else one key equal to it ignoring ASCII case. Two keys that differ only
/// by case are refused (which one Go uses depends on their order).
pub(crate) fn go_field<'a>(
    m: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'a Value>, Error> {
    let matches: Vec<(&String, &Value)> = m
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [(_, v)] => Ok(Some(v)),
        _ => Err(malformed(
            join(path, name),
            "several keys differ only by letter case; Go's decoder would pick one by their order, which por does not guess",
        )),
    }
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A string field (JSON null and absence give `None`).
pub(crate) fn opt_str<'a>(v: Option<&'a Value>, path: &str) -> Result<Option<&'a str>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(path, "expected a string")),
    }
}

/// An integer field (JSON null and absence give `None`).
pub(crate) fn opt_int(v: Option<&Value>, path: &str) -> Result<Option<i64>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|x| i32::try_from(*x).is_ok())
            .map(Some)
            .ok_or_else(|| malformed(path, "expected a 32-bit integer")),
        Some(_) => Err(malformed(path, "expected an integer")),
    }
}

/// A balances object: asset symbol → amount string, in the file's key order
/// as serde_json keeps it (sorted). Amounts must be JSON strings; asset
/// symbols must be printable ASCII without `"` or `\`, so that every JSON
/// serialiser the exchanges use writes them the same way.
pub(crate) fn balances(
    v: Option<&Value>,
    path: &str,
) -> Result<Option<Vec<(String, String)>>, Error> {
    let v = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let m = obj(v, path)?;
    let mut out = Vec::with_capacity(m.len());
    for (k, a) in m {
        if k.is_empty()
            || !k.bytes().all(|b| {
                (0x21..0x7f).contains(&b)
                    && b != b'"'
                    && b != b'\\'
                    && b != b'<'
                    && b != b'>'
                    && b != b'&'
            })
        {
            return Err(malformed(
                join(path, k),
                "an asset symbol must be printable ASCII without quotes, backslashes or <>& (serialisers differ on the others)",
            ));
        }
        match a {
            Value::String(s) => {
                not_too_large(s, &join(path, k))?;
                out.push((k.clone(), s.clone()));
            }
            Value::Null => return Err(malformed(join(path, k), "an amount is null")),
            _ => return Err(malformed(
                join(path, k),
                "amounts must be JSON strings (a JSON number would lose digits in por's reader)",
            )),
        }
    }
    Ok(Some(out))
}

/// Refuses, as beyond por, an amount string in the decimal grammar whose
/// value por cannot hold (the exchange's library would compute it).
pub(crate) fn not_too_large(s: &str, field: &str) -> Result<(), Error> {
    match crate::decimal::Dec::parse(s) {
        Err(e @ crate::decimal::DecimalError::TooLarge) => Err(decimal_error(field, e)),
        _ => Ok(()),
    }
}

/// The items of an array field.
pub(crate) fn array<'a>(v: Option<&'a Value>, path: &str) -> Result<Option<&'a Vec<Value>>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(malformed(path, "expected an array")),
    }
}
