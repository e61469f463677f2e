//! MEXC, by the rule of mexcmerkle/mexc-proof-of-reserves
//! (`MexcMerkleValidator.java`, `util/MerkleProofValidator.java`,
//! `model/MerklePathNode.java`, `model/MerkleSelfNode.java`,
//! `util/BigDecimalUtils.java`, `util/SignatureUtil.java`).
//!
//! Balances are `SortedMap<String, String>` (a `TreeMap`: keys in `String`
//! order, which for ASCII symbols is byte order). Hashes are the first 32
//! hex digits of SHA-256. The customer's node sits at level 0; the sibling
//! of the node at level `i` is the path entry at level `i` (an empty node
//! when there is none); the node the path reaches below the root is compared
//! with the root's hash only.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decimal::Dec;
use crate::json::{self, join, malformed, opt_int, opt_str};
use crate::{Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

const LEFT: i64 = 1;
const RIGHT: i64 = 2;
const ROOT: i64 = 3;

fn sha32(s: &str) -> String {
    let mut h = hex::encode(Sha256::digest(s.as_bytes()));
    h.truncate(32);
    h
}

#[derive(Clone)]
struct Node {
    level: Option<i64>,
    ty: Option<i64>,
    hash: Option<String>,
    balances: Option<BTreeMap<String, String>>,
}

fn read_node(v: &Value, path: &str) -> Result<Node, Error> {
    let m = json::obj(v, path)?;
    let balances = json::balances(m.get("balances"), &join(path, "balances"))?;
    Ok(Node {
        level: opt_int(m.get("level"), &join(path, "level"))?,
        ty: opt_int(m.get("type"), &join(path, "type"))?,
        hash: opt_str(m.get("hash"), &join(path, "hash"))?.map(str::to_owned),
        balances: balances.map(|b| b.into_iter().collect()),
    })
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|x| x.trim().is_empty())
}

/// `BigDecimalUtils.parseString`: blank is zero.
fn parse_amount(s: Option<&str>) -> Option<Dec> {
    match s {
        None => Some(Dec::ZERO),
        Some(x) if x.trim().is_empty() => Some(Dec::ZERO),
        Some(x) => Dec::parse(x).ok(),
    }
}

/// Why MEXC's validator would stop with an exception.
struct Throws(String);

/// `mergeBalance`: each of the child's entries summed into `into`, written
/// back with `toPlainString`.
fn merge(into: &mut BTreeMap<String, String>, child: &Node) -> Result<Result<(), Throws>, Error> {
    let Some(b) = &child.balances else {
        return Ok(Ok(()));
    };
    for (k, v) in b {
        let (Some(old), Some(new)) = (
            parse_amount(into.get(k).map(String::as_str)),
            parse_amount(Some(v)),
        ) else {
            return Ok(Err(Throws(format!("an amount of {k} is not a decimal"))));
        };
        let sum = old.checked_add(&new).ok_or_else(|| {
            crate::json::decimal_error("balances", crate::decimal::DecimalError::TooLarge)
        })?;
        into.insert(k.clone(), sum.plain());
    }
    Ok(Ok(()))
}

/// `createInnerNode`, and `calcHashId` over its balances.
fn inner(left: &Node, right: &Node, ty: i64, level: i64) -> Result<Result<Node, Throws>, Error> {
    let mut b = BTreeMap::new();
    if let Err(t) = merge(&mut b, left)? {
        return Ok(Err(t));
    }
    if !blank(right.hash.as_deref()) {
        for k in ["BTC", "USDT", "ETH", "USDC"] {
            b.entry(k.to_owned()).or_insert_with(|| "0".to_owned());
        }
        if let Err(t) = merge(&mut b, right)? {
            return Ok(Err(t));
        }
    }
    let mut parts = Vec::with_capacity(b.len());
    for (k, v) in &b {
        // getBigDecimalPlainStr: null when blank, else stripped plain.
        let shown = if v.trim().is_empty() {
            "null".to_owned()
        } else {
            match Dec::parse(v) {
                Ok(d) => d.canonical(),
                Err(_) => return Ok(Err(Throws(format!("an amount of {k} is not a decimal")))),
            }
        };
        parts.push(format!("{k}:{shown}"));
    }
    let s = |x: &Option<String>| x.clone().unwrap_or_else(|| "null".to_owned());
    let hash = sha32(&format!(
        "{},{},{}",
        s(&left.hash),
        s(&right.hash),
        parts.join(",")
    ));
    Ok(Ok(Node {
        level: Some(level),
        ty: Some(ty),
        hash: Some(hash),
        balances: Some(b),
    }))
}

/// MEXC's proof file.
pub(crate) struct Mexc;

