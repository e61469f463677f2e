//! RFC 8785 JSON Canonicalization Scheme (JCS) for the subset of JSON the
//! attestation uses: objects, arrays, strings, booleans, null and integers.
//!
//! Why our own: the JCS crates on crates.io (`serde_jcs`, `serde_json_canonicalizer`)
//! are small single-author crates that format every number through an
//! ECMAScript double printer; the attestation never needs a fractional number
//! (amounts are decimal strings), so the subset below is a few dozen lines
//! that can be read in full and is checked against RFC 8785's own examples
//! and the reference implementation's test data (`vectors/external/rfc8785`).
//!
//! - Object members are sorted by their names as UTF-16 code units
//!   (RFC 8785 §3.2.3), not by UTF-8 bytes or code points: they differ for
//!   names above U+FFFF (surrogate pairs sort before U+E000..U+FFFF).
//! - Strings are written as ECMAScript `JSON.stringify` does (§3.2.2.2):
//!   `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls below U+0020 as
//!   `\u00xx` (lower-case hex), everything else as literal UTF-8.
//! - Numbers: an integer (or a float with an integral value, e.g. `56.0`) of
//!   magnitude at most 2^53 is written in plain decimal, as ECMAScript would;
//!   any other number is refused, so no double-formatting corner case can
//!   make two implementations disagree.
//! - Duplicate member names are refused when parsing ([`parse_strict`]),
//!   as I-JSON (RFC 7493), which RFC 8785 builds on, requires.

use core::fmt;
use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The largest integer magnitude every JSON implementation represents exactly
/// (2^53, IEEE 754 double precision).
pub const MAX_SAFE_INTEGER: u64 = 1 << 53;

/// A value outside the canonicalizable subset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A number with a fractional part, or one beyond ±2^53.
    Number {
        /// The number as parsed.
        value: String,
        /// Where it is, as a JSON path (`$.reserves[3].claimed`).
        path: String,
    },
}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CanonicalError::Number { value, path } => write!(
                f,
                "number {value} at {path} cannot be canonicalized: expected an integer of at most 2^53 in magnitude (write amounts as strings)"
            ),
        }
    }
}

impl std::error::Error for CanonicalError {}

