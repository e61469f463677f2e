//! # por-types
//!
//! The words every `por` crate shares, defined once: [`Chain`], [`Tier`],
//! [`Category`], [`Outcome`], [`SchemeRequest`], [`BlockHash`], and [`address_key`] (what makes two
//! written addresses the same address). Each has one name in files
//! ([`Display`](core::fmt::Display) / [`FromStr`](core::str::FromStr) /
//! serde agree), declared once with [`named_enum!`], which other crates use
//! for their own closed sets of names.
//!
//! No I/O, no dependencies beyond serde (without its `std` and `alloc`
//! features), `no_std` + `alloc`: builds for wasm32, and for targets with no
//! standard library at all (`wasm32v1-none` in `scripts/test-all`); the page
//! may use it. Typed addresses (EVM, Bitcoin) are parsed by the crates that check
//! them (`por-ownership`); this crate only knows how a chain writes them well
//! enough to compare two.
//!
//! ```
//! use por_types::{Chain, Tier};
//! assert_eq!("btc".parse::<Chain>()?, Chain::Bitcoin);
//! assert_eq!(Chain::Bitcoin.to_string(), "bitcoin");
//! assert_eq!("third_party_custodian".parse::<Tier>()?, Tier::ThirdPartyCustodian);
//! assert!("lukewarm".parse::<Tier>().is_err());
//! # Ok::<_, por_types::UnknownName>(())
//! ```

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

/// Declares a closed set of names: the enum, `ALL` (every variant, in
/// declaration order), `as_str`, `Display`, `FromStr` (the names, and any
/// aliases given after `|`), and serde by the same names.
///
/// ```
/// por_types::named_enum! {
///     /// A colour.
///     pub enum Colour ("colour") {
///         /// Red.
///         Red => "red" | "r",
///         /// Blue.
///         Blue => "blue",
///     }
/// }
/// assert_eq!("r".parse::<Colour>().unwrap(), Colour::Red);
/// assert_eq!(Colour::ALL, [Colour::Red, Colour::Blue]);
/// assert_eq!("green".parse::<Colour>().unwrap_err().to_string(),
///            "unknown colour \"green\": expected red or blue");
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident ($what:literal) {
            $(
                $(#[$vmeta:meta])*
                $var:ident => $name:literal $(| $alias:literal)*
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $ty {
            $( $(#[$vmeta])* $var, )+
        }

        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$var),+];

            /// The name in files.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $ty::$var => $name, )+
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = $crate::UnknownName;
            fn from_str(s: &str) -> ::core::result::Result<$ty, $crate::UnknownName> {
                match s {
                    $( $name $(| $alias)* => Ok($ty::$var), )+
                    _ => Err($crate::UnknownName::new($what, s, &[$($name),+])),
                }
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<$ty, D::Error> {
                struct V;
                impl ::serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("one of ", $("`", $name, "` "),+))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> ::core::result::Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// A name that is not one of a closed set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    got: String,
    expected: &'static [&'static str],
}

impl UnknownName {
    #[doc(hidden)]
    #[must_use]
    pub fn new(what: &'static str, got: &str, expected: &'static [&'static str]) -> UnknownName {
        UnknownName {
            what,
            got: got.to_owned(),
            expected,
        }
    }

    /// What kind of name it was meant to be (`chain`, `tier`, ...).
    #[must_use]
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The text given.
    #[must_use]
    pub fn got(&self) -> &str {
        &self.got
    }

    /// The names accepted (aliases aside).
    #[must_use]
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}: expected ", self.what, self.got)?;
        match self.expected.split_last() {
            Some((last, [])) => f.write_str(last),
            Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
            None => f.write_str("nothing"),
        }
    }
}

impl core::error::Error for UnknownName {}

named_enum! {
    /// A chain por knows by name: for ownership proofs (every one), for
    /// reading balances (those `por-chain` has a source for) and in
    /// attestations. Aliases: the usual tickers. Exhaustive on purpose: a
    /// new chain makes every `match` on it in every crate a compile error
    /// until that crate says what the chain means to it.
    pub enum Chain ("chain") {
        /// Bitcoin.
        Bitcoin => "bitcoin" | "btc",
        /// Ethereum (and EVM chains served over Ethereum JSON-RPC).
        Ethereum => "ethereum" | "eth" | "evm",
        /// Litecoin.
        Litecoin => "litecoin" | "ltc",
        /// Dogecoin.
        Dogecoin => "dogecoin" | "doge",
        /// Dash.
        Dash => "dash",
        /// Bitcoin Cash (legacy addresses).
        BitcoinCash => "bitcoin-cash" | "bch" | "bchn",
        /// Bitcoin SV.
        BitcoinSv => "bitcoin-sv" | "bsv",
        /// TRON.
        Tron => "tron" | "trx",
    }
}

impl Chain {
    /// Decimal places of the chain's native asset in base units (8 for the
    /// Bitcoin family, 18 for Ether, 6 for TRX).
    #[must_use]
    pub fn native_decimals(self) -> u8 {
        match self {
            Chain::Ethereum => 18,
            Chain::Tron => 6,
            Chain::Bitcoin
            | Chain::Litecoin
            | Chain::Dogecoin
            | Chain::Dash
            | Chain::BitcoinCash
            | Chain::BitcoinSv => 8,
        }
    }

    /// Parses a chain by its name in files only (`bitcoin`, `ethereum`,
    /// ...), not by ticker: what attestations and registries write.
    ///
    /// # Errors
    ///
    /// [`UnknownName`] for anything but one of [`Chain::as_str`]'s names.
    pub fn from_canonical_name(s: &str) -> Result<Chain, UnknownName> {
        Chain::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownName::new("chain", s, &CHAIN_NAMES))
    }
}

