//! Customer inclusion proofs in the `por-proof-v1` JSON format, and their
//! verification against a root the caller supplies.
//!
//! Parsing gives an [`InclusionProof`] that says nothing yet; only
//! [`InclusionProof::verify`] against a published [`RootCommitment`] gives a
//! [`VerifiedInclusion`]. A malformed file ([`ProofFormatError`]) is kept apart
//! from a well-formed proof that does not verify ([`VerifyError`]).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::asset::AssetList;
use crate::hash::{self, NodeHash, Salt};
use crate::prelude::*;
use crate::tree::{PathStep, RootCommitment};

/// The `format` field of a proof file.
pub const PROOF_FORMAT: &str = "por-proof-v1";

/// The deepest tree a proof may describe: leaf indices are `u64`.
pub const MAX_HEIGHT: u32 = 64;

/// A customer's inclusion proof as read from a file: not yet verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    format: String,
    assets: AssetList,
    user_id: String,
    salt: Salt,
    #[serde(with = "amounts_as_strings")]
    balances: Vec<Amount>,
    index: u64,
    path: Vec<PathStep>,
    root: RootCommitment,
}

/// A proof that verified against a caller-supplied root (borrowed: verifying
/// copies nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedInclusion<'a> {
    proof: &'a InclusionProof,
}

impl<'a> VerifiedInclusion<'a> {
    /// Returns the verified proof.
    #[must_use]
    pub fn proof(&self) -> &'a InclusionProof {
        self.proof
    }
}

impl InclusionProof {
    /// Assembles a proof (the tree does this; see
    /// [`LiabilitiesTree::proof`](crate::LiabilitiesTree::proof)).
    #[must_use]
    pub fn new(
        assets: AssetList,
        user_id: String,
        salt: Salt,
        balances: Vec<Amount>,
        index: u64,
        path: Vec<PathStep>,
        root: RootCommitment,
    ) -> InclusionProof {
        InclusionProof {
            format: PROOF_FORMAT.to_owned(),
            assets,
            user_id,
            salt,
            balances,
            index,
            path,
            root,
        }
    }

