//! The auditor's asset registry: which on-chain asset a symbol means.
//!
//! An asset's on-chain identity is (chain, network, native coin or token
//! contract, decimals). An exchange's attestation writes a symbol and, for a
//! token, a contract; nothing stops it from pointing `USDC` at a contract it
//! controls. So the identity is decided on the auditor's side: a built-in
//! list of well-known tokens (`registry/assets.toml`, each entry with the
//! issuer's page as its source), extended or overridden by the auditor's own
//! file (`--asset-registry FILE`, same format). [`AssetRegistry::resolve`]
//! says, for one attested asset, what por will read on chain, or why it will
//! read nothing.
//!
//! The chains por can read balances of (and so confirm anything on) are
//! [`NATIVE_CHAINS`]: `bitcoin` and `ethereum`, their main networks.
//!
//! ```
//! use por_audit::registry::{AssetRegistry, Resolution};
//! let registry = AssetRegistry::builtin();
//! // The exchange names another contract for USDC: refused.
//! let r = registry.resolve("ethereum", "USDC", 6, Some("0x1111111111111111111111111111111111111111"));
//! assert!(matches!(r, Resolution::Refused(_)));
//! // USDC at Circle's contract: confirmed.
//! let r = registry.resolve("ethereum", "USDC", 6, Some("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"));
//! assert!(matches!(r, Resolution::Confirmed(_)));
//! ```

use core::fmt;

use serde::Deserialize;

use por_ownership::{AssetId, EvmAddress};
use por_types::Chain;

/// The built-in registry's text (`registry/assets.toml`).
pub const BUILTIN_TEXT: &str = include_str!("../../../registry/assets.toml");

/// The registry files' format name.
pub const FORMAT: &str = "por-asset-registry-v1";

/// A chain por can read balances of: its name in attestations, its network,
/// its native coin's usual symbol and decimals, and whether it has token
/// contracts. `por-chain`'s `Chain` serves exactly these (a test there
/// keeps the two lists equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeChain {
    /// The chain (its name in attestations: `bitcoin`).
    pub chain: Chain,
    /// The network it means (`mainnet`).
    pub network: &'static str,
    /// The native coin's usual symbol (any symbol may name it).
    pub symbol: &'static str,
    /// The native coin's decimals (8 for BTC, 18 for ETH).
    pub decimals: u8,
    /// Whether tokens (ERC-20 contracts) live on it.
    pub tokens: bool,
}

/// The chains por has a balance source for.
pub const NATIVE_CHAINS: [NativeChain; 2] = [
    NativeChain {
        chain: Chain::Bitcoin,
        network: "mainnet",
        symbol: "BTC",
        decimals: 8,
        tokens: false,
    },
    NativeChain {
        chain: Chain::Ethereum,
        network: "mainnet",
        symbol: "ETH",
        decimals: 18,
        tokens: true,
    },
];

/// The chain por reads balances of, if it is one.
#[must_use]
pub fn native_chain_of(chain: Chain) -> Option<&'static NativeChain> {
    NATIVE_CHAINS.iter().find(|c| c.chain == chain)
}

/// The chain por reads balances of under this name, if any.
#[must_use]
pub fn native_chain(chain: &str) -> Option<&'static NativeChain> {
    NATIVE_CHAINS.iter().find(|c| c.chain.as_str() == chain)
}

/// How sure the registry is that an entry is the symbol's only contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// The issuer's contract, and the symbol's only one on this chain and
    /// network: another contract for the symbol fails.
    Confirmed,
    /// The issuer's contract, but the symbol has other deployments not
    /// listed: another contract for the symbol is not checked.
    Incomplete,
}

impl EntryStatus {
    /// `confirmed` or `incomplete`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Confirmed => "confirmed",
            EntryStatus::Incomplete => "incomplete",
        }
    }
}

