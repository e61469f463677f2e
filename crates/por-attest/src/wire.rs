//! The attestation as it is written: serde structs whose members are the
//! JSON document's, strings where the document has strings. Private: the
//! crate reads a document into these, checks it once and converts it with
//! `TryFrom` into the typed [`Attestation`]; it writes one by converting back
//! (`From<&Attestation>`), so the bytes signed are exactly these structs'
//! serialisation, as before the typed attestation existed.

use std::collections::BTreeSet;

use k256::schnorr::VerifyingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use por_tree::amount::Amount;
use por_tree::asset::Asset;

use crate::{
    amount_as_string, check_liabilities_v1, check_liabilities_v2, check_time, is_hex32,
    parse_public_key, Attestation, Category, FormatError, LiabilitiesSection, Tier, FORMAT,
};

/// The unsigned content of an attestation: every member of the document
/// except `signature`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub format: String,
    pub exchange: Exchange,
    pub snapshot: Snapshot,
    pub chains: Vec<ChainPoint>,
    pub assets: Vec<AttestedAsset>,
    pub liabilities: LiabilitiesSection,
    pub reserves: Vec<ReserveEntry>,
    pub reserve_inputs: Option<ReserveInputsRef>,
    pub previous: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    pub id: String,
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub label: String,
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainPoint {
    pub chain: String,
    pub height: u64,
    pub block_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestedAsset {
    pub symbol: String,
    pub decimals: u8,
    pub chain: String,
    pub contract: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveEntry {
    pub chain: String,
    pub address: String,
    pub asset: String,
    pub category: Category,
    pub tier: Tier,
    #[serde(with = "amount_as_string")]
    pub claimed: Amount,
    pub proof: OwnershipProof,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipProof {
    pub scheme: String,
    pub message: String,
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeem_script: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveInputsRef {
    pub file: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
}

impl From<&Attestation> for Body {
    fn from(a: &Attestation) -> Body {
        Body {
            format: FORMAT.to_owned(),
            exchange: Exchange {
                id: a.exchange.id.clone(),
                public_key: a.exchange.public_key.to_hex(),
            },
            snapshot: Snapshot {
                label: a.snapshot.label.clone(),
                time: a.snapshot.time.to_string(),
            },
            chains: a
                .chains
                .iter()
                .map(|c| ChainPoint {
                    chain: c.chain.as_str().to_owned(),
                    height: c.height,
                    block_hash: c.block_hash.to_string(),
                })
                .collect(),
            assets: a
                .assets
                .iter()
                .map(|x| AttestedAsset {
                    symbol: x.symbol.clone(),
                    decimals: x.decimals,
                    chain: x.chain.as_str().to_owned(),
                    contract: x.contract.clone(),
                })
                .collect(),
            liabilities: a.liabilities.clone(),
            reserves: a
                .reserves
                .iter()
                .map(|r| ReserveEntry {
                    chain: r.chain.as_str().to_owned(),
                    address: r.address.as_str().to_owned(),
                    asset: r.asset.clone(),
                    category: r.category,
                    tier: r.tier,
                    claimed: r.claimed,
                    proof: OwnershipProof {
                        scheme: r.proof.scheme.as_str().to_owned(),
                        message: r.proof.message.clone(),
                        signature: r.proof.signature.clone(),
                        second_signature: r.proof.second_signature.clone(),
                        redeem_script: r.proof.redeem_script.clone(),
                    },
                })
                .collect(),
            reserve_inputs: a.reserve_inputs.as_ref().map(|r| ReserveInputsRef {
                file: r.file.clone(),
                sha256: hex::encode(r.sha256),
                embedded: r.embedded.clone(),
            }),
            previous: a.previous.map(|p| p.to_hex()),
        }
    }
}

impl Body {
    /// Checks the structure and cross-references; returns the key.
    pub fn check(&self) -> Result<VerifyingKey, FormatError> {
        if self.format != FORMAT {
            return Err(FormatError::Format(self.format.clone()));
        }
        let inconsistent =
            |field: String, message: String| FormatError::Inconsistent { field, message };
        if self.exchange.id.is_empty() {
            return Err(inconsistent(
                "exchange.id".into(),
                "expected a non-empty id".into(),
            ));
        }
        let key = parse_public_key(&self.exchange.public_key)?;
        if self.snapshot.label.is_empty() {
            return Err(inconsistent(
                "snapshot.label".into(),
                "expected a non-empty label".into(),
            ));
        }
        check_time(&self.snapshot.time)
            .map(drop)
            .map_err(|message| FormatError::Inconsistent {
                field: "snapshot.time".into(),
                message,
            })?;
        let mut chains = BTreeSet::new();
        for (i, c) in self.chains.iter().enumerate() {
            if c.chain.is_empty() || c.chain != c.chain.to_ascii_lowercase() {
                return Err(inconsistent(
                    format!("chains[{i}].chain"),
                    format!("expected a lower-case chain name, got {:?}", c.chain),
                ));
            }
            if !chains.insert(c.chain.as_str()) {
                return Err(inconsistent(
                    format!("chains[{i}].chain"),
                    format!("chain {:?} is listed twice", c.chain),
                ));
            }
            if !is_hex32(c.block_hash.strip_prefix("0x").unwrap_or(&c.block_hash)) {
                return Err(inconsistent(
                    format!("chains[{i}].block_hash"),
                    format!(
                        "expected 64 lower-case hex digits (optionally 0x-prefixed), got {:?}",
                        c.block_hash
                    ),
                ));
            }
        }
        let mut symbols = BTreeSet::new();
        for (i, a) in self.assets.iter().enumerate() {
            Asset::new(&a.symbol, a.decimals)
                .map_err(|e| inconsistent(format!("assets[{i}]"), e.to_string()))?;
            if !symbols.insert(a.symbol.as_str()) {
                return Err(inconsistent(
                    format!("assets[{i}].symbol"),
                    format!("asset {:?} is listed twice", a.symbol),
                ));
            }
            if !chains.contains(a.chain.as_str()) {
                return Err(inconsistent(
                    format!("assets[{i}].chain"),
                    format!("chain {:?} is not in `chains`", a.chain),
                ));
            }
        }
        let decimals: Vec<(&str, u8)> = self
            .assets
            .iter()
            .map(|a| (a.symbol.as_str(), a.decimals))
            .collect();
        match &self.liabilities {
            LiabilitiesSection::V1(l) => check_liabilities_v1(l, &symbols)?,
            LiabilitiesSection::V2(l) => check_liabilities_v2(l, &decimals)?,
        }
        for (i, r) in self.reserves.iter().enumerate() {
            if !chains.contains(r.chain.as_str()) {
                return Err(inconsistent(
                    format!("reserves[{i}].chain"),
                    format!("chain {:?} is not in `chains`", r.chain),
                ));
            }
            match self.assets.iter().find(|a| a.symbol == r.asset) {
                None => {
                    return Err(inconsistent(
                        format!("reserves[{i}].asset"),
                        format!("asset {:?} is not in `assets`", r.asset),
                    ))
                }
                Some(a) if a.chain != r.chain => {
                    return Err(inconsistent(
                        format!("reserves[{i}].asset"),
                        format!(
                            "asset {:?} is on chain {:?}, not {:?}",
                            r.asset, a.chain, r.chain
                        ),
                    ))
                }
                Some(_) => {}
            }
            if r.address.is_empty() {
                return Err(inconsistent(
                    format!("reserves[{i}].address"),
                    "expected a non-empty address".into(),
                ));
            }
        }
        if let Some(inputs) = &self.reserve_inputs {
            if !is_hex32(&inputs.sha256) {
                return Err(inconsistent(
                    "reserve_inputs.sha256".into(),
                    format!("expected 64 lower-case hex digits, got {:?}", inputs.sha256),
                ));
            }
            if let Some(text) = &inputs.embedded {
                let got = hex::encode(Sha256::digest(text.as_bytes()));
                if got != inputs.sha256 {
                    return Err(inconsistent(
                        "reserve_inputs.embedded".into(),
                        format!("its SHA-256 is {got}, not the declared {}", inputs.sha256),
                    ));
                }
            }
        }
        if let Some(prev) = &self.previous {
            if !is_hex32(prev) {
                return Err(inconsistent(
                    "previous".into(),
                    format!("expected 64 lower-case hex digits or null, got {prev:?}"),
                ));
            }
        }
        Ok(key)
    }
}
