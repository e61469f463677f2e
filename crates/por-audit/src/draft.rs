//! The exchange's side of an attestation: from the reserves file the custody
//! team fills in and the built tree to the body `por attest` signs, with
//! every check por runs before signing.
//!
//! It lives beside the audit because it runs the audit's own checks on the
//! same data (each ownership proof through [`crate::audit::ownership`], each
//! asset's identity through the [`AssetRegistry`], duplicate wallets on the
//! `unique-address` key), so what an exchange is told before signing is
//! exactly what an audit will find. Pure: the caller reads the files and
//! the key and signs [`Draft::body`]; the CLI decides, from its flags,
//! whether a [`Finding`] is a warning or a refusal.
//!
//! The reserves file is described in `docs/attestation.md`.

use core::fmt;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::audit::ownership::{self, OwnershipStatus};
use crate::registry::{AssetRegistry, IdentityError, Resolution};
use por_attest::{
    AssetTotal, Attestation, AttestationId, AttestedAsset, AttestedChain, AttestedScheme,
    ChainPoint, Exchange, FormatError, Liabilities, OwnershipProof, ReserveEntry, ReserveInputsRef,
    SchemeRequest, Snapshot, SnapshotTime, WalletAddress, XOnlyKey,
};
use por_ownership::ReservesMessage;
use por_tree::amount::Amount;
use por_tree::asset::AssetList;
use por_tree::tree::RootCommitment;
use por_types::{Category, Chain, Tier, UnknownName};

/// The columns of a CSV reserves file, in the documented order.
pub const RESERVES_COLUMNS: &str =
    "chain,address,asset,category,tier,balance,scheme,message,signature[,second_signature,redeem_script]";

/// How a reserves file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservesSyntax {
    /// `[[reserve]]` tables.
    Toml,
    /// A header row, then one row per wallet and asset.
    Csv,
}

/// One row of the reserves file, as typed (checked by [`draft`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveRow {
    /// Where it is in the file (`line 3`, `[[reserve]] #2`).
    #[serde(skip)]
    pub at: String,
    /// Chain name, lower case.
    pub chain: String,
    /// Address as the chain writes it.
    pub address: String,
    /// Asset symbol.
    pub asset: String,
    /// Category name (`customer`, `own`, ...).
    pub category: String,
    /// Tier name (`cold`, `hot`, ...).
    pub tier: String,
    /// Balance in asset units (`1.5`).
    pub balance: String,
    /// Ownership scheme (empty or absent: `auto`).
    #[serde(default)]
    pub scheme: Option<String>,
    /// The signed message (empty or absent: the canonical reserves message).
    #[serde(default)]
    pub message: Option<String>,
    /// The signature.
    pub signature: String,
    /// A second signature (two-key schemes).
    #[serde(default)]
    pub second_signature: Option<String>,
    /// The redeem or witness script (multisig).
    #[serde(default)]
    pub redeem_script: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    reserve: Vec<ReserveRow>,
}

/// A reserves file that does not parse. Its message names the file, the
/// line or table and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservesFileError(String);

impl fmt::Display for ReservesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReservesFileError {}

