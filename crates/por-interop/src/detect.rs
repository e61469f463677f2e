//! Recognising a proof by its structure, never by its file name.
//!
//! Each format is a list of structural features (keys and their shapes). A
//! file is of a format when it has every feature of that format and of no
//! other; otherwise it is an unknown format, reported with the closest
//! candidates and the features they missed.

use std::fmt;

use serde_json::Value;

use crate::Format;

/// A format that came close, and what it missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The format.
    pub format: Format,
    /// Features found, of how many.
    pub matched: usize,
    /// Features the format has.
    pub of: usize,
    /// The features missing.
    pub missing: Vec<&'static str>,
}

/// The result of [`detect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// Formats whose every feature was found.
    pub full: Vec<Format>,
    /// The closest other formats (best first, at most three with at least
    /// one feature).
    pub closest: Vec<Candidate>,
    /// Set when the file is a known companion file that is not a customer
    /// proof (OKX v2's tree file, Gate's batch proof table): what it is.
    pub not_a_proof: Option<&'static str>,
}

impl Detection {
    /// The one format recognised, if exactly one.
    #[must_use]
    pub fn format(&self) -> Option<Format> {
        match self.full.as_slice() {
            [f] => Some(*f),
            _ => None,
        }
    }
}

impl fmt::Display for Detection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(what) = self.not_a_proof {
            return write!(f, "unknown format: {what}");
        }
        if self.full.len() > 1 {
            let names: Vec<&str> = self.full.iter().map(|x| x.id()).collect();
            return write!(
                f,
                "unknown format: the structure fits several formats ({}); name one with --format",
                names.join(", ")
            );
        }
        f.write_str("unknown format")?;
        if self.closest.is_empty() {
            return f.write_str(": no known proof structure (por-v1, okx-v1, okx-v2, bitget, bitunix, mexc, coinex, bitmex, gate-zk, binance-zk)");
        }
        f.write_str("; closest: ")?;
        for (i, c) in self.closest.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "{} ({} of {} features; missing {})",
                c.format.id(),
                c.matched,
                c.of,
                c.missing.join(", ")
            )?;
        }
        f.write_str(". Name a format with --format to see exactly what does not fit.")
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

fn first_item<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key)?
        .as_array()?
        .iter()
        .find(|x| x.as_object().is_some_and(|o| !o.is_empty()))
}

fn has(v: &Value, path: &[&str]) -> bool {
    get(v, path).is_some()
}

type Feature = (&'static str, fn(&Value) -> bool);

fn features(format: Format) -> &'static [Feature] {
    match format {
        Format::PorV1 => &[
            ("format \"por-proof-v1\"", |v| {
                v.get("format").and_then(Value::as_str) == Some("por-proof-v1")
            }),
            ("user_id", |v| has(v, &["user_id"])),
            ("salt", |v| has(v, &["salt"])),
            ("path", |v| has(v, &["path"])),
            ("root", |v| has(v, &["root"])),
        ],
        Format::OkxV1 => &[
            ("self.nonce", |v| has(v, &["self", "nonce"])),
            ("self.hash", |v| has(v, &["self", "hash"])),
            ("self.balances", |v| has(v, &["self", "balances"])),
            ("path[].hash", |v| {
                first_item(v, "path").is_some_and(|x| x.get("hash").is_some())
            }),
            ("path[].type", |v| {
                first_item(v, "path").is_some_and(|x| x.get("type").is_some())
            }),
            ("path[].height", |v| {
                first_item(v, "path").is_some_and(|x| x.get("height").is_some())
            }),
            ("no root object", |v| !has(v, &["root"])),
        ],
        Format::OkxV2 => &[
            ("hash", |v| has(v, &["hash"])),
            ("nodes", |v| v.get("nodes").is_some_and(Value::is_array)),
            ("nonce", |v| has(v, &["nonce"])),
            ("totalBalances", |v| has(v, &["totalBalances"])),
        ],
        Format::Bitget => &[
            ("self.merkelLeaf", |v| has(v, &["self", "merkelLeaf"])),
            ("self.encryptUid", |v| has(v, &["self", "encryptUid"])),
            ("self.nonce", |v| has(v, &["self", "nonce"])),
            ("self.role", |v| has(v, &["self", "role"])),
            ("path[].merkelLeaf", |v| {
                first_item(v, "path").is_some_and(|x| x.get("merkelLeaf").is_some())
            }),
            ("path[].level", |v| {
                first_item(v, "path").is_some_and(|x| x.get("level").is_some())
            }),
        ],
        Format::Bitunix => &[
            ("self.merkleLeaf", |v| has(v, &["self", "merkleLeaf"])),
            ("self.encryptUid", |v| has(v, &["self", "encryptUid"])),
            ("self.nonce", |v| has(v, &["self", "nonce"])),
            ("self.precisions", |v| has(v, &["self", "precisions"])),
            ("path[].merkleLeaf", |v| {
                first_item(v, "path").is_some_and(|x| x.get("merkleLeaf").is_some())
            }),
            ("path[].height", |v| {
                first_item(v, "path").is_some_and(|x| x.get("height").is_some())
            }),
        ],
        Format::Mexc => &[
            ("self.proofId", |v| has(v, &["self", "proofId"])),
            ("self.accountId", |v| has(v, &["self", "accountId"])),
            ("self.hash", |v| has(v, &["self", "hash"])),
            ("pathList", |v| {
                v.get("pathList").is_some_and(Value::is_array)
            }),
        ],
        Format::Coinex => &[
            ("root.hash", |v| has(v, &["root", "hash"])),
            ("root.balances", |v| has(v, &["root", "balances"])),
            ("self.nonce", |v| has(v, &["self", "nonce"])),
            ("self.balances", |v| has(v, &["self", "balances"])),
            ("path", |v| v.get("path").is_some_and(Value::is_array)),
        ],
        Format::GateZk => &[
            ("UniqueIdentification", |v| {
                has(v, &["UniqueIdentification"])
            }),
            ("TotalAssetEquity", |v| has(v, &["TotalAssetEquity"])),
            ("AssetDetails", |v| has(v, &["AssetDetails"])),
            ("TreeRootHash", |v| has(v, &["TreeRootHash"])),
            ("MerkleProofEncode", |v| has(v, &["MerkleProofEncode"])),
        ],
        Format::BinanceZk => &[
            ("AccountIndex", |v| has(v, &["AccountIndex"])),
            ("AccountIdHash", |v| has(v, &["AccountIdHash"])),
            ("TotalEquity", |v| has(v, &["TotalEquity"])),
            ("Assets", |v| has(v, &["Assets"])),
            ("Root", |v| has(v, &["Root"])),
            ("Proof", |v| has(v, &["Proof"])),
        ],
        Format::Bitmex => &[],
    }
}