const CHAIN_NAMES: [&str; 8] = [
    "bitcoin",
    "ethereum",
    "litecoin",
    "dogecoin",
    "dash",
    "bitcoin-cash",
    "bitcoin-sv",
    "tron",
];

named_enum! {
    /// How a reserve wallet's keys are kept.
    pub enum Tier ("tier") {
        /// Offline keys.
        Cold => "cold",
        /// Online with extra controls.
        Warm => "warm",
        /// Online, single-step signing.
        Hot => "hot",
        /// Multi-party computation signing.
        Mpc => "mpc",
        /// Held at a third-party custodian.
        ThirdPartyCustodian => "third_party_custodian",
    }
}

named_enum! {
    /// Whose funds a reserve wallet holds.
    pub enum Category ("category") {
        /// Segregated customer assets.
        Customer => "customer",
        /// The exchange's own assets.
        Corporate => "corporate",
        /// The exchange's performance-guarantee crypto (Japan, PSA Art.
        /// 63-11-2): own crypto held against customer crypto kept outside
        /// cold storage.
        Guarantee => "guarantee",
        /// Crypto earmarked for the liability reserve.
        LiabilityReserve => "liability_reserve",
    }
}

named_enum! {
    /// What a check concluded, everywhere in por: the audit's, an ownership
    /// verdict's, a claims file's and (as the exit code 0, 1 or 3) the
    /// command's. Incomplete is never a pass.
    pub enum Outcome ("outcome") {
        /// Everything was checked and holds.
        Pass => "pass",
        /// Something was checked and does not hold.
        Fail => "fail",
        /// Nothing failed, but something was not checked.
        Incomplete => "incomplete",
    }
}

