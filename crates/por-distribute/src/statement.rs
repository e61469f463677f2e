//! The signed statement `por-distribution-v1`: what the administrator
//! distributes, from which attestation, under which root. Signed as the
//! attestation is (`docs/attestation.md`): BIP-340 over SHA-256 of the RFC
//! 8785 canonical JSON of the document without its `signature` member, with
//! `por_attest`'s canonicaliser and signer.

use core::fmt;

use por_attest::jcs;
use por_tree::{Amount, Asset, AssetList, NodeHash, RootCommitment};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::plan::{ColumnTotals, Plan, TopUp};

/// The `format` of a statement.
pub const STATEMENT_FORMAT: &str = "por-distribution-v1";

/// The statement without its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementBody {
    /// Always [`STATEMENT_FORMAT`].
    pub format: String,
    /// The administrator's BIP-340 x-only key, 64 lower-case hex digits.
    pub administrator_key: String,
    /// The attestation the distribution starts from.
    pub attestation: AttestationRef,
    /// The distribution tree.
    pub distribution: DistributionRef,
    /// One entry per asset, in tree order.
    pub assets: Vec<AssetLine>,
    /// The JPY top-up, or null.
    pub top_up: Option<TopUpLine>,
    /// Where the top-up prices come from, or null without a top-up.
    pub price_source: Option<String>,
    /// The policy file.
    pub policy: PolicyRef,
    /// Where the available amounts come from (a file's name and hash, or
    /// the chain source).
    pub available_source: String,
}

/// The attestation a distribution starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationRef {
    /// Its id: SHA-256 of its canonical form, signature included (hex).
    pub id: String,
    /// The exchange's id in it.
    pub exchange: String,
    /// Its snapshot label.
    pub snapshot: String,
    /// Its liabilities root.
    pub liabilities_root: NodeHash,
}

/// The distribution tree's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionRef {
    /// Root hash.
    pub root: NodeHash,
    /// Levels above the leaves.
    pub height: u32,
    /// Customers (leaves).
    pub customers: u64,
}

/// One asset's terms and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetLine {
    /// Symbol, as in the liabilities tree.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// The de-minimis threshold in base units (0 = none).
    #[serde(with = "crate::amount_string")]
    pub de_minimis: Amount,
    /// Totals.
    pub totals: ColumnTotals,
}

/// The top-up's terms and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopUpLine {
    /// The date of the prices (`YYYY-MM-DD`).
    pub price_date: String,
    /// Yen per whole unit, one per asset in tree order, decimal strings.
    pub prices: Vec<PriceLine>,
    /// Totals (claims are the valued shortfalls, in yen).
    pub totals: ColumnTotals,
}

/// A price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceLine {
    /// The asset's symbol.
    pub asset: String,
    /// Yen per whole unit (decimal, at most 18 fractional digits).
    pub jpy: String,
}

/// The policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    /// Its `name`.
    pub name: String,
    /// SHA-256 of the file's bytes (hex).
    pub sha256: String,
}

/// A statement that is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatementError {
    /// Not JSON, a duplicate member, a missing or unknown field, a wrong type.
    Json {
        /// The field's path, empty for the document.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A field with a valid type but an unacceptable value.
    Invalid {
        /// The field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// No `signature` member.
    MissingSignature,
    /// The signature does not verify against the key the statement names.
    BadSignature,
    /// The key given to sign with is not the statement's.
    KeyMismatch,
}

impl StatementError {
    /// A short, stable name.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            StatementError::Json { .. } => "malformed",
            StatementError::Invalid { .. } => "inconsistent",
            StatementError::MissingSignature => "missing-signature",
            StatementError::BadSignature => "bad-signature",
            StatementError::KeyMismatch => "key-mismatch",
        }
    }
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementError::Json { field, message } if field.is_empty() => f.write_str(message),
            StatementError::Json { field, message } | StatementError::Invalid { field, message } => {
                write!(f, "field {field}: {message}")
            }
            StatementError::MissingSignature => f.write_str("the statement has no signature"),
            StatementError::BadSignature => f.write_str(
                "the signature does not verify against the administrator key the statement names: it was changed after signing, or signed with another key",
            ),
            StatementError::KeyMismatch => {
                f.write_str("the signing key is not the statement's administrator_key")
            }
        }
    }
}

