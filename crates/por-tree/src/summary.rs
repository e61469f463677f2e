//! The tree summary an exchange publishes beside its proofs (what
//! `por tree build --json` prints and the demo writes as `root.json`):
//!
//! ```text
//! {"root":"<64 hex>","height":N,"customers":N,"totals":{"BTC":"<base units>",...}}
//! ```
//!
//! One writer ([`TreeSummary::to_json`]) and one reader
//! ([`TreeSummary::from_json`]) for every surface. The reader is strict:
//! unknown members are refused (a member por does not compare must not look
//! checked), a symbol given twice in `totals` is refused (a map would keep
//! the last one silently), `customers` may be left out (it is then not
//! compared). `docs/publication.md` describes the format.

use core::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::customer::Publication;
use crate::hash::NodeHash;
use crate::prelude::*;
use crate::tree::{LiabilitiesTree, RootCommitment};

/// A published tree summary: root hash, height, customer count and the
/// total liabilities per asset symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSummary {
    root: NodeHash,
    height: u32,
    customers: Option<u64>,
    totals: Vec<(String, Amount)>,
}

impl TreeSummary {
    /// The summary of `tree`, whose assets are `assets` (totals in their
    /// order).
    #[must_use]
    pub fn of(tree: &LiabilitiesTree, assets: &AssetList) -> TreeSummary {
        let customers = u64::try_from(tree.customers()).unwrap_or(u64::MAX);
        TreeSummary::of_root(&tree.root(), customers, assets)
    }

    /// The summary of a tree given by its root and customer count (a tree
    /// built in bounded memory, [`crate::bounded`], which is never held
    /// whole).
    #[must_use]
    pub fn of_root(root: &RootCommitment, customers: u64, assets: &AssetList) -> TreeSummary {
        TreeSummary {
            root: root.hash,
            height: root.height,
            customers: Some(customers),
            totals: assets
                .iter()
                .map(|a| a.symbol().to_owned())
                .zip(root.sums.iter().copied())
                .collect(),
        }
    }

    /// Parses a published summary.
    ///
    /// # Errors
    ///
    /// A [`SummaryError`] with the line, column and a message naming the
    /// member: not JSON, a missing member, an unknown member, a root that is
    /// not 64 hex digits, a total that is not a decimal string of base units,
    /// a symbol given twice, or no totals at all.
    pub fn from_json(text: &str) -> Result<TreeSummary, SummaryError> {
        let repr: Repr = serde_json::from_str(text).map_err(|e| SummaryError {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Ok(TreeSummary {
            root: repr.root,
            height: repr.height,
            customers: repr.customers,
            totals: repr.totals.0,
        })
    }

    /// The summary as compact JSON with a final newline, totals in asset
    /// order: the bytes `por tree build --json` prints.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string(self)
            .expect("a summary serializes: string keys, strings and numbers only");
        s.push('\n');
        s
    }

    /// The root hash.
    #[must_use]
    pub fn root(&self) -> NodeHash {
        self.root
    }

    /// The tree height.
    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The number of customers, when the summary states it.
    #[must_use]
    pub fn customers(&self) -> Option<u64> {
        self.customers
    }

    /// The total liabilities per asset symbol, in the summary's order.
    #[must_use]
    pub fn totals(&self) -> &[(String, Amount)] {
        &self.totals
    }

    /// What the customer's proof is compared with: every item the summary
    /// states (the asset list is not part of a summary).
    #[must_use]
    pub fn publication(&self) -> Publication {
        Publication {
            root: self.root,
            height: Some(self.height),
            totals: Some(self.totals.clone()),
            assets: None,
            customers: self.customers,
        }
    }
}

impl Serialize for TreeSummary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Totals<'a>(&'a [(String, Amount)]);
        impl Serialize for Totals<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (symbol, amount) in self.0 {
                    m.serialize_entry(symbol, &amount.to_string())?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("root", &self.root)?;
        m.serialize_entry("height", &self.height)?;
        if let Some(c) = self.customers {
            m.serialize_entry("customers", &c)?;
        }
        m.serialize_entry("totals", &Totals(&self.totals))?;
        m.end()
    }
}