    /// Parses a `por-proof-v1` JSON document and checks its structure.
    ///
    /// # Errors
    ///
    /// Returns a [`ProofFormatError`] naming the field that is wrong: invalid
    /// JSON, a missing or unknown field, a wrong format tag, invalid assets,
    /// a hash that is not 64 hex digits, an amount that is not a decimal string
    /// of base units, or a sum count that differs from the asset count.
    pub fn from_json(json: &str) -> Result<InclusionProof, ProofFormatError> {
        let mut de = serde_json::Deserializer::from_str(json);
        let json_error = |field: String, e: serde_json::Error| ProofFormatError::Json {
            line: e.line(),
            column: e.column(),
            field: if field == "." { String::new() } else { field },
            message: e.to_string(),
        };
        let proof: InclusionProof = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            json_error(path, e.into_inner())
        })?;
        de.end().map_err(|e| json_error(String::new(), e))?;
        proof.check_structure()?;
        Ok(proof)
    }

    /// Serializes to pretty-printed `por-proof-v1` JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a proof has only strings, integers and arrays")
    }

    fn check_structure(&self) -> Result<(), ProofFormatError> {
        if self.format != PROOF_FORMAT {
            return Err(ProofFormatError::Format(self.format.clone()));
        }
        let k = self.assets.len();
        let count = |field: String, got: usize| {
            if got == k {
                Ok(())
            } else {
                Err(ProofFormatError::SumCount {
                    field,
                    expected: k,
                    got,
                })
            }
        };
        count("balances".into(), self.balances.len())?;
        for (i, step) in self.path.iter().enumerate() {
            count(format!("path[{i}].sums"), step.sums.len())?;
        }
        count("root.sums".into(), self.root.sums.len())?;
        if self.root.height > MAX_HEIGHT {
            return Err(ProofFormatError::Height(self.root.height));
        }
        if self.user_id.is_empty() {
            return Err(ProofFormatError::EmptyUserId);
        }
        Ok(())
    }

    /// Returns the assets, in tree order.
    #[must_use]
    pub fn assets(&self) -> &AssetList {
        &self.assets
    }

    /// Returns the customer's user id.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Returns the customer's salt.
    #[must_use]
    pub fn salt(&self) -> Salt {
        self.salt
    }

    /// Returns the customer's balances, one per asset.
    #[must_use]
    pub fn balances(&self) -> &[Amount] {
        &self.balances
    }

    /// Returns the leaf index.
    #[must_use]
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Returns the siblings from level 0 up.
    #[must_use]
    pub fn path(&self) -> &[PathStep] {
        &self.path
    }

    /// Returns the root written in the proof file. It tells what the proof
    /// claims; it proves nothing until compared with the exchange's published
    /// root, which is why [`InclusionProof::verify`] takes the root separately.
    #[must_use]
    pub fn claimed_root(&self) -> &RootCommitment {
        &self.root
    }

    /// Recomputes the root from the customer's leaf and path and compares its
    /// hash, sums and height with `root`.
    ///
    /// # Errors
    ///
    /// Returns a [`VerifyError`] saying what failed and at which level: a
    /// different asset list, a path whose length is not the root's height, an
    /// index outside the tree, a sum that overflows, or a root hash or sums
    /// that differ.
    pub fn verify(&self, root: &RootCommitment) -> Result<VerifiedInclusion<'_>, VerifyError> {
        self.verify_internal(root)?;
        Ok(VerifiedInclusion { proof: self })
    }

    /// [`InclusionProof::verify`] that also checks the asset list of the published root.
    ///
    /// # Errors
    ///
    /// As [`InclusionProof::verify`], plus [`VerifyError::AssetMismatch`].
    pub fn verify_with_assets(
        &self,
        assets: &AssetList,
        root: &RootCommitment,
    ) -> Result<VerifiedInclusion<'_>, VerifyError> {
        if assets != &self.assets {
            return Err(VerifyError::AssetMismatch);
        }
        self.verify(root)
    }

    fn symbol(&self, index: usize) -> String {
        self.assets
            .get(index)
            .map(|a| a.symbol().to_owned())
            .unwrap_or_default()
    }

    /// Recomputes the root the proof leads to: hash and sums from the
    /// customer's leaf and path, and the height as the path's length. This
    /// proves nothing by itself (any file leads to some root); it is what a
    /// publication is compared with (see [`crate::customer`]).
    ///
    /// # Errors
    ///
    /// Returns a [`VerifyError`] when the proof leads to no root at all: an
    /// index outside a tree of the path's height, a sibling with another
    /// number of sums than assets, or a sum that overflows.
    pub fn recompute_root(&self) -> Result<RootCommitment, VerifyError> {
        let height = u32::try_from(self.path.len()).map_err(|_| VerifyError::PathLength {
            path_len: self.path.len(),
            height: MAX_HEIGHT,
        })?;
        let (hash, sums) = self.recompute(height)?;
        Ok(RootCommitment { hash, sums, height })
    }

    fn recompute(&self, height: u32) -> Result<(NodeHash, Vec<Amount>), VerifyError> {
        let k = self.assets.len();
        if height < 64 && self.index >> height != 0 {
            return Err(VerifyError::IndexOutOfRange {
                index: self.index,
                height,
            });
        }
        let id = hash::leaf_id(&self.salt, &self.user_id);
        // One preimage buffer for the leaf and every level.
        let mut buf = Vec::with_capacity(65 + 32 * k);
        let mut node = hash::leaf_hash_with(&mut buf, &id, &self.balances);
        let mut sums = self.balances.clone();
        let mut next = vec![Amount::ZERO; k];
        for (level, step) in self.path.iter().enumerate() {
            if step.sums.len() != k {
                return Err(VerifyError::AssetMismatch);
            }
            let is_left = (self.index >> level) & 1 == 0;
            node = if is_left {
                hash::node_hash_with(&mut buf, &node, &sums, &step.hash, &step.sums)
            } else {
                hash::node_hash_with(&mut buf, &step.hash, &step.sums, &node, &sums)
            };
            for (asset, (out, (a, b))) in
                next.iter_mut().zip(sums.iter().zip(&step.sums)).enumerate()
            {
                *out = a.checked_add(*b).ok_or_else(|| VerifyError::SumOverflow {
                    level: level + 1,
                    asset: self.symbol(asset),
                })?;
            }
            core::mem::swap(&mut sums, &mut next);
        }
        Ok((node, sums))
    }

    fn verify_internal(&self, root: &RootCommitment) -> Result<(), VerifyError> {
        let k = self.assets.len();
        if root.sums.len() != k {
            return Err(VerifyError::AssetMismatch);
        }
        let height = root.height;
        let path_len = self.path.len();
        if u32::try_from(path_len).ok() != Some(height) {
            return Err(VerifyError::PathLength { path_len, height });
        }
        let (node, sums) = self.recompute(height)?;
        let differing: Vec<String> = sums
            .iter()
            .zip(&root.sums)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| self.symbol(i))
            .collect();
        if node != root.hash {
            return Err(VerifyError::RootHashMismatch {
                level: height,
                computed: node,
                expected: root.hash,
                differing_sums: differing,
            });
        }
        if !differing.is_empty() {
            return Err(VerifyError::RootSumMismatch { assets: differing });
        }
        Ok(())
    }
}

/// A proof file that is not a well-formed `por-proof-v1` document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofFormatError {
    /// Invalid JSON, a missing or unknown field, or a field of the wrong type
    /// or value; the message names the field.
    Json {
        /// Line in the document.
        line: usize,
        /// Column in the document.
        column: usize,
        /// The field, for example `path[3].hash` (empty at the top level).
        field: String,
        /// The parser's description.
        message: String,
    },
    /// The `format` field is not `por-proof-v1`.
    Format(String),
    /// A list of sums whose length is not the number of assets.
    SumCount {
        /// The field, for example `path[3].sums`.
        field: String,
        /// The number of assets.
        expected: usize,
        /// The number of sums.
        got: usize,
    },
    /// A height above [`MAX_HEIGHT`].
    Height(u32),
    /// An empty `user_id`.
    EmptyUserId,
}