/// Returns the RFC 8785 canonical form of `value`.
///
/// # Errors
/// [`CanonicalError::Number`] for a number outside the subset (fractional or
/// beyond ±2^53).
///
/// # Examples
/// ```
/// use por_attest::jcs::canonicalize;
/// let v: serde_json::Value = serde_json::from_str(r#"{"b": [1, true], "a": "é\n"}"#)?;
/// assert_eq!(canonicalize(&v)?, "{\"a\":\"é\\n\",\"b\":[1,true]}");
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn canonicalize(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    let mut path = String::from("$");
    write_value(&mut out, value, &mut path)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &Value, path: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n, path)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                write_value(out, item, path)?;
                path.truncate(len);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                let len = path.len();
                path.push('.');
                path.push_str(name);
                write_value(out, member, path)?;
                path.truncate(len);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_number(out: &mut String, n: &Number, path: &str) -> Result<(), CanonicalError> {
    let bad = || CanonicalError::Number {
        value: n.to_string(),
        path: path.to_owned(),
    };
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return Err(bad());
        }
        out.push_str(&u.to_string());
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(bad());
        }
        out.push_str(&i.to_string());
    } else {
        let f = n.as_f64().ok_or_else(bad)?;
        #[expect(
            clippy::cast_precision_loss,
            reason = "2^53 is exactly representable as a double"
        )]
        let max = MAX_SAFE_INTEGER as f64;
        if !f.is_finite() || f.fract() != 0.0 || f.abs() > max {
            return Err(bad());
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "an integral double of magnitude at most 2^53 converts exactly"
        )]
        let i = f as i64;
        // -0.0 becomes 0, as ECMAScript writes it.
        out.push_str(&i.to_string());
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses JSON text into a value, refusing duplicate member names (which a
/// plain parser silently resolves to the last one, so two verifiers could
/// read two different documents).
///
/// # Errors
/// The parser's error (with line and column) for invalid JSON, including a
/// duplicate member name.
pub fn parse_strict(text: &str) -> Result<Value, serde_json::Error> {
    let v: StrictValue = serde_json::from_str(text)?;
    Ok(v.0)
}

/// A `serde_json::Value` built by a visitor that rejects duplicate names.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a non-finite number"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut seen: BTreeMap<String, Value> = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            if seen.contains_key(&name) {
                return Err(de::Error::custom(format!("duplicate member name {name:?}")));
            }
            let StrictValue(v) = map.next_value()?;
            seen.insert(name, v);
        }
        Ok(Value::Object(
            seen.into_iter().collect::<Map<String, Value>>(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        canonicalize(&parse_strict(text).unwrap()).unwrap()
    }

    /// The reference implementation's test data and RFC 8785's §3.2.2 and
    /// §3.2.3 examples (without the fractional numbers this subset refuses),
    /// copied into `vectors/external/rfc8785` with their provenance.
    #[test]
    fn rfc8785_test_data() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/external/rfc8785"
        );
        let names = [
            "weird",
            "structures",
            "french",
            "unicode",
            "rfc-3.2.3-sorting",
            "rfc-3.2.2-strings",
        ];
        for name in names {
            let input = std::fs::read_to_string(format!("{dir}/input/{name}.json")).unwrap();
            let expected = std::fs::read_to_string(format!("{dir}/output/{name}.json")).unwrap();
            assert_eq!(canon(&input), expected, "{name}");
        }
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16 order,
        // after it in code point (and UTF-8 byte) order.
        assert_eq!(
            canon("{\"\\ufb33\":1,\"\\ud83d\\ude00\":2}"),
            "{\"\u{1F600}\":2,\"\u{FB33}\":1}"
        );
    }

    #[test]
    fn control_characters_and_escapes() {
        assert_eq!(
            canon(r#"["\u0000\u001f\u007f\b\f\t\/\u2028"]"#),
            "[\"\\u0000\\u001f\u{7f}\\b\\f\\t/\u{2028}\"]"
        );
    }

    #[test]
    fn numbers_inside_and_outside_the_subset() {
        assert_eq!(
            canon("[0, -0, -0.0, 56.0, 9007199254740992, -9007199254740992, 1e2]"),
            "[0,0,0,56,9007199254740992,-9007199254740992,100]"
        );
        for bad in [
            "[1.5]",
            "[9007199254740993]",
            "[-9007199254740993]",
            "[1e300]",
            "[0.1]",
        ] {
            let v = parse_strict(bad).unwrap();
            assert!(
                matches!(canonicalize(&v), Err(CanonicalError::Number { .. })),
                "{bad}"
            );
        }
        let v = parse_strict(r#"{"a":[{"b":2.5}]}"#).unwrap();
        assert!(canonicalize(&v)
            .unwrap_err()
            .to_string()
            .contains("$.a[0].b"));
    }

    fn value_strategy() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1i64 << 53)..=(1i64 << 53)).prop_map(|i| Value::Number(i.into())),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// The canonical text parses back to the same value (every escape
        /// is right) and canonicalizing it again changes nothing.
        #[test]
        fn canonical_form_round_trips(v in value_strategy()) {
            let c = canonicalize(&v).unwrap();
            let back = parse_strict(&c).unwrap();
            proptest::prop_assert_eq!(&back, &v);
            proptest::prop_assert_eq!(canonicalize(&back).unwrap(), c);
        }
    }

    #[test]
    fn duplicate_names_are_refused() {
        let e = parse_strict(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate member name \"c\""), "{e}");
        assert!(parse_strict(r#"{"a":1,"a":1}"#).is_err());
        assert!(parse_strict(r#"["\ud800"]"#).is_err(), "lone surrogate");
    }
}