/// Parses a reserves file named `name`: its rows, with the chain in lower
/// case and no required field empty.
///
/// # Errors
/// [`ReservesFileError`] naming the line (or table) and field.
pub fn parse_reserves(
    text: &str,
    name: &str,
    syntax: ReservesSyntax,
) -> Result<Vec<ReserveRow>, ReservesFileError> {
    let err = |m: String| ReservesFileError(format!("{name}: {m}"));
    let mut rows = match syntax {
        ReservesSyntax::Toml => {
            let file: TomlFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
            let mut rows = file.reserve;
            for (i, r) in rows.iter_mut().enumerate() {
                r.at = format!("[[reserve]] #{}", i + 1);
            }
            rows
        }
        ReservesSyntax::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            let headers = rdr
                .headers()
                .map_err(|e| err(format!("cannot read the header row: {e}")))?
                .clone();
            for required in [
                "chain",
                "address",
                "asset",
                "category",
                "tier",
                "balance",
                "signature",
            ] {
                if !headers.iter().any(|h| h == required) {
                    return Err(err(format!(
                        "line 1: no `{required}` column (expected {RESERVES_COLUMNS})"
                    )));
                }
            }
            let mut rows = Vec::new();
            for rec in rdr.records() {
                let rec = rec.map_err(|e| err(csv_record_error(&e, headers.len())))?;
                let line = rec.position().map_or(0, csv::Position::line);
                let mut row: ReserveRow = rec
                    .deserialize(Some(&headers))
                    .map_err(|e| err(format!("line {line}: {e}")))?;
                row.at = format!("line {line}");
                rows.push(row);
            }
            rows
        }
    };
    if rows.is_empty() {
        return Err(err("no reserve rows".into()));
    }
    for r in &mut rows {
        for (field, v) in [
            ("chain", &r.chain),
            ("address", &r.address),
            ("asset", &r.asset),
            ("signature", &r.signature),
        ] {
            if v.trim().is_empty() {
                return Err(err(format!("{}: field `{field}` is empty", r.at)));
            }
        }
        // One spelling per chain (`btc` is `bitcoin`), and a chain por does
        // not know is refused here, saying what it lacks.
        r.chain = match r.chain.to_ascii_lowercase().parse::<Chain>() {
            Ok(c) => c.to_string(),
            Err(e) => {
                return Err(err(format!(
                "{}: field `chain`: {e}; por has no ownership scheme and no balance source for it",
                r.at
            )))
            }
        };
    }
    Ok(rows)
}

/// A record the CSV reader refused, said as the file counts lines; a row
/// with more fields than the header is most often an unquoted comma in a
/// value (`1,541.5`).
fn csv_record_error(e: &csv::Error, header_fields: usize) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, len, .. } => {
            let line = pos.as_ref().map_or(0, csv::Position::line);
            let hint = if usize::try_from(*len).is_ok_and(|n| n > header_fields) {
                ": a comma inside a value? Write amounts without thousands separators (1541.5, not 1,541.5), or quote a value that holds a comma"
            } else {
                ""
            };
            format!("line {line}: {len} fields where the header has {header_fields}{hint}")
        }
        csv::ErrorKind::Utf8 { pos, .. } => format!(
            "line {}: not valid UTF-8 (save the file as UTF-8)",
            pos.as_ref().map_or(0, csv::Position::line)
        ),
        _ => e.to_string(),
    }
}

/// Where an asset lives, as the exchange says (`--asset SYMBOL=CHAIN[:CONTRACT]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The asset's symbol.
    pub symbol: String,
    /// Its chain.
    pub chain: String,
    /// Its token contract (lower case), or `None` for the native coin.
    pub contract: Option<String>,
}

/// The liabilities side of the draft: the built tree's assets, root and
/// customer count.
#[derive(Debug, Clone, Copy)]
pub struct TreeFacts<'a> {
    /// Assets in tree order.
    pub assets: &'a AssetList,
    /// The root.
    pub root: &'a RootCommitment,
    /// Customers.
    pub customers: u64,
    /// A format v2 tree's published root: the attestation then carries it
    /// (and `root` holds its hash, height and totals in base units).
    pub root_v2: Option<&'a por_tree::v2::RootV2>,
}

/// Everything an attestation is drafted from.
#[derive(Debug, Clone)]
pub struct DraftRequest<'a> {
    /// Exchange id (as in the ownership messages).
    pub exchange: String,
    /// The x-only attestation key that will sign.
    pub public_key: XOnlyKey,
    /// Snapshot label.
    pub snapshot: String,
    /// Snapshot time.
    pub time: SnapshotTime,
    /// The tree.
    pub tree: TreeFacts<'a>,
    /// Per chain, the attested block.
    pub chains: Vec<ChainPoint>,
    /// Where assets live, beyond "native to the chain of its rows".
    pub placements: Vec<Placement>,
    /// The reserves file's name (for messages) and rows.
    pub reserves_name: String,
    /// The rows ([`parse_reserves`]).
    pub rows: &'a [ReserveRow],
    /// The reserve-inputs commitment.
    pub reserve_inputs: Option<ReserveInputsRef>,
    /// The previous attestation's id, already verified by the caller.
    pub previous: Option<AttestationId>,
    /// Canonical messages of other snapshots to recognise (the previous
    /// attestation's): when a signature does not verify over this
    /// snapshot's message but does over one of these, the finding says
    /// which field differs instead of only "does not verify".
    pub recognise: Vec<ReservesMessage>,
}