impl std::error::Error for StatementError {}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> StatementError {
    StatementError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What [`StatementBody::from_plan`] needs besides the plan.
#[derive(Debug, Clone)]
pub struct StatementContext<'a> {
    /// The assets in tree order.
    pub assets: &'a AssetList,
    /// The attestation.
    pub attestation: AttestationRef,
    /// The distribution root.
    pub root: &'a RootCommitment,
    /// De-minimis per asset.
    pub de_minimis: &'a [Amount],
    /// The top-up and its price date and source.
    pub top_up: Option<(&'a TopUp, String, String)>,
    /// The policy.
    pub policy: PolicyRef,
    /// Where the available amounts come from.
    pub available_source: String,
}

impl StatementBody {
    /// The unsigned body of a plan (its `administrator_key` empty until
    /// [`StatementBody::sign`]).
    #[must_use]
    pub fn from_plan(plan: &Plan, ctx: StatementContext<'_>) -> StatementBody {
        let assets = ctx
            .assets
            .iter()
            .enumerate()
            .map(|(j, a)| AssetLine {
                symbol: a.symbol().to_owned(),
                decimals: a.decimals(),
                de_minimis: ctx.de_minimis.get(j).copied().unwrap_or(Amount::ZERO),
                totals: plan.totals().get(j).copied().unwrap_or_default(),
            })
            .collect();
        let (top_up, price_source) = match ctx.top_up {
            Some((t, date, source)) => (
                Some(TopUpLine {
                    price_date: date,
                    prices: ctx
                        .assets
                        .iter()
                        .zip(&t.prices)
                        .map(|(a, p)| PriceLine {
                            asset: a.symbol().to_owned(),
                            jpy: p.to_decimal(),
                        })
                        .collect(),
                    totals: plan
                        .totals()
                        .get(ctx.assets.len())
                        .copied()
                        .unwrap_or_default(),
                }),
                Some(source),
            ),
            None => (None, None),
        };
        StatementBody {
            format: STATEMENT_FORMAT.to_owned(),
            administrator_key: String::new(),
            attestation: ctx.attestation,
            distribution: DistributionRef {
                root: ctx.root.hash,
                height: ctx.root.height,
                customers: plan.customers() as u64,
            },
            assets,
            top_up,
            price_source,
            policy: ctx.policy,
            available_source: ctx.available_source,
        }
    }

    /// The asset list the statement names.
    ///
    /// # Errors
    ///
    /// [`StatementError::Invalid`] for an asset that is not a valid tree asset.
    pub fn asset_list(&self) -> Result<AssetList, StatementError> {
        let mut v = Vec::with_capacity(self.assets.len());
        for (i, a) in self.assets.iter().enumerate() {
            v.push(
                Asset::new(&a.symbol, a.decimals)
                    .map_err(|e| invalid(format!("assets[{i}].symbol"), e.to_string()))?,
            );
        }
        AssetList::new(v).map_err(|e| invalid("assets", e.to_string()))
    }

    /// Every column's totals: the assets, then the top-up.
    #[must_use]
    pub fn column_totals(&self) -> Vec<ColumnTotals> {
        let mut v: Vec<ColumnTotals> = self.assets.iter().map(|a| a.totals).collect();
        if let Some(t) = &self.top_up {
            v.push(t.totals);
        }
        v
    }

    /// The root a customer's proof must reach: the distribution root with
    /// the sums the totals imply (claims, paid, held back, retained per column).
    #[must_use]
    pub fn root_commitment(&self) -> RootCommitment {
        RootCommitment {
            hash: self.distribution.root,
            sums: self
                .column_totals()
                .iter()
                .flat_map(ColumnTotals::root_sums)
                .collect(),
            height: self.distribution.height,
        }
    }

    /// Checks everything that does not need the signature.
    fn check(&self) -> Result<(), StatementError> {
        if self.format != STATEMENT_FORMAT {
            return Err(invalid(
                "format",
                format!("expected {STATEMENT_FORMAT:?}, got {:?}", self.format),
            ));
        }
        if !is_hex32(&self.attestation.id) {
            return Err(invalid(
                "attestation.id",
                "expected 64 lower-case hex digits",
            ));
        }
        if !is_hex32(&self.policy.sha256) {
            return Err(invalid(
                "policy.sha256",
                "expected 64 lower-case hex digits",
            ));
        }
        if self.distribution.height > crate::proof::MAX_HEIGHT {
            return Err(invalid("distribution.height", "at most 64"));
        }
        let assets = self.asset_list()?;
        if assets.is_empty() {
            return Err(invalid("assets", "expected at least one asset"));
        }
        for (i, a) in self.assets.iter().enumerate() {
            if !a.totals.consistent() {
                return Err(invalid(
                    format!("assets[{i}].totals"),
                    "paid + held_back + retained must equal min(available, claims), and kept_by_estate available − that",
                ));
            }
        }
        match (&self.top_up, &self.price_source) {
            (None, None) => {}
            (Some(t), Some(src)) => {
                if src.trim().is_empty() {
                    return Err(invalid("price_source", "expected a non-empty source"));
                }
                if !t.totals.consistent() {
                    return Err(invalid(
                        "top_up.totals",
                        "paid + held_back + retained must equal min(available, claims), and kept_by_estate available − that",
                    ));
                }
                if t.prices.len() != self.assets.len() {
                    return Err(invalid("top_up.prices", "expected one price per asset"));
                }
                for (i, (p, a)) in t.prices.iter().zip(&self.assets).enumerate() {
                    if p.asset != a.symbol {
                        return Err(invalid(
                            format!("top_up.prices[{i}].asset"),
                            format!("expected {:?} (the assets' order)", a.symbol),
                        ));
                    }
                    crate::allocate::Price::parse(&p.jpy)
                        .map_err(|e| invalid(format!("top_up.prices[{i}].jpy"), e))?;
                }
            }
            (Some(_), None) => {
                return Err(invalid("price_source", "a top-up needs its price source"))
            }
            (None, Some(_)) => {
                return Err(invalid("price_source", "expected null without a top-up"))
            }
        }
        Ok(())
    }

