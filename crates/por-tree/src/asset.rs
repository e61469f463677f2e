//! Assets: a symbol and a number of decimals, and the ordered list a tree covers.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::amount::MAX_DECIMALS;
use crate::prelude::*;

/// The most assets one tree may cover.
pub const MAX_ASSETS: usize = 256;

/// One asset: its ticker symbol and how many decimals its base unit has
/// (8 for BTC in satoshi, 18 for ETH in wei).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "AssetRepr", into = "AssetRepr")]
pub struct Asset {
    symbol: String,
    decimals: u8,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetRepr {
    symbol: String,
    decimals: u8,
}

impl TryFrom<AssetRepr> for Asset {
    type Error = AssetError;
    fn try_from(r: AssetRepr) -> Result<Self, AssetError> {
        Asset::new(&r.symbol, r.decimals)
    }
}

impl From<Asset> for AssetRepr {
    fn from(a: Asset) -> Self {
        AssetRepr {
            symbol: a.symbol,
            decimals: a.decimals,
        }
    }
}

impl Asset {
    /// Creates an asset.
    ///
    /// A symbol is 1 to 32 ASCII letters, digits, `.`, `-` or `_`; symbols are
    /// case-sensitive ("USDT" and "usdt" are different assets).
    ///
    /// # Errors
    ///
    /// Returns an [`AssetError`] for an invalid symbol or more than
    /// [`MAX_DECIMALS`] decimals.
    pub fn new(symbol: &str, decimals: u8) -> Result<Asset, AssetError> {
        let valid = !symbol.is_empty()
            && symbol.len() <= 32
            && symbol
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !valid {
            return Err(AssetError::InvalidSymbol(symbol.to_owned()));
        }
        if decimals > MAX_DECIMALS {
            return Err(AssetError::TooManyDecimals {
                symbol: symbol.to_owned(),
                decimals,
            });
        }
        Ok(Asset {
            symbol: symbol.to_owned(),
            decimals,
        })
    }

    /// Returns the ticker symbol.
    #[must_use]
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Returns the number of decimals of the base unit.
    #[must_use]
    pub fn decimals(&self) -> u8 {
        self.decimals
    }
}

/// The ordered, non-empty list of assets a tree covers. Every node carries
/// one sum per asset, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Asset>", into = "Vec<Asset>")]
pub struct AssetList(Vec<Asset>);

impl AssetList {
    /// Creates a list from assets in order.
    ///
    /// # Errors
    ///
    /// Returns an [`AssetError`] if the list is empty, longer than
    /// [`MAX_ASSETS`], or names a symbol twice.
    pub fn new(assets: Vec<Asset>) -> Result<AssetList, AssetError> {
        if assets.is_empty() {
            return Err(AssetError::Empty);
        }
        if assets.len() > MAX_ASSETS {
            return Err(AssetError::TooMany(assets.len()));
        }
        for (i, a) in assets.iter().enumerate() {
            if assets[..i].iter().any(|b| b.symbol == a.symbol) {
                return Err(AssetError::Duplicate(a.symbol.clone()));
            }
        }
        Ok(AssetList(assets))
    }

    /// Parses a spec such as `BTC:8,ETH:18`.
    ///
    /// # Errors
    ///
    /// Returns an [`AssetError`] naming the item that is not `SYMBOL:DECIMALS`,
    /// or any error of [`AssetList::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let assets = por_tree::AssetList::from_spec("BTC:8,ETH:18")?;
    /// assert_eq!(assets.len(), 2);
    /// assert_eq!(assets.get(1).map(|a| a.decimals()), Some(18));
    /// # Ok::<_, por_tree::AssetError>(())
    /// ```
    pub fn from_spec(spec: &str) -> Result<AssetList, AssetError> {
        let mut assets = Vec::new();
        for item in spec.split(',') {
            let item = item.trim();
            let (sym, dec) = item
                .split_once(':')
                .ok_or_else(|| AssetError::BadSpecItem(item.to_owned()))?;
            let dec: u8 = dec
                .trim()
                .parse()
                .map_err(|_| AssetError::BadSpecItem(item.to_owned()))?;
            assets.push(Asset::new(sym.trim(), dec)?);
        }
        AssetList::new(assets)
    }