/// BitMEX's tree file: `block_height:N`, then `hex,integer` lines.
fn bitmex_features(text: &str) -> (usize, Vec<&'static str>) {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut missing = Vec::new();
    let mut matched = 0;
    match lines.next() {
        Some(l) if l.starts_with("block_height:") => matched += 1,
        _ => missing.push("first line block_height:N"),
    }
    let mut any = false;
    let mut all = true;
    for l in lines.take(64) {
        any = true;
        let ok = l.split_once(',').is_some_and(|(h, v)| {
            !h.is_empty()
                && h.bytes().all(|b| b.is_ascii_hexdigit())
                && !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
        });
        all &= ok;
    }
    if any && all {
        matched += 1;
    } else {
        missing.push("lines hash,value");
    }
    (matched, missing)
}

const OKX_TREE: &str = "this is OKX's full liabilities tree file (okx-v2), not a customer proof; give your user info file with --proof and this file with --tree";
const GATE_BATCH: &str = "this is Gate's table of batch zk-SNARK proofs (proof_info, account_tree_roots, batch_commitment), not a customer proof; a Gate customer's proof is the user_config.json file (gate-zk)";

/// Gate's `proof.csv`: a header naming its batch proof columns.
fn is_gate_batch_table(text: &str) -> bool {
    let header = text.lines().next().unwrap_or("");
    [
        "proof_info",
        "cex_asset_list_commitments",
        "account_tree_roots",
        "batch_commitment",
    ]
    .iter()
    .all(|c| header.contains(c))
}

fn is_okx_tree_file(text: &str) -> bool {
    let mut n = 0;
    for l in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(8)
    {
        let mut parts = l.splitn(3, ',');
        let ok = matches!((parts.next(), parts.next(), parts.next()), (Some(h), Some(ht), Some(j))
            if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())
            && !ht.is_empty() && ht.bytes().all(|b| b.is_ascii_digit()) && j.starts_with('{'));
        if !ok {
            return false;
        }
        n += 1;
    }
    n > 0
}

/// Recognises `text` by its structure.
#[must_use]
pub fn detect(text: &str) -> Detection {
    let text = text.trim_start_matches('\u{feff}');
    let mut scored: Vec<Candidate> = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        if v.is_object() {
            for format in Format::ALL {
                let fs = features(format);
                if fs.is_empty() {
                    continue;
                }
                let missing: Vec<&'static str> =
                    fs.iter().filter(|(_, f)| !f(&v)).map(|(n, _)| *n).collect();
                scored.push(Candidate {
                    format,
                    matched: fs.len() - missing.len(),
                    of: fs.len(),
                    missing,
                });
            }
        }
    } else if text.trim_start().starts_with('{') && text.contains("\"por-proof-v1\"") {
        // Not JSON, but it names por's format: por-v1's reader says where
        // it breaks.
        return Detection {
            full: vec![Format::PorV1],
            closest: Vec::new(),
            not_a_proof: None,
        };
    } else {
        let not_a_proof = if is_okx_tree_file(text) {
            Some(OKX_TREE)
        } else if is_gate_batch_table(text) {
            Some(GATE_BATCH)
        } else {
            None
        };
        if not_a_proof.is_some() {
            return Detection {
                full: Vec::new(),
                closest: Vec::new(),
                not_a_proof,
            };
        }
        let (matched, missing) = bitmex_features(text);
        scored.push(Candidate {
            format: Format::Bitmex,
            matched,
            of: 2,
            missing,
        });
    }
    let full: Vec<Format> = scored
        .iter()
        .filter(|c| c.missing.is_empty())
        .map(|c| c.format)
        .collect();
    // Closest first: the larger share of features found (ties keep the order of Format::ALL).
    let mut closest: Vec<Candidate> = scored
        .into_iter()
        .filter(|c| !c.missing.is_empty() && c.matched > 0)
        .collect();
    closest.sort_by(|a, b| (b.matched * a.of).cmp(&(a.matched * b.of)));
    closest.truncate(3);
    Detection {
        full,
        closest,
        not_a_proof: None,
    }
}
