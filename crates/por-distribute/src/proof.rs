//! A customer's distribution proof, `por-distribution-proof-v1`: their
//! claim and payout in every column, and the path to the distribution root.

use core::fmt;

use por_tree::hash::leaf_id;
use por_tree::{
    Amount, AssetList, Customers, NodeHash, PathStep, RootCommitment, Salt, VerifyError,
};
use serde::{Deserialize, Serialize};

use crate::allocate::Split;
use crate::plan::VALUES_PER_COLUMN;
use crate::tree::{dleaf_hash, dnode_hash, DTreeError, DistributionTree};

/// The `format` of a distribution proof.
pub const PROOF_FORMAT: &str = "por-distribution-proof-v1";
/// The deepest tree a proof may describe.
pub const MAX_HEIGHT: u32 = 64;

/// A distribution proof as read from a file: not yet verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionProof {
    format: String,
    assets: AssetList,
    top_up: bool,
    user_id: String,
    salt: Salt,
    index: u64,
    #[serde(with = "por_tree::proof::amounts_as_strings")]
    values: Vec<Amount>,
    path: Vec<PathStep>,
    root: RootCommitment,
}

/// A proof file that is not a well-formed `por-distribution-proof-v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofFormatError {
    /// Invalid JSON or a field of the wrong type, with its path.
    Json {
        /// The field's path (`path[3].sums`), empty for the document.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A value count that is not `4 × columns`.
    Count {
        /// The field.
        field: String,
        /// Expected count.
        expected: usize,
        /// Count found.
        got: usize,
    },
    /// Another format, a height over 64, an empty user id.
    Invalid {
        /// The field.
        field: &'static str,
        /// What was expected.
        message: String,
    },
}

impl fmt::Display for ProofFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofFormatError::Json { field, message } if field.is_empty() => {
                write!(f, "{message}")
            }
            ProofFormatError::Json { field, message } => write!(f, "field {field}: {message}"),
            ProofFormatError::Count {
                field,
                expected,
                got,
            } => write!(f, "field {field}: expected {expected} values, got {got}"),
            ProofFormatError::Invalid { field, message } => write!(f, "field {field}: {message}"),
        }
    }
}

impl std::error::Error for ProofFormatError {}

impl DistributionTree {
    /// The proof of leaf `index`.
    ///
    /// # Errors
    ///
    /// [`DTreeError::NoSuchLeaf`] if `index` is not a customer's leaf, or
    /// [`DTreeError::Shape`] when `assets` and `top_up` do not give this
    /// tree's width.
    pub fn proof(
        &self,
        assets: &AssetList,
        top_up: bool,
        customers: &Customers,
        index: usize,
    ) -> Result<DistributionProof, DTreeError> {
        if (assets.len() + usize::from(top_up)) * VALUES_PER_COLUMN != self.width() {
            return Err(DTreeError::Shape(
                "the columns do not match the tree's width",
            ));
        }
        let (Some(uid), Some(salt)) = (customers.user_id(index), customers.salt(index)) else {
            return Err(DTreeError::NoSuchLeaf(index));
        };
        let (values, path) = self.path(index)?;
        Ok(DistributionProof {
            format: PROOF_FORMAT.to_owned(),
            assets: assets.clone(),
            top_up,
            user_id: uid.to_owned(),
            salt,
            index: index as u64,
            values,
            path,
            root: self.root(),
        })
    }
}