/// Input that cannot be drafted into an attestation (exit 2 in the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DraftError {
    /// A placement names a chain with no attested block.
    PlacementChain {
        /// The placement's symbol.
        symbol: String,
        /// Its chain.
        chain: String,
    },
    /// A row names a chain with no attested block.
    RowChain {
        /// The file.
        name: String,
        /// Where.
        at: String,
        /// The chain.
        chain: String,
    },
    /// A row puts an asset on another chain than it lives on.
    AssetOnOtherChain {
        /// The file.
        name: String,
        /// Where.
        at: String,
        /// The asset.
        asset: String,
        /// Where it lives.
        lives_on: String,
        /// Where the row puts it.
        row_chain: String,
    },
    /// A row's asset is not an asset of the tree.
    NotATreeAsset {
        /// The file.
        name: String,
        /// Where.
        at: String,
        /// The asset.
        asset: String,
        /// The tree's assets.
        tree_assets: Vec<String>,
    },
    /// An asset of the tree has no row and no placement.
    Unplaced {
        /// The asset.
        symbol: String,
    },
    /// The registry refuses an asset's identity.
    Identity {
        /// The asset.
        symbol: String,
        /// Why (boxed: it is large and rare).
        error: Box<IdentityError>,
    },
    /// A field of a row is not what it must be.
    Field {
        /// The file.
        name: String,
        /// Where.
        at: String,
        /// The field.
        field: &'static str,
        /// What it holds.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// The drafted attestation is not a valid one (a check the steps above
    /// do not make, such as an empty address).
    Attestation(FormatError),
}

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftError::PlacementChain { symbol, chain } => write!(
                f,
                "asset {symbol} is placed on chain {chain:?}, which has no attested block"
            ),
            DraftError::RowChain { name, at, chain } => write!(
                f,
                "{name}: {at}: field `chain`: {chain:?} has no --chain {chain}=HEIGHT:HASH block"
            ),
            DraftError::AssetOnOtherChain {
                name,
                at,
                asset,
                lives_on,
                row_chain,
            } => write!(
                f,
                "{name}: {at}: asset {asset} is on chain {lives_on}, not {row_chain}"
            ),
            DraftError::NotATreeAsset {
                name,
                at,
                asset,
                tree_assets,
            } => write!(
                f,
                "{name}: {at}: field `asset`: {asset:?} is not an asset of the liabilities tree ({})",
                tree_assets.join(", ")
            ),
            DraftError::Unplaced { symbol } => write!(
                f,
                "asset {symbol} of the tree has no reserve rows: say where it lives with --asset {symbol}=CHAIN[:CONTRACT]"
            ),
            DraftError::Identity { symbol, error } => write!(
                f,
                "asset {symbol}: {error}; say which contract it is with --asset {symbol}=CHAIN:CONTRACT"
            ),
            DraftError::Field {
                name,
                at,
                field,
                value,
                expected,
            } => write!(f, "{name}: {at}: field `{field}`: {value:?} {expected}"),
            DraftError::Attestation(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DraftError {}

/// Something the exchange should know before signing: each will be a
/// failed or unchecked line of the audit. The caller decides which refuse
/// the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The same on-chain identity (chain, address, native coin or
    /// contract) is listed twice: the audit counts neither claim.
    Duplicate {
        /// The later row.
        at: String,
        /// The first row.
        first: String,
        /// Chain, address and asset of the later row.
        chain: String,
        /// Address.
        address: String,
        /// Asset.
        asset: String,
    },
    /// An ownership proof that does not verify, or cannot be checked at
    /// all: the audit fails it and counts the wallet for nothing.
    InvalidProof {
        /// The row.
        at: String,
        /// Chain.
        chain: String,
        /// Address.
        address: String,
        /// Why.
        why: String,
    },
    /// A valid ownership proof not bound to this exchange, snapshot and
    /// root: the audit fails it.
    NotBound {
        /// The row.
        at: String,
        /// Chain.
        chain: String,
        /// Address.
        address: String,
        /// The scheme that verified.
        scheme: String,
        /// What it is bound to.
        binding: String,
    },
    /// A token the registry does not know: the audit reports its reserves
    /// as not checked unless the auditor registers it.
    Unregistered {
        /// The asset.
        symbol: String,
        /// Its chain.
        chain: String,
        /// The contract the exchange names.
        contract: String,
    },
    /// A token contract other than the registered one(s) for the symbol.
    OtherGeneration {
        /// The asset.
        symbol: String,
        /// The contract the exchange names.
        contract: String,
        /// The registered contracts.
        registered: Vec<String>,
    },
    /// Reserves on a chain por has no balance source for: no audit can
    /// check them.
    NoBalanceSource {
        /// The chain.
        chain: String,
        /// `SYMBOL (line 3, line 4)`, per asset on it.
        assets: Vec<String>,
    },
}