/// One registered token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    /// The symbol it is registered under.
    pub symbol: String,
    /// The token: its chain (`ethereum`) and contract (always a token, never
    /// a native coin).
    pub asset: AssetId,
    /// The network (`mainnet`).
    pub network: String,
    /// Its decimals.
    pub decimals: u8,
    /// Where the contract and decimals are documented.
    pub source: String,
    /// Whether it is the symbol's only contract.
    pub status: EntryStatus,
    /// Which registry it comes from (`built-in` or the file's name).
    pub origin: String,
}

impl TokenEntry {
    /// The contract as reports write it: `0x` and 40 lower-case hex digits.
    #[must_use]
    pub fn contract_hex(&self) -> String {
        self.asset.contract_or_native()
    }
}

/// The on-chain identity por confirmed for an attested asset: what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The chain and the native coin or contract.
    pub asset: AssetId,
    /// The network.
    pub network: String,
    /// The decimals.
    pub decimals: u8,
    /// Why por takes it as this asset: the registry entry's source and
    /// origin, or the chain's native coin.
    pub source: String,
}

impl Identity {
    /// The chain.
    #[must_use]
    pub fn chain(&self) -> Chain {
        self.asset.chain()
    }

    /// The contract in lower-case hex, or `native`.
    #[must_use]
    pub fn contract_or_native(&self) -> String {
        self.asset.contract_or_native()
    }
}

/// What por makes of one attested asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolution {
    /// Confirmed: por reads this identity.
    Confirmed(Identity),
    /// Not checked: por has no balance source for the chain.
    NoBalanceSource {
        /// The chain.
        chain: String,
    },
    /// Not checked: a token the registry does not know (by symbol or by
    /// contract); nothing is read on an exchange-chosen contract.
    Unregistered {
        /// The attested contract (lower case if it parsed).
        contract: String,
    },
    /// Not checked: the symbol is registered with status `incomplete` (it
    /// has other generations) and the attestation names another contract.
    OtherGeneration {
        /// The attested contract.
        contract: String,
        /// The registered one(s).
        registered: Vec<String>,
    },
    /// Failed: the attested asset contradicts the registry or the chain.
    Refused(IdentityError),
}

/// Why an attested asset's identity is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// A registered symbol with another contract.
    ContractMismatch {
        /// The symbol.
        symbol: String,
        /// The chain.
        chain: String,
        /// The attested contract.
        attested: String,
        /// The registered contract.
        registered: String,
        /// The registered entry's source.
        source: String,
    },
    /// A registered contract with other decimals.
    DecimalsMismatch {
        /// The symbol.
        symbol: String,
        /// The contract.
        contract: String,
        /// The attested decimals.
        attested: u8,
        /// The registered decimals.
        registered: u8,
    },
    /// A registered token symbol written as the chain's native coin.
    MissingContract {
        /// The symbol.
        symbol: String,
        /// The chain.
        chain: String,
        /// The registered contract.
        registered: String,
    },
    /// The native coin with other decimals than the chain's: reading the
    /// native balance would count e.g. wei as token base units.
    NativeDecimals {
        /// The symbol.
        symbol: String,
        /// The chain.
        chain: String,
        /// The attested decimals.
        attested: u8,
        /// The chain's native decimals.
        native: u8,
    },
    /// A token contract on a chain that has none (Bitcoin).
    NoTokens {
        /// The symbol.
        symbol: String,
        /// The chain.
        chain: String,
        /// The attested contract.
        contract: String,
    },
    /// A contract that is not `0x` and 40 hex digits (or a bad EIP-55 checksum).
    BadContract {
        /// The symbol.
        symbol: String,
        /// The attested contract.
        contract: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityError::ContractMismatch {
                symbol,
                chain,
                attested,
                registered,
                source,
            } => write!(
                f,
                "{symbol} on {chain} is the token {registered} (source: {source}), but the attestation names contract {attested}"
            ),
            IdentityError::DecimalsMismatch {
                symbol,
                contract,
                attested,
                registered,
            } => write!(
                f,
                "{symbol} ({contract}) has {registered} decimals in the registry, but the attestation says {attested}"
            ),
            IdentityError::MissingContract {
                symbol,
                chain,
                registered,
            } => write!(
                f,
                "{symbol} on {chain} is the token {registered}, but the attestation names no contract (the chain's native coin): its native balance would be counted as {symbol}"
            ),
            IdentityError::NativeDecimals {
                symbol,
                chain,
                attested,
                native,
            } => write!(
                f,
                "{symbol} names no contract, so it would be read as {chain}'s native coin, which has {native} decimals, not {attested}: refusing a native query for a token (give its contract)"
            ),
            IdentityError::NoTokens {
                symbol,
                chain,
                contract,
            } => write!(
                f,
                "{symbol} names contract {contract}, but {chain} has no token contracts"
            ),
            IdentityError::BadContract {
                symbol,
                contract,
                reason,
            } => write!(f, "{symbol} contract {contract:?}: {reason}"),
        }
    }
}