impl DistributionProof {
    /// Assembles a proof from stored nodes (what [`DistributionTree::proof`]
    /// does from a tree in memory). Nothing is checked until
    /// [`DistributionProof::verify`].
    #[allow(
        clippy::too_many_arguments,
        reason = "the proof's fields, in its order"
    )]
    #[must_use]
    pub fn new(
        assets: AssetList,
        top_up: bool,
        user_id: String,
        salt: Salt,
        index: u64,
        values: Vec<Amount>,
        path: Vec<PathStep>,
        root: RootCommitment,
    ) -> DistributionProof {
        DistributionProof {
            format: PROOF_FORMAT.to_owned(),
            assets,
            top_up,
            user_id,
            salt,
            index,
            values,
            path,
            root,
        }
    }

    /// Parses a proof and checks its structure (not its path).
    ///
    /// # Errors
    ///
    /// [`ProofFormatError`] naming the field.
    pub fn from_json(text: &str) -> Result<DistributionProof, ProofFormatError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let p: DistributionProof = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            ProofFormatError::Json {
                field: if field == "." { String::new() } else { field },
                message: e.into_inner().to_string(),
            }
        })?;
        de.end().map_err(|e| ProofFormatError::Json {
            field: String::new(),
            message: e.to_string(),
        })?;
        p.check_structure()?;
        Ok(p)
    }

    /// Pretty-printed JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .expect("a proof has only strings, integers, booleans and arrays");
        s.push('\n');
        s
    }

    fn check_structure(&self) -> Result<(), ProofFormatError> {
        if self.format != PROOF_FORMAT {
            return Err(ProofFormatError::Invalid {
                field: "format",
                message: format!("expected {PROOF_FORMAT:?}, got {:?}", self.format),
            });
        }
        if self.user_id.is_empty() {
            return Err(ProofFormatError::Invalid {
                field: "user_id",
                message: "expected a non-empty user id".into(),
            });
        }
        if self.root.height > MAX_HEIGHT {
            return Err(ProofFormatError::Invalid {
                field: "root.height",
                message: format!("at most {MAX_HEIGHT}, got {}", self.root.height),
            });
        }
        let w = self.width();
        let count = |field: String, got: usize| {
            if got == w {
                Ok(())
            } else {
                Err(ProofFormatError::Count {
                    field,
                    expected: w,
                    got,
                })
            }
        };
        count("values".into(), self.values.len())?;
        for (i, s) in self.path.iter().enumerate() {
            count(format!("path[{i}].sums"), s.sums.len())?;
        }
        count("root.sums".into(), self.root.sums.len())
    }

    /// Values per node: 4 per column.
    #[must_use]
    pub fn width(&self) -> usize {
        (self.assets.len() + usize::from(self.top_up)) * VALUES_PER_COLUMN
    }

    /// The assets.
    #[must_use]
    pub fn assets(&self) -> &AssetList {
        &self.assets
    }

    /// Whether the last column is the JPY top-up.
    #[must_use]
    pub fn has_top_up(&self) -> bool {
        self.top_up
    }

    /// The user id.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The leaf index.
    #[must_use]
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The root the proof itself names (never trusted alone).
    #[must_use]
    pub fn claimed_root(&self) -> &RootCommitment {
        &self.root
    }

    /// The customer's split of column `j` (assets in order, then the top-up).
    #[must_use]
    pub fn split(&self, column: usize) -> Option<Split> {
        let v = self
            .values
            .get(column * VALUES_PER_COLUMN..(column + 1) * VALUES_PER_COLUMN)?;
        Some(Split {
            claim: v[0],
            paid: v[1],
            held: v[2],
            retained: v[3],
        })
    }

    /// Recomputes the root from the leaf and path and compares it with
    /// `root` (the statement's, never the proof's own).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] saying what differs.
    pub fn verify(&self, root: &RootCommitment) -> Result<(), VerifyError> {
        let w = self.width();
        if root.sums.len() != w {
            return Err(VerifyError::AssetMismatch);
        }
        let path_len = self.path.len();
        if u32::try_from(path_len).ok() != Some(root.height) {
            return Err(VerifyError::PathLength {
                path_len,
                height: root.height,
            });
        }
        if root.height < 64 && self.index >> root.height != 0 {
            return Err(VerifyError::IndexOutOfRange {
                index: self.index,
                height: root.height,
            });
        }
        let id = leaf_id(&self.salt, &self.user_id);
        let mut node: NodeHash = dleaf_hash(&id, &self.values);
        let mut sums = self.values.clone();
        for (level, step) in self.path.iter().enumerate() {
            if step.sums.len() != w {
                return Err(VerifyError::AssetMismatch);
            }
            node = if (self.index >> level) & 1 == 0 {
                dnode_hash(&node, &sums, &step.hash, &step.sums)
            } else {
                dnode_hash(&step.hash, &step.sums, &node, &sums)
            };
            for (j, (s, x)) in sums.iter_mut().zip(&step.sums).enumerate() {
                *s = s.checked_add(*x).ok_or_else(|| VerifyError::SumOverflow {
                    level: level + 1,
                    asset: self.value_name(j),
                })?;
            }
        }
        let differing: Vec<String> = sums
            .iter()
            .zip(&root.sums)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(j, _)| self.value_name(j))
            .collect();
        if node != root.hash {
            return Err(VerifyError::RootHashMismatch {
                level: root.height,
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

    /// `BTC claim`, `JPY top-up paid`, ...: the name of value `j`.
    fn value_name(&self, j: usize) -> String {
        let column = j / VALUES_PER_COLUMN;
        let what = ["claim", "paid", "held", "retained"][j % VALUES_PER_COLUMN];
        match self.assets.get(column) {
            Some(a) => format!("{} {what}", a.symbol()),
            None => format!("JPY top-up {what}"),
        }
    }
}