impl ProofFormatError {
    /// A short, stable name of the error kind (used by the test vectors).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        "malformed"
    }
}

impl fmt::Display for ProofFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofFormatError::Json { field, message, .. } if field.is_empty() => {
                write!(f, "malformed proof: {message}")
            }
            ProofFormatError::Json { field, message, .. } => {
                write!(f, "malformed proof: field `{field}`: {message}")
            }
            ProofFormatError::Format(s) => write!(
                f,
                "malformed proof: field `format` is {s:?}, expected {PROOF_FORMAT:?}"
            ),
            ProofFormatError::SumCount { field, expected, got } => write!(
                f,
                "malformed proof: field `{field}` has {got} amounts, expected one per asset ({expected})"
            ),
            ProofFormatError::Height(h) => write!(
                f,
                "malformed proof: field `root.height` is {h}, at most {MAX_HEIGHT} is possible"
            ),
            ProofFormatError::EmptyUserId => write!(f, "malformed proof: field `user_id` is empty"),
        }
    }
}

impl core::error::Error for ProofFormatError {}

/// A well-formed proof that does not verify against the given root.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The proof's assets differ from the published root's.
    AssetMismatch,
    /// The path has a different length than the root's height.
    PathLength {
        /// Steps in the path.
        path_len: usize,
        /// The root's height.
        height: u32,
    },
    /// The leaf index does not fit in a tree of this height.
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The height.
        height: u32,
    },
    /// Adding a sibling's sums overflowed at this level: a sibling carries an
    /// impossible (wrapped-around) value.
    SumOverflow {
        /// The level whose node sum overflowed (1 is the leaf's parent).
        level: usize,
        /// The asset's symbol.
        asset: String,
    },
    /// The recomputed root hash is not the published one.
    RootHashMismatch {
        /// The root's level (the height).
        level: u32,
        /// The hash the proof leads to.
        computed: NodeHash,
        /// The published hash.
        expected: NodeHash,
        /// Symbols of the assets whose recomputed total also differs.
        differing_sums: Vec<String>,
    },
    /// The root hash matches but the published totals differ from it.
    RootSumMismatch {
        /// Symbols of the assets whose totals differ.
        assets: Vec<String>,
    },
}

impl VerifyError {
    /// A short, stable name of the failure kind (used by the test vectors).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::AssetMismatch => "asset-mismatch",
            VerifyError::PathLength { .. } => "path-length",
            VerifyError::IndexOutOfRange { .. } => "index-out-of-range",
            VerifyError::SumOverflow { .. } => "sum-overflow",
            VerifyError::RootHashMismatch { .. } => "root-hash-mismatch",
            VerifyError::RootSumMismatch { .. } => "root-sum-mismatch",
        }
    }

    /// The level where the failure shows: the root's level for a mismatch.
    #[must_use]
    pub fn level(&self) -> Option<usize> {
        match self {
            VerifyError::SumOverflow { level, .. } => Some(*level),
            VerifyError::RootHashMismatch { level, .. } => usize::try_from(*level).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::AssetMismatch => write!(f, "the proof covers other assets than the published root"),
            VerifyError::PathLength { path_len, height } => write!(
                f,
                "the path has {path_len} levels but the root's height is {height}"
            ),
            VerifyError::IndexOutOfRange { index, height } => write!(
                f,
                "leaf index {index} does not exist in a tree of height {height}"
            ),
            VerifyError::SumOverflow { level, asset } => write!(
                f,
                "at level {level}, the sum of {asset} overflows: a sibling carries an impossible amount"
            ),
            VerifyError::RootHashMismatch {
                level,
                computed,
                expected,
                differing_sums,
            } => {
                write!(
                    f,
                    "at the root (level {level}), the recomputed hash {computed} differs from the published {expected}"
                )?;
                if !differing_sums.is_empty() {
                    write!(f, "; the totals of {} differ too", differing_sums.join(", "))?;
                }
                Ok(())
            }
            VerifyError::RootSumMismatch { assets } => write!(
                f,
                "the root hash matches but the published totals of {} differ from it",
                assets.join(", ")
            ),
        }
    }
}

impl core::error::Error for VerifyError {}

/// Serde adapter: amounts as JSON strings of base units (a `u128` does not
/// fit a JSON number).
pub mod amounts_as_strings {
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserializer, Serializer};

    use crate::amount::Amount;
    use crate::prelude::*;

    /// Writes each amount as a decimal string of base units.
    pub fn serialize<S: Serializer>(v: &[Amount], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for a in v {
            seq.serialize_element(&a.to_base_units().to_string())?;
        }
        seq.end()
    }

    /// Reads decimal strings of base units.
    ///
    /// # Errors
    /// A string that is not an amount of base units.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Amount>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<Amount>;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a list of decimal strings of base units")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Amount>, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<alloc::borrow::Cow<'de, str>>()? {
                    out.push(Amount::from_base_units_str(&s).map_err(A::Error::custom)?);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}