/// The key under which two written addresses are the same address on
/// `chain` (`None`: a chain por does not know by name, compared by the same
/// prefixes): surrounding white space removed; EVM and TRON-hex addresses
/// (`0x…`) and bech32/bech32m addresses (`bc1…`, `tb1…`, `bcrt1…`, `ltc1…`)
/// lower-cased, since their case carries no meaning (EIP-55 is a checksum,
/// bech32 is case-insensitive); base58 addresses kept as written, since
/// their case does. It does not check that the address is valid.
#[must_use]
pub fn address_key(chain: Option<Chain>, address: &str) -> String {
    let a = address.trim();
    let lower = a.to_ascii_lowercase();
    let case_free = chain == Some(Chain::Ethereum)
        || lower.starts_with("0x")
        || ["bc1", "tb1", "bcrt1", "ltc1", "tltc1"]
            .iter()
            .any(|p| lower.starts_with(p));
    if case_free {
        lower
    } else {
        a.to_owned()
    }
}

named_enum! {
    /// Which ownership signature scheme a claim asks for (what an
    /// attestation's `proof.scheme` and a reserves file's `scheme` name):
    /// `auto` picks from the signature's shape. `por-ownership` verifies
    /// each; the attestation (which the page reads without the ownership
    /// code) stores the name typed, so the word lives here.
    #[non_exhaustive]
    #[derive(Default)]
    pub enum SchemeRequest ("scheme") {
        /// Pick from the signature's shape (Bitcoin: prefix / length; EVM:
        /// EIP-191, then OKX, then HTX, reporting which one verified).
        #[default]
        Auto => "auto",
        /// BIP-322 only.
        Bip322 => "bip322",
        /// Legacy signed message only.
        Legacy => "legacy",
        /// OKX Bitcoin multisig (two legacy signatures + redeem script).
        OkxMultisig => "okx-multisig",
        /// EIP-191 personal_sign only.
        Eip191 => "eip191",
        /// OKX EVM (personal_sign of keccak256(message)) only.
        OkxEvm => "okx-evm",
        /// HTX raw keccak256(message) only.
        HtxRawKeccak => "htx-raw-keccak",
        /// OKX's OKC framing only.
        OkxOkc => "okx-okc",
    }
}

/// A 32-byte block hash, kept in the byte order in which nodes display it
/// (Bitcoin Core's reversed hex, Ethereum's `0x…`). Equal hashes are equal
/// whatever case or `0x` prefix they were written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockHash([u8; 32]);

impl BlockHash {
    /// Creates a block hash from its displayed bytes.
    #[must_use]
    pub fn from_byte_array(bytes: [u8; 32]) -> Self {
        BlockHash(bytes)
    }

    /// Returns the displayed bytes.
    #[must_use]
    pub fn to_byte_array(self) -> [u8; 32] {
        self.0
    }

    /// Parses 64 hex digits, with or without a `0x` prefix, in either case.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseBlockHashError`] naming the text if it is not 64 hex digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use por_types::{BlockHash, Chain};
    /// let h = BlockHash::from_hex("0x00000000000000000000000000000000000000000000000000000000000000AB")?;
    /// assert_eq!(h.display_for(Chain::Bitcoin).to_string(), format!("{}ab", "0".repeat(62)));
    /// # Ok::<_, por_types::ParseBlockHashError>(())
    /// ```
    pub fn from_hex(s: &str) -> Result<Self, ParseBlockHashError> {
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s);
        let bad = || ParseBlockHashError(s.to_owned());
        let b = digits.as_bytes();
        if b.len() != 64 {
            return Err(bad());
        }
        let nibble = |c: u8| -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                b'A'..=b'F' => Some(c - b'A' + 10),
                _ => None,
            }
        };
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (
                pair.first().copied().and_then(nibble),
                pair.get(1).copied().and_then(nibble),
            ) else {
                return Err(bad());
            };
            *o = hi << 4 | lo;
        }
        Ok(BlockHash(out))
    }

    /// Returns a value displaying the hash as the chain's nodes do: 64 lower-case
    /// hex digits for Bitcoin, `0x` and 64 hex digits for Ethereum.
    #[must_use]
    pub fn display_for(self, chain: Chain) -> DisplayBlockHash {
        DisplayBlockHash {
            hash: self,
            prefix: chain == Chain::Ethereum,
        }
    }

    /// Returns a value displaying the hash as 64 lower-case hex digits, with
    /// a `0x` prefix when `prefix` is set.
    #[must_use]
    pub fn display_hex(self, prefix: bool) -> DisplayBlockHash {
        DisplayBlockHash { hash: self, prefix }
    }
}