/// The attestation body to sign, and what the exchange should know first.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The body to sign.
    pub body: Attestation,
    /// What the audit will not pass or not check, in row order per kind.
    pub findings: Vec<Finding>,
}

/// Drafts the attestation: places every asset, types every row, resolves
/// each asset's identity, checks every ownership proof against the
/// canonical message for this exchange, snapshot and root, and finds
/// duplicate wallets.
///
/// # Errors
/// [`DraftError`] for input that cannot be attested (naming the file, row
/// and field).
pub fn draft(req: &DraftRequest<'_>, registry: &AssetRegistry) -> Result<Draft, DraftError> {
    let name = &req.reserves_name;
    let has_block = |chain: &str| {
        let chain = AttestedChain::from_name(chain);
        req.chains.iter().any(|c| c.chain == chain)
    };

    // Assets: the tree's (symbol, decimals) plus where each lives.
    let mut placement: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for p in &req.placements {
        if !has_block(&p.chain) {
            return Err(DraftError::PlacementChain {
                symbol: p.symbol.clone(),
                chain: p.chain.clone(),
            });
        }
        placement.insert(p.symbol.clone(), (p.chain.clone(), p.contract.clone()));
    }
    let decimals_of: BTreeMap<&str, u8> = req
        .tree
        .assets
        .iter()
        .map(|a| (a.symbol(), a.decimals()))
        .collect();
    for r in req.rows {
        if !has_block(&r.chain) {
            return Err(DraftError::RowChain {
                name: name.clone(),
                at: r.at.clone(),
                chain: r.chain.clone(),
            });
        }
        match placement.get(&r.asset) {
            Some((chain, _)) if *chain != r.chain => {
                return Err(DraftError::AssetOnOtherChain {
                    name: name.clone(),
                    at: r.at.clone(),
                    asset: r.asset.clone(),
                    lives_on: chain.clone(),
                    row_chain: r.chain.clone(),
                })
            }
            Some(_) => {}
            None => {
                placement.insert(r.asset.clone(), (r.chain.clone(), None));
            }
        }
        if !decimals_of.contains_key(r.asset.as_str()) {
            return Err(DraftError::NotATreeAsset {
                name: name.clone(),
                at: r.at.clone(),
                asset: r.asset.clone(),
                tree_assets: decimals_of.keys().map(|s| (*s).to_owned()).collect(),
            });
        }
    }
    let mut assets = Vec::new();
    for a in req.tree.assets.iter() {
        let (chain, contract) =
            placement
                .get(a.symbol())
                .cloned()
                .ok_or_else(|| DraftError::Unplaced {
                    symbol: a.symbol().to_owned(),
                })?;
        assets.push(AttestedAsset {
            symbol: a.symbol().to_owned(),
            decimals: a.decimals(),
            chain: AttestedChain::from_name(&chain),
            contract,
        });
    }
    let mut findings = identity_findings(&assets, req.rows, registry)?;

    let canonical = format!(
        "por reserves v1\nexchange: {}\nsnapshot: {}\nliabilities: {}",
        req.exchange, req.snapshot, req.tree.root.hash
    );
    let mut reserves = Vec::with_capacity(req.rows.len());
    for r in req.rows {
        reserves.push(entry(r, name, &decimals_of, &canonical)?);
    }

    let liabilities: por_attest::LiabilitiesSection = match req.tree.root_v2 {
        Some(r) => por_attest::LiabilitiesV2::from_root_v2(r).into(),
        None => Liabilities {
            root: req.tree.root.hash,
            height: req.tree.root.height,
            customers: req.tree.customers,
            totals: req
                .tree
                .assets
                .iter()
                .zip(&req.tree.root.sums)
                .map(|(a, s)| AssetTotal {
                    asset: a.symbol().to_owned(),
                    amount: *s,
                })
                .collect(),
        }
        .into(),
    };
    let body = Attestation::builder(
        Exchange {
            id: req.exchange.clone(),
            public_key: req.public_key,
        },
        Snapshot {
            label: req.snapshot.clone(),
            time: req.time.clone(),
        },
    )
    .chains(req.chains.iter().cloned())
    .assets(assets)
    .reserves(reserves)
    .reserve_inputs(req.reserve_inputs.clone())
    .previous(req.previous)
    .build(liabilities)
    .map_err(DraftError::Attestation)?;
    findings.extend(duplicate_findings(&body, req.rows));
    findings.extend(ownership_findings(&body, req.rows, &req.recognise));
    Ok(Draft { body, findings })
}