impl Adapter for Mexc {
    fn format(&self) -> Format {
        Format::Mexc
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        crate::okx::customer_options_unused(input, "mexc")?;
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let self_v = top.get("self").filter(|x| !x.is_null());
        let me = self_v.map(|s| read_node(s, "self")).transpose()?;
        let (proof_id, account_id) = match self_v {
            Some(s) => {
                let m = json::obj(s, "self")?;
                (
                    opt_str(m.get("proofId"), "self.proofId")?.map(str::to_owned),
                    opt_str(m.get("accountId"), "self.accountId")?.map(str::to_owned),
                )
            }
            None => (None, None),
        };
        let path: Vec<Node> = json::array(top.get("pathList"), "pathList")?
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, x)| read_node(x, &format!("pathList[{i}]")))
                    .collect()
            })
            .transpose()?
            .unwrap_or_default();
        let balances: Vec<(String, String)> = me
            .as_ref()
            .and_then(|m| m.balances.clone())
            .map(|b| b.into_iter().collect())
            .unwrap_or_default();
        let negative = me.iter().chain(&path).any(|n| {
            n.balances.as_ref().is_some_and(|b| {
                b.values()
                    .any(|s| Dec::parse(s).is_ok_and(|d| d.is_negative()))
            })
        });
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances,
            weaknesses: vec![
                Weakness::HashTruncated128,
                Weakness::SiblingSumsNotBound,
                Weakness::NegativeBalancesNotExcluded,
                Weakness::UserIdUnsalted,
                Weakness::RootNotSigned,
                Weakness::ProofCarriesOwnRoot,
                Weakness::StatedTotalsNotChecked,
            ],
            notes: Vec::new(),
            compared: None,
        };
        if negative {
            out.notes
                .push("The file itself contains a negative balance.".to_owned());
        }
        out.verdict = match rule(
            me.as_ref(),
            proof_id.as_deref(),
            account_id.as_deref(),
            &path,
            &mut out.root,
        )? {
            Ok(v) => v,
            Err(Throws(why)) => Verdict::invalid(
                "exception",
                format!("MEXC's validator stops with an exception: {why}"),
            ),
        };
        Ok(out)
    }
}

fn rule(
    me: Option<&Node>,
    proof_id: Option<&str>,
    account_id: Option<&str>,
    path: &[Node],
    root_out: &mut Option<String>,
) -> Result<Result<Verdict, Throws>, Error> {
    let (Some(me), Some(root)) = (me, path.last()) else {
        return Ok(Err(Throws(
            "self and a non-empty pathList are required".to_owned(),
        )));
    };
    // MerkleSelfNode.validate.
    let Some(b) = &me.balances else {
        return Ok(Ok(Verdict::invalid("self", "self.balances is missing")));
    };
    let parts: Vec<String> = b.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    let content = format!(
        "{},{},{}",
        proof_id.unwrap_or("null"),
        account_id.unwrap_or("null"),
        parts.join(",")
    );
    let leaf = sha32(&content);
    if Some(&leaf) != me.hash.as_ref() {
        return Ok(Ok(Verdict::invalid(
            "self",
            format!(
                "sha256(proofId,accountId,balances) starts {leaf}, not self.hash {}",
                me.hash.as_deref().unwrap_or("null")
            ),
        )));
    }
    // pathValidate.
    let Some(depth) = root.level else {
        return Ok(Err(Throws("the root has no level".to_owned())));
    };
    let mut by_level: BTreeMap<i64, &Node> = BTreeMap::new();
    for (i, n) in path.iter().enumerate() {
        let Some(l) = n.level else {
            return Ok(Err(Throws(format!("pathList[{i}] has no level"))));
        };
        if by_level.insert(l, n).is_some() {
            return Ok(Err(Throws(format!(
                "two path entries at level {l} (Collectors.toMap)"
            ))));
        }
    }
    if depth > 4096 {
        return Err(malformed(
            "pathList",
            "a root level above 4096 (por's limit)",
        ));
    }
    let mut cur = me.clone();
    let mut pair: Option<(Node, Node)> = None;
    for i in 0..depth {
        let Some(cur_ty) = cur.ty else {
            return Ok(Err(Throws(format!("the node at level {i} has no type"))));
        };
        let sib = match by_level.get(&i) {
            Some(n) => (*n).clone(),
            None => Node {
                level: cur.level,
                ty: Some(if cur_ty == LEFT { RIGHT } else { LEFT }),
                hash: Some(String::new()),
                balances: Some(BTreeMap::new()),
            },
        };
        let (l, r) = if cur_ty == LEFT {
            (cur.clone(), sib)
        } else {
            (sib, cur.clone())
        };
        let parent_ty = match by_level.get(&(i + 1)) {
            None => LEFT,
            Some(b) => match b.ty {
                None => {
                    return Ok(Err(Throws(format!(
                        "the path entry at level {} has no type",
                        i + 1
                    ))))
                }
                Some(t) if t == LEFT => RIGHT,
                Some(_) => LEFT,
            },
        };
        cur = match inner(&l, &r, parent_ty, i + 1)? {
            Ok(n) => n,
            Err(t) => return Ok(Err(t)),
        };
        pair = Some((l, r));
    }
    let Some((l, r)) = pair else {
        return Ok(Ok(Verdict::invalid(
            "root",
            "the root's level is 0 or less, so no path is followed",
        )));
    };
    let computed = match inner(&l, &r, ROOT, depth)? {
        Ok(n) => n,
        Err(t) => return Ok(Err(t)),
    };
    let h = computed.hash.unwrap_or_default();
    *root_out = Some(h.clone());
    if Some(&h) != root.hash.as_ref() {
        return Ok(Ok(Verdict::invalid(
            "root",
            format!(
                "the path leads to root {h}, not to the root in the file ({})",
                root.hash.as_deref().unwrap_or("null")
            ),
        )));
    }
    Ok(Ok(Verdict::Valid))
}