/// Displays a [`BlockHash`] in a chain's convention; see [`BlockHash::display_for`].
#[derive(Debug, Clone, Copy)]
pub struct DisplayBlockHash {
    hash: BlockHash,
    prefix: bool,
}

impl fmt::Display for DisplayBlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix {
            f.write_str("0x")?;
        }
        for b in self.hash.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Text that is not a 32-byte block hash in hex.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseBlockHashError(String);

impl fmt::Display for ParseBlockHashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid block hash {:?}: expected 64 hex digits, optionally prefixed by 0x",
            self.0
        )
    }
}

impl core::error::Error for ParseBlockHashError {}

#[cfg(test)]
mod tests {
    use std::prelude::rust_2021::*;

    use super::*;

    #[test]
    fn names_round_trip_and_refuse_the_rest() {
        for c in Chain::ALL {
            assert_eq!(c.as_str().parse::<Chain>().unwrap(), c);
            assert_eq!(Chain::from_canonical_name(c.as_str()).unwrap(), c);
        }
        assert_eq!(CHAIN_NAMES, Chain::ALL.map(Chain::as_str));
        assert_eq!("BTC".parse::<Chain>().unwrap_err().got(), "BTC");
        assert!(Chain::from_canonical_name("btc").is_err());
        for t in Tier::ALL {
            assert_eq!(t.to_string().parse::<Tier>().unwrap(), t);
        }
        assert_eq!(
            "solana".parse::<Chain>().unwrap_err().to_string(),
            "unknown chain \"solana\": expected bitcoin, ethereum, litecoin, dogecoin, dash, \
             bitcoin-cash, bitcoin-sv or tron"
        );
    }

    #[test]
    fn serde_uses_the_same_names() {
        assert_eq!(
            serde_json::to_string(&Category::LiabilityReserve).unwrap(),
            "\"liability_reserve\""
        );
        assert_eq!(serde_json::from_str::<Tier>("\"mpc\"").unwrap(), Tier::Mpc);
        let e = serde_json::from_str::<Tier>("\"Cold\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown tier \"Cold\""), "{e}");
    }

    #[test]
    fn address_keys() {
        let evm = "0x52908400098527886E0F7030069857D2E4169EE7";
        assert_eq!(
            address_key(Some(Chain::Ethereum), evm),
            evm.to_ascii_lowercase()
        );
        assert_eq!(
            address_key(
                Some(Chain::Bitcoin),
                " BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ "
            ),
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
        );
        // Base58: case is part of the address.
        let p2pkh = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2";
        assert_eq!(address_key(Some(Chain::Bitcoin), p2pkh), p2pkh);
        // A chain por does not know: the same prefixes decide.
        assert_eq!(address_key(None, evm), evm.to_ascii_lowercase());
        assert_ne!(
            address_key(Some(Chain::Bitcoin), p2pkh),
            address_key(Some(Chain::Bitcoin), &p2pkh.to_ascii_lowercase())
        );
    }

    #[test]
    fn block_hashes() {
        let h = BlockHash::from_hex(&format!("0x{}", "Ab".repeat(32))).unwrap();
        assert_eq!(h, BlockHash::from_byte_array([0xab; 32]));
        assert_eq!(h.display_for(Chain::Bitcoin).to_string(), "ab".repeat(32));
        assert_eq!(
            h.display_for(Chain::Ethereum).to_string(),
            format!("0x{}", "ab".repeat(32))
        );
        for bad in ["", "0x", &"a".repeat(63), &"g".repeat(64), &"é".repeat(32)] {
            assert!(BlockHash::from_hex(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            "okx-multisig".parse::<SchemeRequest>().unwrap(),
            SchemeRequest::OkxMultisig
        );
        assert!("Auto".parse::<SchemeRequest>().is_err());
    }
}