    /// Returns the number of assets (`k`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a list has at least one asset.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns the asset at `index`.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&Asset> {
        self.0.get(index)
    }

    /// Returns the position of the asset with this symbol.
    #[must_use]
    pub fn position(&self, symbol: &str) -> Option<usize> {
        self.0.iter().position(|a| a.symbol == symbol)
    }

    /// Iterates over the assets in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Asset> {
        self.0.iter()
    }

    /// Returns the assets as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[Asset] {
        &self.0
    }
}

impl TryFrom<Vec<Asset>> for AssetList {
    type Error = AssetError;
    fn try_from(v: Vec<Asset>) -> Result<Self, AssetError> {
        AssetList::new(v)
    }
}

impl From<AssetList> for Vec<Asset> {
    fn from(l: AssetList) -> Self {
        l.0
    }
}

impl<'a> IntoIterator for &'a AssetList {
    type Item = &'a Asset;
    type IntoIter = core::slice::Iter<'a, Asset>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// An invalid asset or asset list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssetError {
    /// A symbol that is empty, too long, or has a character other than ASCII
    /// letters, digits, `.`, `-`, `_`.
    InvalidSymbol(String),
    /// More decimals than an amount can carry.
    TooManyDecimals {
        /// The asset.
        symbol: String,
        /// The declared decimals.
        decimals: u8,
    },
    /// No assets at all.
    Empty,
    /// More than [`MAX_ASSETS`] assets.
    TooMany(usize),
    /// A symbol listed twice.
    Duplicate(String),
    /// An item of an `--assets` spec that is not `SYMBOL:DECIMALS`.
    BadSpecItem(String),
}

impl fmt::Display for AssetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetError::InvalidSymbol(s) => write!(
                f,
                "invalid asset symbol {s:?}: expected 1 to 32 ASCII letters, digits, '.', '-' or '_'"
            ),
            AssetError::TooManyDecimals { symbol, decimals } => write!(
                f,
                "asset {symbol} has {decimals} decimals; at most {MAX_DECIMALS} are supported"
            ),
            AssetError::Empty => write!(f, "no assets given: a tree covers at least one asset"),
            AssetError::TooMany(n) => {
                write!(f, "{n} assets given; a tree covers at most {MAX_ASSETS}")
            }
            AssetError::Duplicate(s) => write!(f, "asset {s} is listed twice"),
            AssetError::BadSpecItem(s) => write!(
                f,
                "invalid asset spec item {s:?}: expected SYMBOL:DECIMALS, for example BTC:8"
            ),
        }
    }
}

impl core::error::Error for AssetError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parsing() {
        let l = AssetList::from_spec("BTC:8, ETH:18,USDT:6").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l.position("USDT"), Some(2));
        assert_eq!(
            AssetList::from_spec("BTC:8,BTC:8"),
            Err(AssetError::Duplicate("BTC".into()))
        );
        assert!(matches!(
            AssetList::from_spec("BTC"),
            Err(AssetError::BadSpecItem(_))
        ));
        assert!(matches!(
            AssetList::from_spec("BTC:-1"),
            Err(AssetError::BadSpecItem(_))
        ));
        assert!(matches!(
            AssetList::from_spec("B TC:8"),
            Err(AssetError::InvalidSymbol(_))
        ));
        assert!(matches!(
            AssetList::from_spec("BTC:39"),
            Err(AssetError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn json_roundtrip_validates() {
        let l = AssetList::from_spec("BTC:8,ETH:18").unwrap();
        let j = serde_json::to_string(&l).unwrap();
        assert_eq!(
            j,
            r#"[{"symbol":"BTC","decimals":8},{"symbol":"ETH","decimals":18}]"#
        );
        assert_eq!(serde_json::from_str::<AssetList>(&j).unwrap(), l);
        assert!(serde_json::from_str::<AssetList>("[]").is_err());
        assert!(serde_json::from_str::<AssetList>(r#"[{"symbol":"","decimals":8}]"#).is_err());
    }
}