/// One row as a typed reserve entry.
fn entry(
    r: &ReserveRow,
    name: &str,
    decimals_of: &BTreeMap<&str, u8>,
    canonical: &str,
) -> Result<ReserveEntry, DraftError> {
    let field = |field: &'static str, value: &str, expected: String| DraftError::Field {
        name: name.to_owned(),
        at: r.at.clone(),
        field,
        value: value.to_owned(),
        expected,
    };
    let decimals = decimals_of.get(r.asset.as_str()).copied().unwrap_or(0);
    let claimed = Amount::from_decimal_str(&r.balance, decimals).map_err(|e| {
        field(
            "balance",
            &r.balance,
            format!(
                "is not an amount of {} with at most {decimals} decimals: {e}",
                r.asset
            ),
        )
    })?;
    let category: Category = r.category.parse().map_err(|e: UnknownName| {
        field(
            "category",
            &r.category,
            format!("expected one of {}", e.expected().join(", ")),
        )
    })?;
    let tier: Tier = r.tier.parse().map_err(|e: UnknownName| {
        field(
            "tier",
            &r.tier,
            format!("expected one of {}", e.expected().join(", ")),
        )
    })?;
    let message = match r.message.as_deref() {
        None | Some("") => canonical.to_owned(),
        Some(m) => m.to_owned(),
    };
    let address = WalletAddress::new(&r.address)
        .ok_or_else(|| field("address", &r.address, "expected a non-empty address".into()))?;
    Ok(ReserveEntry {
        chain: AttestedChain::from_name(&r.chain),
        address,
        asset: r.asset.clone(),
        category,
        tier,
        claimed,
        proof: OwnershipProof {
            scheme: match r.scheme.as_deref() {
                None | Some("") => SchemeRequest::Auto.into(),
                Some(s) => AttestedScheme::from_name(s),
            },
            message,
            signature: r.signature.clone(),
            second_signature: r.second_signature.clone().filter(|s| !s.is_empty()),
            redeem_script: r.redeem_script.clone().filter(|s| !s.is_empty()),
        },
    })
}

/// The identity rule shared with `por chain snapshot` and `por audit`
/// ([`AssetRegistry::resolve`]): a token the registry knows must carry its
/// registered contract and decimals (else an error), an asset without a
/// contract must have the chain's native decimals; unregistered tokens,
/// other generations and chains without a balance source are findings.
fn identity_findings(
    assets: &[AttestedAsset],
    rows: &[ReserveRow],
    registry: &AssetRegistry,
) -> Result<Vec<Finding>, DraftError> {
    let mut out = Vec::new();
    let mut unverifiable: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in assets {
        match registry.resolve(
            a.chain.as_str(),
            &a.symbol,
            a.decimals,
            a.contract.as_deref(),
        ) {
            Resolution::Confirmed(_) => {}
            Resolution::Refused(error) => {
                return Err(DraftError::Identity {
                    symbol: a.symbol.clone(),
                    error: Box::new(error),
                })
            }
            Resolution::NoBalanceSource { .. } => {
                let at: Vec<String> = rows
                    .iter()
                    .filter(|r| r.asset == a.symbol)
                    .map(|r| r.at.clone())
                    .collect();
                unverifiable
                    .entry(a.chain.as_str())
                    .or_default()
                    .push(format!("{} ({})", a.symbol, at.join(", ")));
            }
            Resolution::Unregistered { contract } => out.push(Finding::Unregistered {
                symbol: a.symbol.clone(),
                chain: a.chain.to_string(),
                contract,
            }),
            Resolution::OtherGeneration {
                contract,
                registered,
            } => out.push(Finding::OtherGeneration {
                symbol: a.symbol.clone(),
                contract,
                registered,
            }),
        }
    }
    out.extend(
        unverifiable
            .into_iter()
            .map(|(chain, assets)| Finding::NoBalanceSource {
                chain: chain.to_owned(),
                assets,
            }),
    );
    Ok(out)
}