/// The summary could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryError {
    /// Line in the text (1-based).
    pub line: usize,
    /// Column in the line (1-based).
    pub column: usize,
    /// The parser's description, naming the member.
    pub message: String,
}

impl fmt::Display for SummaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; expected the JSON printed by `por tree build --json` \
             ({{\"root\": \"<64 hex>\", \"height\": N, \"customers\": N, \"totals\": {{\"BTC\": \"<base units>\", ...}}}})",
            self.message
        )
    }
}

impl core::error::Error for SummaryError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repr {
    root: NodeHash,
    height: u32,
    #[serde(default)]
    customers: Option<u64>,
    totals: Totals,
}

/// `{"BTC": "<base units>", ...}` in document order.
struct Totals(Vec<(String, Amount)>);

impl<'de> Deserialize<'de> for Totals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Totals, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Totals;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping asset symbols to decimal strings of base units")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Totals, A::Error> {
                let mut out: Vec<(String, Amount)> = Vec::new();
                while let Some((symbol, units)) = map.next_entry::<String, String>()? {
                    if out.iter().any(|(s, _)| *s == symbol) {
                        return Err(de::Error::custom(format_args!(
                            "asset {symbol:?} appears twice in `totals`"
                        )));
                    }
                    let amount = Amount::from_base_units_str(&units)
                        .map_err(|e| de::Error::custom(format_args!("`totals.{symbol}`: {e}")))?;
                    out.push((symbol, amount));
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "`totals` is empty: expected one total per asset",
                    ));
                }
                Ok(Totals(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn round_trips_byte_for_byte() {
        let text = format!(
            "{{\"root\":\"{H}\",\"height\":3,\"customers\":5,\"totals\":{{\"ETH\":\"7\",\"BTC\":\"150000000\"}}}}\n"
        );
        let s = TreeSummary::from_json(&text).unwrap();
        assert_eq!(s.root().to_string(), H);
        assert_eq!(s.height(), 3);
        assert_eq!(s.customers(), Some(5));
        assert_eq!(
            s.totals(),
            [
                ("ETH".to_owned(), Amount::from_base_units(7)),
                ("BTC".to_owned(), Amount::from_base_units(150_000_000))
            ]
        );
        assert_eq!(s.to_json(), text);
        let p = s.publication();
        assert_eq!(p.customers, Some(5));
        assert_eq!(p.assets, None);
    }

    #[test]
    fn customers_may_be_left_out() {
        let s = TreeSummary::from_json(&format!(
            r#"{{"root": "{H}", "height": 0, "totals": {{"BTC": "1"}}}}"#
        ))
        .unwrap();
        assert_eq!(s.customers(), None);
        assert!(!s.to_json().contains("customers"));
    }

    #[test]
    fn refuses_what_it_would_not_compare() {
        let cases = [
            (
                format!(r#"{{"root": "{H}", "height": 1}}"#),
                "missing field `totals`",
            ),
            (
                r#"{"root": "xyz", "height": 1, "totals": {"BTC": "1"}}"#.to_owned(),
                "64 hex digits",
            ),
            (
                format!(r#"{{"root": "{H}", "height": -1, "totals": {{"BTC": "1"}}}}"#),
                "height",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{"BTC": "1.5"}}}}"#),
                "`totals.BTC`",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{}}}}"#),
                "`totals` is empty",
            ),
            (
                format!(r#"{{"root": "{H}", "height": 1, "totals": {{"BTC": "1", "BTC": "2"}}}}"#),
                "appears twice",
            ),
            (
                format!(
                    r#"{{"root": "{H}", "height": 1, "decimals": 8, "totals": {{"BTC": "1"}}}}"#
                ),
                "unknown field `decimals`",
            ),
            ("{\"root\": ".to_owned(), "EOF"),
        ];
        for (text, needle) in cases {
            let msg = TreeSummary::from_json(&text).unwrap_err().to_string();
            assert!(
                msg.contains(needle),
                "{text}: {msg} should contain {needle}"
            );
        }
    }
}