impl std::error::Error for IdentityError {}

/// A registry file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistryError {
    file: String,
    field: String,
    message: String,
}

impl RegistryError {
    fn new(file: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        RegistryError {
            file: file.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// The file's name.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The field (`token[2].decimals`), empty for the whole file.
    #[must_use]
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: field `{}`: {}", self.file, self.field, self.message)
        }
    }
}

impl std::error::Error for RegistryError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    format: String,
    #[serde(default)]
    token: Vec<TokenRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRepr {
    symbol: String,
    chain: String,
    network: String,
    contract: String,
    decimals: u8,
    source: String,
    status: EntryStatus,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for the reader of the file")]
    issuer: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for the reader of the file")]
    note: Option<String>,
}

/// The registry: token entries by (chain, network, symbol).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetRegistry {
    tokens: Vec<TokenEntry>,
}

fn parse_contract(c: &str) -> Result<EvmAddress, String> {
    EvmAddress::parse(c.trim()).map_err(|e| e.to_string())
}

impl AssetRegistry {
    /// The built-in registry (`registry/assets.toml`).
    ///
    /// # Panics
    /// Never: the built-in file is parsed by a unit test.
    #[must_use]
    pub fn builtin() -> Self {
        #[allow(clippy::expect_used, reason = "the shipped file is tested")]
        AssetRegistry::from_toml(BUILTIN_TEXT, "built-in").expect("the built-in registry parses")
    }

