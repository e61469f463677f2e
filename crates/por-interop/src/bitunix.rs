//! Bitunix, by the rule of BitunixOfficial/proof-of-reserves
//! (`BitunixMerkleValidator.java`, `model/MerKelTree.java`,
//! `model/MerkleTreePath.java`, `model/TreeNode.java`,
//! `util/MerkelTreeUtil.java`).
//!
//! Balances are a `HashMap<String, String>`: the leaf hashes the strings as
//! written; a parent's amounts are `BigDecimal` sums `setScale(precision,
//! DOWN).toPlainString()` with the precisions the customer's own node
//! states. Full SHA-256; only the root hash is compared.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::decimal::Dec;
use crate::json::{self, join, malformed, opt_int, opt_str};
use crate::{javamap, Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A `HashMap<String, String>` in insertion order.
type SMap = Vec<(String, String)>;

fn ordered(m: &SMap) -> Result<Vec<&(String, String)>, Error> {
    let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
    let order = javamap::order(&keys).ok_or_else(|| {
        crate::json::beyond("balances", "two asset symbols share a Java HashMap bucket, so the order Java hashes them in depends on the file's key order, which por does not model")
    })?;
    Ok(order
        .into_iter()
        .filter_map(|k| m.iter().find(|(x, _)| x == k))
        .collect())
}

fn to_json(m: &SMap) -> Result<String, Error> {
    let parts: Vec<String> = ordered(m)?
        .into_iter()
        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
        .collect();
    Ok(format!("{{{}}}", parts.join(",")))
}

struct Node {
    leaf: Option<String>,
    height: Option<i64>,
    ty: Option<i64>,
    balances: Option<SMap>,
}

fn read_node<'a>(v: &'a Value, path: &str) -> Result<(Node, &'a Map<String, Value>), Error> {
    let m = json::obj(v, path)?;
    let balances = json::balances(m.get("balances"), &join(path, "balances"))?;
    if let Some(b) = &balances {
        for (k, s) in b {
            if s.bytes()
                .any(|c| c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c))
            {
                return Err(malformed(
                    join(&join(path, "balances"), k),
                    "an amount with characters JSON serialisers escape differently",
                ));
            }
        }
    }
    Ok((
        Node {
            leaf: opt_str(m.get("merkleLeaf"), &join(path, "merkleLeaf"))?.map(str::to_owned),
            height: opt_int(m.get("height"), &join(path, "height"))?,
            ty: opt_int(m.get("type"), &join(path, "type"))?,
            balances,
        },
        m,
    ))
}

/// Bitunix's proof file.
pub(crate) struct Bitunix;

impl Adapter for Bitunix {
    fn format(&self) -> Format {
        Format::Bitunix
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        crate::okx::customer_options_unused(input, "bitunix")?;
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let mut uid = None;
        let mut nonce = None;
        let mut precisions: Option<Vec<(String, i64)>> = None;
        let me = match top.get("self").filter(|x| !x.is_null()) {
            Some(s) => {
                let (n, m) = read_node(s, "self")?;
                uid = opt_str(m.get("encryptUid"), "self.encryptUid")?.map(str::to_owned);
                nonce = opt_str(m.get("nonce"), "self.nonce")?.map(str::to_owned);
                if let Some(p) = m.get("precisions").filter(|x| !x.is_null()) {
                    let pm = json::obj(p, "self.precisions")?;
                    let mut out = Vec::new();
                    for (k, x) in pm {
                        let path = join("self.precisions", k);
                        let x = opt_int(Some(x), &path)?
                            .ok_or_else(|| malformed(&path, "null precision"))?;
                        if !(0..=30).contains(&x) {
                            return Err(malformed(
                                path,
                                "a precision outside 0..=30 (por's limit)",
                            ));
                        }
                        out.push((k.clone(), x));
                    }
                    precisions = Some(out);
                }
                Some(n)
            }
            None => None,
        };
        let path: Vec<Node> = json::array(top.get("path"), "path")?
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, x)| read_node(x, &format!("path[{i}]")).map(|r| r.0))
                    .collect()
            })
            .transpose()?
            .unwrap_or_default();
        let negative = me.iter().chain(&path).any(|n| {
            n.balances.as_ref().is_some_and(|b| {
                b.iter()
                    .any(|(_, s)| Dec::parse(s).is_ok_and(|d| d.is_negative()))
            })
        });
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances: me
                .as_ref()
                .and_then(|m| m.balances.clone())
                .unwrap_or_default(),
            weaknesses: vec![
                Weakness::SiblingSumsNotBound,
                Weakness::NegativeBalancesNotExcluded,
                Weakness::AssetsOrDecimalsNotCommitted,
                Weakness::RootNotSigned,
                Weakness::ProofCarriesOwnRoot,
                Weakness::SumsTruncated,
                Weakness::StatedTotalsNotChecked,
            ],
            notes: Vec::new(),
            compared: None,
        };
        if negative {
            out.notes
                .push("The file itself contains a negative balance.".to_owned());
        }
        let ctx = Ctx {
            uid: uid.as_deref(),
            nonce: nonce.as_deref(),
            precisions: precisions.as_deref(),
        };
        out.verdict = rule(me.as_ref(), &path, &ctx, &mut out.root)?;
        Ok(out)
    }
}

struct Ctx<'a> {
    uid: Option<&'a str>,
    nonce: Option<&'a str>,
    precisions: Option<&'a [(String, i64)]>,
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|x| x.trim().is_empty())
}