/// One wallet listed twice (two categories, or a copy-paste), keyed on the
/// on-chain identity (the contract or the native coin) as the audit's
/// `unique-address` check does, never on the symbol.
fn duplicate_findings(body: &Attestation, rows: &[ReserveRow]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(AttestedChain, String, String), &str> = BTreeMap::new();
    for (entry, row) in body.reserves.iter().zip(rows) {
        let what = body
            .asset(&entry.asset)
            .and_then(|a| a.contract.clone())
            .unwrap_or_else(|| "native".to_owned());
        let key = (
            entry.chain.clone(),
            entry.chain.address_key(entry.address.as_str()),
            what,
        );
        if let Some(first) = seen.insert(key, row.at.as_str()) {
            out.push(Finding::Duplicate {
                at: row.at.clone(),
                first: first.to_owned(),
                chain: entry.chain.to_string(),
                address: entry.address.to_string(),
                asset: entry.asset.clone(),
            });
        }
    }
    out
}

/// Every ownership proof, as the audit checks it: one that does not verify,
/// and one not bound to this snapshot, is a finding. A row that left its
/// message empty (so por checked this snapshot's canonical message) and
/// does not verify is checked again over the messages a custody team most
/// often signs by mistake ([`other_messages`]); when one verifies, the
/// finding names the fields that differ.
fn ownership_findings(
    body: &Attestation,
    rows: &[ReserveRow],
    recognise: &[ReservesMessage],
) -> Vec<Finding> {
    let check = |e: &ReserveEntry| ownership::check_entry(body, e);
    // On every core with the `parallel` feature; results in row order.
    #[cfg(feature = "parallel")]
    let results: Vec<_> = {
        use rayon::prelude::*;
        body.reserves.par_iter().map(check).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let results: Vec<_> = body.reserves.iter().map(check).collect();
    let mut out = Vec::new();
    for ((entry, row), result) in body.reserves.iter().zip(rows).zip(results) {
        match result {
            Ok(OwnershipStatus::Bound { .. }) => {}
            Ok(OwnershipStatus::NotBound { scheme, binding }) => out.push(Finding::NotBound {
                at: row.at.clone(),
                chain: entry.chain.to_string(),
                address: entry.address.to_string(),
                scheme: scheme.to_string(),
                binding,
            }),
            Ok(status) => out.push(Finding::InvalidProof {
                at: row.at.clone(),
                chain: entry.chain.to_string(),
                address: entry.address.to_string(),
                why: signed_instead(body, entry, row, recognise)
                    .unwrap_or_else(|| status.describe()),
            }),
            Err(e) => out.push(Finding::InvalidProof {
                at: row.at.clone(),
                chain: entry.chain.to_string(),
                address: entry.address.to_string(),
                why: e.to_string(),
            }),
        }
    }
    out
}

/// This snapshot's canonical message with the exchange id in other case
/// (a mistyped `--exchange`), then the messages to recognise; never the
/// expected message itself.
fn other_messages(
    expected: &ReservesMessage,
    recognise: &[ReservesMessage],
) -> Vec<ReservesMessage> {
    let root = hex::encode(expected.root());
    let cased = [
        expected.exchange().to_ascii_lowercase(),
        expected.exchange().to_ascii_uppercase(),
    ]
    .into_iter()
    .filter_map(|exchange| ReservesMessage::new(&exchange, expected.snapshot(), &root).ok());
    let mut out: Vec<ReservesMessage> = Vec::new();
    for m in cased.chain(recognise.iter().cloned()) {
        if m != *expected && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// For a row whose empty message stood for this snapshot's canonical one
/// and whose signature did not verify over it: the fields that differ from
/// the first other message the signature does verify over, if any. The
/// sentence is only written when that signature verified.
fn signed_instead(
    body: &Attestation,
    entry: &ReserveEntry,
    row: &ReserveRow,
    recognise: &[ReservesMessage],
) -> Option<String> {
    if !row.message.as_deref().unwrap_or("").is_empty() {
        return None;
    }
    let expected = ownership::canonical_message(body).ok()?;
    other_messages(&expected, recognise).into_iter().find_map(|m| {
        let mut e = entry.clone();
        e.proof.message = m.to_text();
        match ownership::check_entry(body, &e) {
            Ok(OwnershipStatus::NotBound { .. }) => Some(format!(
                "the signature verifies over another canonical message, not this snapshot's (signed vs expected): {}",
                m.differences(&expected).join("; ")
            )),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use por_tree::asset::Asset;
    use por_tree::hash::NodeHash;

    const HEADER: &str = "chain,address,asset,category,tier,balance,scheme,message,signature\n";
    const BTC_ADDR: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";

    fn rows(csv: &str) -> Vec<ReserveRow> {
        parse_reserves(&format!("{HEADER}{csv}"), "r.csv", ReservesSyntax::Csv).unwrap()
    }

    fn with_request<T>(rows: &[ReserveRow], f: impl FnOnce(&DraftRequest<'_>) -> T) -> T {
        let assets = AssetList::new(vec![
            Asset::new("BTC", 8).unwrap(),
            Asset::new("ETH", 18).unwrap(),
        ])
        .unwrap();
        let root = RootCommitment {
            hash: NodeHash::from_byte_array([7; 32]),
            sums: vec![Amount::ZERO, Amount::ZERO],
            height: 2,
        };
        let req = DraftRequest {
            exchange: "acme".into(),
            public_key: por_attest::AttestationKey::from_secret_bytes(&[0x22; 32])
                .unwrap()
                .public_key(),
            snapshot: "2026-11-21".into(),
            time: SnapshotTime::parse("2026-11-21T00:00:00Z").unwrap(),
            tree: TreeFacts {
                root_v2: None,
                assets: &assets,
                root: &root,
                customers: 3,
            },
            chains: vec![
                ChainPoint {
                    chain: Chain::Bitcoin.into(),
                    height: 1,
                    block_hash: por_attest::AttestedBlockHash::parse(&"00".repeat(32)).unwrap(),
                },
                ChainPoint {
                    chain: Chain::Ethereum.into(),
                    height: 2,
                    block_hash: por_attest::AttestedBlockHash::parse(&"11".repeat(32)).unwrap(),
                },
            ],
            placements: vec![Placement {
                symbol: "ETH".into(),
                chain: "ethereum".into(),
                contract: None,
            }],
            reserves_name: "r.csv".into(),
            rows,
            reserve_inputs: None,
            previous: None,
            recognise: Vec::new(),
        };
        f(&req)
    }

    #[test]
    fn a_thousands_separator_and_an_unknown_chain_are_named() {
        let e = parse_reserves(
            &format!("{HEADER}bitcoin,{BTC_ADDR},BTC,customer,cold,1,541.5,auto,,s\n"),
            "r.csv",
            ReservesSyntax::Csv,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv: line 2: 10 fields where the header has 9: a comma inside a value? Write amounts without thousands separators (1541.5, not 1,541.5), or quote a value that holds a comma"
        );
        let e = parse_reserves(
            &format!("{HEADER}bitcoin,{BTC_ADDR},BTC,customer,cold,1,auto,,s\nsolana,x,SOL,customer,cold,1,auto,,s\n"),
            "r.csv",
            ReservesSyntax::Csv,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("r.csv: line 3: field `chain`: unknown chain \"solana\": expected bitcoin, ethereum,"),
            "{e}"
        );
        assert!(
            e.to_string()
                .ends_with("por has no ownership scheme and no balance source for it"),
            "{e}"
        );
        // An alias is read as the chain's one name.
        let r = rows(&format!("BTC,{BTC_ADDR},BTC,customer,cold,1,auto,,s\n"));
        assert_eq!(r[0].chain, "bitcoin");
    }

    #[test]
    fn csv_rows_are_named_by_line_and_checked() {
        let r = rows(&format!("BITCOIN,{BTC_ADDR},BTC,customer,cold,1,,,sig\n"));
        assert_eq!(r[0].at, "line 2");
        assert_eq!(r[0].chain, "bitcoin");
        let e = parse_reserves(
            &format!("{HEADER}bitcoin,{BTC_ADDR},BTC,customer,cold,1,,, \n"),
            "r.csv",
            ReservesSyntax::Csv,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "r.csv: line 2: field `signature` is empty");
        let e = parse_reserves("chain,address\n", "r.csv", ReservesSyntax::Csv).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("r.csv: line 1: no `asset` column"),
            "{e}"
        );
        let e = parse_reserves(HEADER, "r.csv", ReservesSyntax::Csv).unwrap_err();
        assert_eq!(e.to_string(), "r.csv: no reserve rows");
    }

    #[test]
    fn toml_rows_are_named_by_table_and_unknown_keys_refused() {
        let t = format!(
            "[[reserve]]\nchain='bitcoin'\naddress='{BTC_ADDR}'\nasset='BTC'\ncategory='corporate'\ntier='hot'\nbalance='1'\nsignature='s'\n"
        );
        let r = parse_reserves(&t, "r.toml", ReservesSyntax::Toml).unwrap();
        assert_eq!(r[0].at, "[[reserve]] #1");
        let e = parse_reserves(
            &format!("{t}colour='red'\n"),
            "r.toml",
            ReservesSyntax::Toml,
        )
        .unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
    }

    #[test]
    fn bad_rows_are_refused_naming_line_and_field() {
        let cases = [
            (
                format!("litecoin,{BTC_ADDR},BTC,customer,cold,1,,,sig\n"),
                "r.csv: line 2: field `chain`: \"litecoin\" has no --chain litecoin=HEIGHT:HASH block",
            ),
            (
                format!("bitcoin,{BTC_ADDR},DOGE,customer,cold,1,,,sig\n"),
                "r.csv: line 2: field `asset`: \"DOGE\" is not an asset of the liabilities tree (BTC, ETH)",
            ),
            (
                format!("bitcoin,{BTC_ADDR},BTC,customer,frozen,1,,,sig\n"),
                "r.csv: line 2: field `tier`: \"frozen\" expected one of",
            ),
            (
                format!("bitcoin,{BTC_ADDR},BTC,customer,cold,1.123456789,,,sig\n"),
                "r.csv: line 2: field `balance`: \"1.123456789\" is not an amount of BTC with at most 8 decimals",
            ),
        ];
        for (csv, want) in cases {
            let r = rows(&csv);
            let e = with_request(&r, |req| draft(req, &AssetRegistry::builtin())).unwrap_err();
            assert!(e.to_string().starts_with(want), "{e}\nwanted {want}");
        }
    }

    #[test]
    fn a_tree_asset_without_rows_or_placement_is_refused() {
        let r = rows(&format!("bitcoin,{BTC_ADDR},BTC,customer,cold,1,,,sig\n"));
        let e = with_request(&r, |req| {
            let mut req = req.clone();
            req.placements.clear();
            draft(&req, &AssetRegistry::builtin())
        })
        .unwrap_err();
        assert_eq!(
            e,
            DraftError::Unplaced {
                symbol: "ETH".into()
            }
        );
    }

    #[test]
    fn duplicates_and_bad_proofs_are_findings_not_silence() {
        // The same wallet twice (its address in another case), with a
        // signature that is not one: a duplicate and two invalid proofs.
        let upper = BTC_ADDR.to_ascii_uppercase();
        let r = rows(&format!(
            "bitcoin,{BTC_ADDR},BTC,customer,cold,1,,,c2ln\nbitcoin,{upper},BTC,corporate,hot,2,,,c2ln\n"
        ));
        let d = with_request(&r, |req| draft(req, &AssetRegistry::builtin())).unwrap();
        assert_eq!(d.body.reserves.len(), 2);
        assert_eq!(
            d.body.reserves[1].claimed,
            Amount::from_base_units(200_000_000)
        );
        assert!(d.body.reserves[0]
            .proof
            .message
            .starts_with("por reserves v1\nexchange: acme\n"));
        let dups: Vec<_> = d
            .findings
            .iter()
            .filter(|f| matches!(f, Finding::Duplicate { at, first, .. } if at == "line 3" && first == "line 2"))
            .collect();
        assert_eq!(dups.len(), 1, "{:?}", d.findings);
        let invalid = d
            .findings
            .iter()
            .filter(|f| matches!(f, Finding::InvalidProof { .. }))
            .count();
        assert_eq!(invalid, 2, "{:?}", d.findings);
    }
}