    /// Parses a registry file (TOML, `format = "por-asset-registry-v1"`,
    /// `[[token]]` tables). `name` names it in errors and in each entry's
    /// origin.
    ///
    /// # Errors
    /// [`RegistryError`] naming the field: bad TOML, an unknown or missing
    /// field, another format, an unknown chain or a chain without tokens,
    /// another network than the chain's, an invalid contract, symbol or
    /// decimals, an empty source, or a symbol or contract listed twice.
    pub fn from_toml(text: &str, name: &str) -> Result<Self, RegistryError> {
        let de = toml::Deserializer::new(text);
        let repr: FileRepr = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            RegistryError::new(name, field, e.into_inner().message().trim().to_owned())
        })?;
        if repr.format != FORMAT {
            return Err(RegistryError::new(
                name,
                "format",
                format!("expected {FORMAT:?}, got {:?}", repr.format),
            ));
        }
        let mut tokens: Vec<TokenEntry> = Vec::new();
        for (i, t) in repr.token.into_iter().enumerate() {
            let at = |f: &str| format!("token[{i}].{f}");
            let Some(native) = native_chain(&t.chain) else {
                return Err(RegistryError::new(
                    name,
                    at("chain"),
                    format!(
                        "{:?}: por reads tokens only on {}",
                        t.chain,
                        NATIVE_CHAINS
                            .iter()
                            .filter(|c| c.tokens)
                            .map(|c| c.chain.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if !native.tokens {
                return Err(RegistryError::new(
                    name,
                    at("chain"),
                    format!("{} has no token contracts", t.chain),
                ));
            }
            if t.network != native.network {
                return Err(RegistryError::new(
                    name,
                    at("network"),
                    format!(
                        "{:?}: attestations name chains, not networks, and {} means {} {}",
                        t.network, t.chain, t.chain, native.network
                    ),
                ));
            }
            por_tree::Asset::new(&t.symbol, t.decimals).map_err(|e| {
                let f = if por_tree::Asset::new(&t.symbol, 0).is_err() {
                    "symbol"
                } else {
                    "decimals"
                };
                RegistryError::new(name, at(f), e.to_string())
            })?;
            let asset = AssetId::token(
                native.chain,
                parse_contract(&t.contract)
                    .map_err(|e| RegistryError::new(name, at("contract"), e))?,
            );
            let contract = asset.contract_or_native();
            if t.source.trim().is_empty() {
                return Err(RegistryError::new(
                    name,
                    at("source"),
                    "expected where the contract and decimals are documented (the issuer's page)",
                ));
            }
            if let Some(j) = tokens.iter().position(|o| {
                o.asset.chain() == asset.chain() && (o.symbol == t.symbol || o.asset == asset)
            }) {
                return Err(RegistryError::new(
                    name,
                    at("symbol"),
                    format!(
                        "{} / {contract} on {} is already registered as token[{j}]",
                        t.symbol, t.chain
                    ),
                ));
            }
            tokens.push(TokenEntry {
                symbol: t.symbol,
                asset,
                network: t.network,
                decimals: t.decimals,
                source: t.source,
                status: t.status,
                origin: name.to_owned(),
            });
        }
        Ok(AssetRegistry { tokens })
    }

    /// The registry with `other`'s entries added; an entry of `other`
    /// replaces every entry of this one with its (chain, symbol) or its
    /// (chain, contract).
    #[must_use]
    pub fn extended_with(mut self, other: AssetRegistry) -> Self {
        for t in other.tokens {
            self.tokens.retain(|o| {
                !(o.asset.chain() == t.asset.chain()
                    && (o.symbol == t.symbol || o.asset == t.asset))
            });
            self.tokens.push(t);
        }
        self
    }

    /// Every token entry.
    #[must_use]
    pub fn tokens(&self) -> &[TokenEntry] {
        &self.tokens
    }

    /// What por makes of an attested asset: its chain, symbol, decimals and
    /// contract (`None`: the chain's native coin).
    #[must_use]
    pub fn resolve(
        &self,
        chain: &str,
        symbol: &str,
        decimals: u8,
        contract: Option<&str>,
    ) -> Resolution {
        let Some(native) = native_chain(chain) else {
            return Resolution::NoBalanceSource {
                chain: chain.to_owned(),
            };
        };
        let by_symbol: Vec<&TokenEntry> = self
            .tokens
            .iter()
            .filter(|t| t.asset.chain() == native.chain && t.symbol == symbol)
            .collect();
        let Some(contract) = contract else {
            if let Some(t) = by_symbol.first() {
                return Resolution::Refused(IdentityError::MissingContract {
                    symbol: symbol.to_owned(),
                    chain: chain.to_owned(),
                    registered: t.contract_hex(),
                });
            }
            if decimals != native.decimals {
                return Resolution::Refused(IdentityError::NativeDecimals {
                    symbol: symbol.to_owned(),
                    chain: chain.to_owned(),
                    attested: decimals,
                    native: native.decimals,
                });
            }
            return Resolution::Confirmed(Identity {
                asset: AssetId::native(native.chain),
                network: native.network.to_owned(),
                decimals,
                source: format!("{chain}'s native coin ({} decimals)", native.decimals),
            });
        };
        if !native.tokens {
            return Resolution::Refused(IdentityError::NoTokens {
                symbol: symbol.to_owned(),
                chain: chain.to_owned(),
                contract: contract.to_owned(),
            });
        }
        let (address, attested) = match parse_contract(contract) {
            Ok(c) => (c, c.to_lower_hex()),
            Err(reason) => {
                return Resolution::Refused(IdentityError::BadContract {
                    symbol: symbol.to_owned(),
                    contract: contract.to_owned(),
                    reason,
                })
            }
        };
        let id = AssetId::token(native.chain, address);
        let by_contract = self.tokens.iter().find(|t| t.asset == id);
        if let Some(t) = by_contract {
            if t.decimals != decimals {
                return Resolution::Refused(IdentityError::DecimalsMismatch {
                    symbol: symbol.to_owned(),
                    contract: attested,
                    attested: decimals,
                    registered: t.decimals,
                });
            }
            // The contract decides; a registered symbol under another
            // contract is still a contradiction.
            if let Some(other) = by_symbol.iter().find(|o| o.asset != id) {
                if other.status == EntryStatus::Confirmed {
                    return Resolution::Refused(IdentityError::ContractMismatch {
                        symbol: symbol.to_owned(),
                        chain: chain.to_owned(),
                        attested,
                        registered: other.contract_hex(),
                        source: other.source.clone(),
                    });
                }
            }
            let named = if t.symbol == symbol {
                String::new()
            } else {
                format!(", registered as {}", t.symbol)
            };
            return Resolution::Confirmed(Identity {
                asset: id,
                network: t.network.clone(),
                decimals,
                source: format!("{} registry{named}: {}", t.origin, t.source),
            });
        }
        match by_symbol.first() {
            None => Resolution::Unregistered { contract: attested },
            Some(_)
                if by_symbol
                    .iter()
                    .all(|t| t.status == EntryStatus::Incomplete) =>
            {
                Resolution::OtherGeneration {
                    contract: attested,
                    registered: by_symbol.iter().map(|t| t.contract_hex()).collect(),
                }
            }
            Some(t) => Resolution::Refused(IdentityError::ContractMismatch {
                symbol: symbol.to_owned(),
                chain: chain.to_owned(),
                attested,
                registered: t.contract_hex(),
                source: t.source.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USDC: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
    const OTHER: &str = "0x1111111111111111111111111111111111111111";

    #[test]
    fn builtin_parses_with_the_required_tokens() {
        let r = AssetRegistry::builtin();
        for s in ["USDT", "USDC", "DAI", "WBTC", "JPYC"] {
            assert!(
                r.tokens().iter().any(|t| t.symbol == s
                    && t.asset.chain() == Chain::Ethereum
                    && !t.source.is_empty()),
                "{s}"
            );
        }
        let usdc = r.tokens().iter().find(|t| t.symbol == "USDC").unwrap();
        assert_eq!((usdc.contract_hex().as_str(), usdc.decimals), (USDC, 6));
    }

    #[test]
    fn resolution_decides_identity_on_the_auditors_side() {
        let r = AssetRegistry::builtin();
        assert!(matches!(
            r.resolve("ethereum", "USDC", 6, Some(USDC)),
            Resolution::Confirmed(id) if id.asset.contract().is_some()
        ));
        // Mixed case must be EIP-55.
        assert!(matches!(
            r.resolve(
                "ethereum",
                "USDC",
                6,
                Some("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
            ),
            Resolution::Confirmed(_)
        ));
        assert!(matches!(
            r.resolve("ethereum", "USDC", 6, Some(OTHER)),
            Resolution::Refused(IdentityError::ContractMismatch { .. })
        ));
        assert!(matches!(
            r.resolve("ethereum", "USDC", 18, Some(USDC)),
            Resolution::Refused(IdentityError::DecimalsMismatch { .. })
        ));
        assert!(matches!(
            r.resolve("ethereum", "USDC", 6, None),
            Resolution::Refused(IdentityError::MissingContract { .. })
        ));
        assert!(matches!(
            r.resolve("ethereum", "FOO", 6, None),
            Resolution::Refused(IdentityError::NativeDecimals { native: 18, .. })
        ));
        assert!(matches!(
            r.resolve("ethereum", "ETHER", 18, None),
            Resolution::Confirmed(id) if id.asset == AssetId::native(Chain::Ethereum)
        ));
        assert!(matches!(
            r.resolve("ethereum", "FOO", 6, Some(OTHER)),
            Resolution::Unregistered { .. }
        ));
        assert!(matches!(
            r.resolve("ethereum", "JPYC", 18, Some(OTHER)),
            Resolution::OtherGeneration { .. }
        ));
        assert!(matches!(
            r.resolve("bitcoin", "BTC", 8, Some(OTHER)),
            Resolution::Refused(IdentityError::NoTokens { .. })
        ));
        assert!(matches!(
            r.resolve(
                "tron",
                "USDT",
                6,
                Some("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
            ),
            Resolution::NoBalanceSource { .. }
        ));
        // A registered contract under another symbol is that token.
        assert!(matches!(
            r.resolve("ethereum", "USDCOIN", 6, Some(USDC)),
            Resolution::Confirmed(_)
        ));
    }

    #[test]
    fn a_file_extends_and_overrides() {
        let file = format!(
            "format = \"{FORMAT}\"\n[[token]]\nsymbol = \"USDC\"\nchain = \"ethereum\"\nnetwork = \"mainnet\"\ncontract = \"{OTHER}\"\ndecimals = 6\nsource = \"test\"\nstatus = \"confirmed\"\n"
        );
        let mine = AssetRegistry::from_toml(&file, "mine.toml").unwrap();
        let r = AssetRegistry::builtin().extended_with(mine);
        match r.resolve("ethereum", "USDC", 6, Some(OTHER)) {
            Resolution::Confirmed(i) => assert!(i.source.contains("mine.toml"), "{}", i.source),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            r.resolve("ethereum", "USDC", 6, Some(USDC)),
            Resolution::Unregistered { .. } | Resolution::Refused(_)
        ));
    }

    #[test]
    fn bad_files_name_the_field() {
        let good = format!(
            "format = \"{FORMAT}\"\n[[token]]\nsymbol = \"X\"\nchain = \"ethereum\"\nnetwork = \"mainnet\"\ncontract = \"{OTHER}\"\ndecimals = 6\nsource = \"s\"\nstatus = \"confirmed\"\n"
        );
        assert!(AssetRegistry::from_toml(&good, "f").is_ok());
        let field = |text: String| {
            AssetRegistry::from_toml(&text, "f")
                .unwrap_err()
                .field()
                .to_owned()
        };
        assert_eq!(
            field(good.replace("decimals = 6", "decimals = \"six\"")),
            "token[0].decimals"
        );
        assert_eq!(
            field(good.replace("decimals = 6", "decimals = 300")),
            "token[0].decimals"
        );
        assert_eq!(
            field(good.replace("decimals = 6", "decimals = 39")),
            "token[0].decimals"
        );
        assert_eq!(field(good.replace(OTHER, "0x12")), "token[0].contract");
        assert_eq!(
            field(good.replace("mainnet", "sepolia")),
            "token[0].network"
        );
        assert_eq!(
            field(good.replace("\"ethereum\"", "\"bitcoin\"")),
            "token[0].chain"
        );
        assert_eq!(
            field(good.replace("\"ethereum\"", "\"tron\"")),
            "token[0].chain"
        );
        assert_eq!(
            field(good.replace("\"confirmed\"", "\"sure\"")),
            "token[0].status"
        );
        assert_eq!(
            field(good.replace("source = \"s\"", "source = \" \"")),
            "token[0].source"
        );
        assert_eq!(field(good.replace("source = \"s\"\n", "")), "token[0]");
        assert_eq!(
            field(good.replace("source = \"s\"", "sauce = \"s\"")),
            "token[0].sauce"
        );
        assert_eq!(field(good.replace("v1", "v2")), "format");
        assert_eq!(
            field(format!(
                "{good}{}",
                &good[good.find("[[token]]").unwrap()..]
            )),
            "token[1].symbol"
        );
        let e = AssetRegistry::from_toml("format = ", "f").unwrap_err();
        assert!(e.to_string().starts_with("f: "), "{e}");
    }

    /// Each entry of `registry` resolves to itself: confirmed, with its
    /// contract and decimals (as `fuzz/fuzz_targets/registry_toml.rs` checks).
    fn resolves_to_itself(registry: &AssetRegistry) -> Result<(), String> {
        for t in registry.tokens() {
            let contract = t.contract_hex();
            match registry.resolve(
                t.asset.chain().as_str(),
                &t.symbol,
                t.decimals,
                Some(&contract),
            ) {
                Resolution::Confirmed(id)
                    if id.asset.contract().map(|c| c.to_lower_hex()) == Some(contract)
                        && id.decimals == t.decimals
                        && id.chain() == t.asset.chain() => {}
                other => return Err(format!("{t:?} resolves to {other:?}")),
            }
        }
        Ok(())
    }

    /// One byte edit; positions are taken modulo the text's length.
    #[derive(Debug, Clone)]
    enum Edit {
        Insert(usize, u8),
        Delete(usize),
        Replace(usize, u8),
    }

    /// A few edits, biased towards TOML's own characters and hex digits.
    fn edits() -> impl proptest::strategy::Strategy<Value = Vec<Edit>> {
        use proptest::prelude::*;
        let byte = prop_oneof![
            3 => proptest::sample::select(b"[]=\"#.,\n 0123456789abcdefx".to_vec()),
            1 => any::<u8>(),
        ];
        let edit = prop_oneof![
            (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        ];
        proptest::collection::vec(edit, 1..5)
    }

    /// `text` with `edits` applied, if it is still UTF-8.
    fn mutate(text: &str, edits: &[Edit]) -> Option<String> {
        let mut bytes = text.as_bytes().to_vec();
        for edit in edits {
            match *edit {
                Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
                Edit::Delete(i) if !bytes.is_empty() => {
                    bytes.remove(i % bytes.len());
                }
                Edit::Replace(i, b) if !bytes.is_empty() => {
                    let len = bytes.len();
                    bytes[i % len] = b;
                }
                Edit::Delete(_) | Edit::Replace(..) => {}
            }
        }
        String::from_utf8(bytes).ok()
    }

    proptest::proptest! {
        /// The shipped registry file with a few bytes edited (random text
        /// would stop at the first line) either names the file in its error
        /// or parses into entries that each resolve to themselves.
        #[test]
        fn mutated_registry_files(edits in edits()) {
            if let Some(text) = mutate(BUILTIN_TEXT, &edits) {
                match AssetRegistry::from_toml(&text, "f") {
                    Err(e) => proptest::prop_assert!(e.to_string().starts_with("f: "), "{}", e),
                    Ok(r) => {
                        let checked = resolves_to_itself(&r);
                        proptest::prop_assert!(checked.is_ok(), "{:?}", checked);
                    }
                }
            }
        }

        /// An attested asset next to a registered one (its symbol or
        /// contract edited, its decimals moved, its contract dropped) is
        /// resolved without a panic; the registered one itself is confirmed.
        #[test]
        fn assets_near_registered_ones(
            index: usize,
            symbol_edits in edits(),
            contract_edits in edits(),
            decimals_delta in -2i16..=2,
            drop_contract: bool,
        ) {
            let r = AssetRegistry::builtin();
            proptest::prop_assert!(resolves_to_itself(&r).is_ok());
            let t = &r.tokens()[index % r.tokens().len()];
            let symbol = mutate(&t.symbol, &symbol_edits).unwrap_or_else(|| t.symbol.clone());
            let registered = t.contract_hex();
            let contract = mutate(&registered, &contract_edits);
            let decimals = u8::try_from(i16::from(t.decimals) + decimals_delta).unwrap_or(t.decimals);
            for chain in [t.asset.chain().as_str(), "ethereum", "bitcoin", "tron", ""] {
                let _ = r.resolve(chain, &symbol, decimals, contract.as_deref());
                let _ = r.resolve(chain, &t.symbol, decimals, Some(&registered));
                if drop_contract {
                    let _ = r.resolve(chain, &symbol, t.decimals, None);
                }
            }
        }
    }
}