fn rule(
    me: Option<&Node>,
    path: &[Node],
    ctx: &Ctx<'_>,
    root_out: &mut Option<String>,
) -> Result<Verdict, Error> {
    let (Some(me), Some(first)) = (me, path.first()) else {
        return Ok(Verdict::invalid(
            "structure",
            "self and a non-empty path are required",
        ));
    };
    let (Some(my_bal), Some(my_leaf)) = (&me.balances, &me.leaf) else {
        return Ok(Verdict::invalid(
            "self",
            "self.balances or self.merkleLeaf is missing (Bitunix's validator throws)",
        ));
    };
    let s = |x: Option<&str>| x.unwrap_or("null").to_owned();
    let leaf = sha(&format!(
        "{},{},{}",
        s(ctx.uid),
        s(ctx.nonce),
        to_json(my_bal)?
    ));
    if &leaf != my_leaf {
        return Ok(Verdict::invalid(
            "self",
            format!("sha256(encryptUid,nonce,balances) is {leaf}, not self.merkleLeaf {my_leaf}"),
        ));
    }
    if blank(ctx.uid)
        || blank(ctx.nonce)
        || my_bal.is_empty()
        || ctx.precisions.is_none_or(<[_]>::is_empty)
        || me.height.is_none()
    {
        return Ok(Verdict::invalid(
            "self",
            "validateSelf needs encryptUid, nonce, balances, precisions and height",
        ));
    }
    let ok0 = first.balances.as_ref().is_some_and(|b| !b.is_empty())
        && first.leaf.as_deref().is_some_and(|l| !l.trim().is_empty())
        && first.ty.is_some_and(|t| (1..=3).contains(&t))
        && first.height.is_some();
    if !ok0 {
        return Ok(Verdict::invalid(
            "path[0]",
            "path[0] fails validatePath (balances, merkleLeaf, type 1-3, height)",
        ));
    }
    if first.ty == me.ty {
        return Ok(Verdict::invalid("path[0]", "path[0].type equals self.type"));
    }
    if path.len() <= 1 {
        return Ok(Verdict::invalid(
            "path",
            "Bitunix's buildMerkelTreeRoot needs at least two path entries (it throws)",
        ));
    }
    let precisions = ctx.precisions.unwrap_or(&[]);
    let mut cur_leaf = my_leaf.clone();
    let mut cur_height = me.height;
    let mut cur_bal = my_bal.clone();
    for (i, sib) in path.iter().enumerate().take(path.len() - 1) {
        let where_ = format!("path[{i}]");
        let (Some(s_leaf), Some(s_bal)) = (&sib.leaf, &sib.balances) else {
            return Ok(Verdict::invalid(
                &where_,
                "a path entry without merkleLeaf or balances (Bitunix's validator throws)",
            ));
        };
        let sib_left = sib.ty == Some(1);
        let (l_leaf, l_height, l_bal, r_leaf, r_bal) = if sib_left {
            (s_leaf, sib.height, s_bal, &cur_leaf, &cur_bal)
        } else {
            (&cur_leaf, cur_height, &cur_bal, s_leaf, s_bal)
        };
        let Some(height) = l_height.and_then(|h| h.checked_sub(1)) else {
            return Ok(Verdict::invalid(
                &where_,
                "the left node has no height (Bitunix's validator throws)",
            ));
        };
        // getTotalBalances: over the left map's keys, in its HashMap order.
        let mut parent: SMap = Vec::new();
        for (k, v) in ordered(l_bal)? {
            let Some(rv) = r_bal.iter().find(|(x, _)| x == k).map(|(_, v)| v) else {
                return Ok(Verdict::invalid(
                    &where_,
                    format!("the right node has no {k} (Bitunix's validator throws)"),
                ));
            };
            let Some(p) = precisions.iter().find(|(x, _)| x == k).map(|(_, p)| *p) else {
                return Ok(Verdict::invalid(
                    &where_,
                    format!("self.precisions has no {k} (Bitunix's validator throws)"),
                ));
            };
            let (Ok(a), Ok(b)) = (Dec::parse(v), Dec::parse(rv)) else {
                return Ok(Verdict::invalid(
                    &where_,
                    format!("an amount of {k} is not a decimal (Bitunix's validator throws)"),
                ));
            };
            let scale = u32::try_from(p).map_err(|_| malformed("self.precisions", "negative"))?;
            let sum = a
                .checked_add(&b)
                .and_then(|s| s.set_scale_down(scale))
                .ok_or_else(|| {
                    crate::json::decimal_error(&where_, crate::decimal::DecimalError::TooLarge)
                })?;
            parent.push((k.clone(), sum.plain()));
        }
        let hash = sha(&format!("{l_leaf}{r_leaf},{},{height}", to_json(&parent)?));
        cur_leaf = hash;
        cur_height = Some(height);
        cur_bal = parent;
    }
    *root_out = Some(cur_leaf.clone());
    let root = path.last().expect("len > 1");
    if root.leaf.as_deref() != Some(cur_leaf.as_str()) {
        return Ok(Verdict::invalid(
            "root",
            format!(
                "the path leads to root {cur_leaf}, not to the root in the file ({})",
                root.leaf.as_deref().unwrap_or("none")
            ),
        ));
    }
    Ok(Verdict::Valid)
}