    /// Signs the body with the administrator's secret key (32 bytes):
    /// sets `administrator_key`, checks the body, and returns the signed
    /// document as pretty-printed JSON.
    ///
    /// # Errors
    ///
    /// [`StatementError::Invalid`] for an invalid body or key.
    pub fn sign(
        &mut self,
        secret: &[u8; 32],
        aux_rand: &[u8; 32],
    ) -> Result<String, StatementError> {
        let key = por_attest::AttestationKey::from_secret_bytes(secret)
            .map_err(|e| invalid("key", e.to_string()))?;
        self.administrator_key = key.public_key_hex();
        self.check()?;
        let mut value = serde_json::to_value(&*self).map_err(|e| invalid("", e.to_string()))?;
        let canonical = jcs::canonicalize(&value).map_err(|e| invalid("", e.to_string()))?;
        let digest: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        let sig = por_attest::sign_bip340(secret, &digest, aux_rand)
            .map_err(|e| invalid("key", e.to_string()))?;
        if let Value::Object(map) = &mut value {
            map.insert("signature".to_owned(), Value::String(hex::encode(sig)));
        }
        let mut text =
            serde_json::to_string_pretty(&value).map_err(|e| invalid("", e.to_string()))?;
        text.push('\n');
        Ok(text)
    }
}

/// A statement whose signature verified against the key it names.
#[derive(Debug, Clone)]
pub struct VerifiedStatement {
    body: StatementBody,
    fingerprint: String,
}

impl VerifiedStatement {
    /// Parses a signed statement, checks its structure and its signature.
    ///
    /// This shows the statement is intact and signed by whoever holds the
    /// key it names; whether that key is the administrator's is for the
    /// caller to establish (compare [`VerifiedStatement::key_fingerprint`]
    /// with the one the administrator publishes).
    ///
    /// # Errors
    ///
    /// [`StatementError`] naming the field, or the signature failure.
    pub fn from_json(text: &str) -> Result<VerifiedStatement, StatementError> {
        let mut value = jcs::parse_strict(text).map_err(|e| StatementError::Json {
            field: String::new(),
            message: e.to_string(),
        })?;
        let obj = value.as_object_mut().ok_or_else(|| StatementError::Json {
            field: String::new(),
            message: "expected a JSON object".into(),
        })?;
        let sig = match obj.remove("signature") {
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(StatementError::Json {
                    field: "signature".into(),
                    message: "expected a string of 128 hex digits".into(),
                })
            }
            None => return Err(StatementError::MissingSignature),
        };
        let canonical = jcs::canonicalize(&value).map_err(|e| StatementError::Json {
            field: String::new(),
            message: e.to_string(),
        })?;
        let body: StatementBody =
            serde_path_to_error::deserialize(value).map_err(|e| StatementError::Json {
                field: e.path().to_string().trim_start_matches('.').to_owned(),
                message: e.into_inner().to_string(),
            })?;
        body.check()?;
        let mut key = [0u8; 32];
        if body.administrator_key.len() != 64
            || body.administrator_key != body.administrator_key.to_ascii_lowercase()
            || hex::decode_to_slice(&body.administrator_key, &mut key).is_err()
        {
            return Err(invalid(
                "administrator_key",
                "expected 64 lower-case hex digits",
            ));
        }
        let mut sig_bytes = [0u8; 64];
        if sig.len() != 128
            || sig != sig.to_ascii_lowercase()
            || hex::decode_to_slice(&sig, &mut sig_bytes).is_err()
        {
            return Err(StatementError::Json {
                field: "signature".into(),
                message: "expected 128 lower-case hex digits".into(),
            });
        }
        let digest: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        por_attest::verify_bip340(&key, &digest, &sig_bytes)
            .map_err(|_| StatementError::BadSignature)?;
        let fingerprint = hex::encode(&Sha256::digest(key)[..8]);
        Ok(VerifiedStatement { body, fingerprint })
    }

    /// The signed content.
    #[must_use]
    pub fn body(&self) -> &StatementBody {
        &self.body
    }

    /// The administrator key's fingerprint: the first 8 bytes of SHA-256
    /// of the x-only key, hex (as for attestation keys).
    #[must_use]
    pub fn key_fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

fn is_hex32(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
