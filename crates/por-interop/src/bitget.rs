//! Bitget, by the rule of BitgetLimited/proof-of-reserves
//! (`BgMerkleValidator.java`, `model/MerKelTree.java`, `model/TreeNode.java`,
//! `model/MerkleProof.java`, `util/MerkelTreeUtils.java`,
//! `util/JSONUtils.java`).
//!
//! Balances are a `HashMap<String, BigDecimal>`: hashed as fastjson writes
//! the map (Java `HashMap` iteration order, each amount
//! `stripTrailingZeros().toPlainString()`); hashes are the first 16 hex
//! digits of SHA-256.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::decimal::Dec;
use crate::json::{self, join, opt_int, opt_str};
use crate::{javamap, Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

/// A balances map in insertion order (as parsed, or as merged).
#[derive(Debug, Clone)]
pub(crate) struct JMap(pub Vec<(String, Dec)>);

impl JMap {
    pub(crate) fn from_stated(stated: &[(String, String)], path: &str) -> Result<JMap, Error> {
        let mut out = Vec::with_capacity(stated.len());
        for (k, s) in stated {
            let d = Dec::parse(s).map_err(|e| crate::json::decimal_error(join(path, k), e))?;
            out.push((k.clone(), d));
        }
        Ok(JMap(out))
    }

    /// `parent.mergeAsset(child)`: each of the child's keys (in its
    /// iteration order) added to this map, new keys appended.
    fn merge(&mut self, child: &JMap) -> Result<(), Error> {
        for (k, v) in child.iter_order()? {
            match self.0.iter_mut().find(|(x, _)| x == k) {
                Some((_, old)) => {
                    *old = old.checked_add(v).ok_or_else(|| {
                        crate::json::decimal_error(
                            "balances",
                            crate::decimal::DecimalError::TooLarge,
                        )
                    })?;
                }
                None => self.0.push((k.clone(), *v)),
            }
        }
        Ok(())
    }

    /// The entries in Java `HashMap` iteration order.
    pub(crate) fn iter_order(&self) -> Result<Vec<(&String, &Dec)>, Error> {
        let keys: Vec<&str> = self.0.iter().map(|(k, _)| k.as_str()).collect();
        let order = javamap::order(&keys).ok_or_else(|| {
            crate::json::beyond("balances", "two asset symbols share a Java HashMap bucket, so the order Java hashes them in depends on the file's key order, which por does not model")
        })?;
        Ok(order
            .into_iter()
            .filter_map(|k| self.0.iter().find(|(x, _)| x == k).map(|(k, v)| (k, v)))
            .collect())
    }

    /// fastjson's `toJSONString` with Bitget's BigDecimal writer.
    fn json(&self) -> Result<String, Error> {
        let parts: Vec<String> = self
            .iter_order()?
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":\"{}\"", v.canonical()))
            .collect();
        Ok(format!("{{{}}}", parts.join(",")))
    }
}

fn sha16(s: &str) -> String {
    let mut h = hex::encode(Sha256::digest(s.as_bytes()));
    h.truncate(16);
    h
}

struct Node {
    leaf: Option<String>,
    level: Option<i64>,
    role: Option<i64>,
    balances: Option<JMap>,
    stated: Vec<(String, String)>,
}

fn read_node<'a>(v: &'a Value, path: &str) -> Result<(Node, &'a Map<String, Value>), Error> {
    let m = json::obj(v, path)?;
    let stated = json::balances(m.get("balances"), &join(path, "balances"))?;
    let balances = match &stated {
        Some(s) => Some(JMap::from_stated(s, &join(path, "balances"))?),
        None => None,
    };
    Ok((
        Node {
            leaf: opt_str(m.get("merkelLeaf"), &join(path, "merkelLeaf"))?.map(str::to_owned),
            level: opt_int(m.get("level"), &join(path, "level"))?,
            role: opt_int(m.get("role"), &join(path, "role"))?,
            balances,
            stated: stated.unwrap_or_default(),
        },
        m,
    ))
}

/// Bitget's proof file.
pub(crate) struct Bitget;

impl Adapter for Bitget {
    fn format(&self) -> Format {
        Format::Bitget
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        crate::okx::customer_options_unused(input, "bitget")?;
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let me = match top.get("self").filter(|x| !x.is_null()) {
            Some(s) => {
                let (n, m) = read_node(s, "self")?;
                let uid = opt_str(m.get("encryptUid"), "self.encryptUid")?.map(str::to_owned);
                let nonce = opt_str(m.get("nonce"), "self.nonce")?.map(str::to_owned);
                Some((n, uid, nonce))
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
        let negative = me.iter().map(|m| &m.0).chain(&path).any(|n| {
            n.balances
                .as_ref()
                .is_some_and(|b| b.0.iter().any(|(_, d)| d.is_negative()))
        });
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances: me.as_ref().map(|m| m.0.stated.clone()).unwrap_or_default(),
            weaknesses: vec![
                Weakness::HashTruncated64,
                Weakness::SiblingSumsNotBound,
                Weakness::NegativeBalancesNotExcluded,
                Weakness::RootNotSigned,
                Weakness::ProofCarriesOwnRoot,
            ],
            notes: Vec::new(),
            compared: None,
        };
        if negative {
            out.notes
                .push("The file itself contains a negative balance.".to_owned());
        }
        out.verdict = rule(me.as_ref(), &path, &mut out.root)?;
        Ok(out)
    }
}

type Me = (Node, Option<String>, Option<String>);

fn rule(me: Option<&Me>, path: &[Node], root_out: &mut Option<String>) -> Result<Verdict, Error> {
    let (Some((me, uid, nonce)), Some(first)) = (me, path.first()) else {
        return Ok(Verdict::invalid(
            "structure",
            "self and a non-empty path are required",
        ));
    };
    // validateSelf: sha256(encryptUid,nonce,json(balances))[:16] == merkelLeaf.
    let Some(my_bal) = &me.balances else {
        return Ok(Verdict::invalid("self", "self.balances is missing"));
    };
    let Some(my_leaf) = &me.leaf else {
        return Ok(Verdict::invalid(
            "self",
            "self.merkelLeaf is missing (Bitget's validator throws)",
        ));
    };
    let s = |x: &Option<String>| x.clone().unwrap_or_else(|| "null".to_owned());
    let leaf = sha16(&format!("{},{},{}", s(uid), s(nonce), my_bal.json()?));
    if &leaf != my_leaf {
        return Ok(Verdict::invalid(
            "self",
            format!(
                "sha256(encryptUid,nonce,balances) starts {leaf}, not self.merkelLeaf {my_leaf}"
            ),
        ));
    }
    // validatePath on path[0].
    let ok0 = first.balances.as_ref().is_some_and(|b| !b.0.is_empty())
        && first.leaf.as_ref().is_some_and(|l| !l.trim().is_empty())
        && first.role.is_some_and(|r| (0..=3).contains(&r))
        && first.level.is_some_and(|l| l >= 1);
    if !ok0 {
        return Ok(Verdict::invalid(
            "path[0]",
            "path[0] fails validatePath (balances, merkelLeaf, role 0-3, level >= 1)",
        ));
    }
    if first.role == me.role {
        return Ok(Verdict::invalid("path[0]", "path[0].role equals self.role"));
    }
    if path.len() <= 1 {
        return Ok(Verdict::invalid(
            "path",
            "Bitget's buildMerkelTreeRoot needs at least two path entries (it throws)",
        ));
    }
    // buildMerkelTreeRoot.
    let mut cur_leaf = my_leaf.clone();
    let mut cur_level = me.level;
    let mut cur_bal = my_bal.clone();
    for (i, friend) in path.iter().enumerate().take(path.len() - 1) {
        let where_ = format!("path[{i}]");
        let (Some(f_leaf), Some(f_bal)) = (&friend.leaf, &friend.balances) else {
            return Ok(Verdict::invalid(
                &where_,
                "a path entry without merkelLeaf or balances (Bitget's validator throws)",
            ));
        };
        let friend_left = friend.role == Some(1);
        let (l_leaf, l_level, l_bal, r_leaf, r_bal) = if friend_left {
            (f_leaf, friend.level, f_bal, &cur_leaf, &cur_bal)
        } else {
            (&cur_leaf, cur_level, &cur_bal, f_leaf, f_bal)
        };
        let Some(level) = l_level.and_then(|l| l.checked_sub(1)) else {
            return Ok(Verdict::invalid(
                &where_,
                "the left node has no level (Bitget's validator throws)",
            ));
        };
        let mut parent = JMap(Vec::new());
        parent.merge(l_bal)?;
        parent.merge(r_bal)?;
        let hash = sha16(&format!("{l_leaf}{r_leaf},{},{level}", parent.json()?));
        cur_leaf = hash;
        cur_level = Some(level);
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
    // validateEqualsBalances: every computed asset equal (compareTo) to the file's.
    let stated = root.balances.clone().unwrap_or(JMap(Vec::new()));
    for (k, v) in &cur_bal.0 {
        match stated.0.iter().find(|(x, _)| x == k) {
            Some((_, s)) if s.cmp_value(v) == Some(std::cmp::Ordering::Equal) => {}
            Some(_) => {
                return Ok(Verdict::invalid(
                    "root",
                    format!(
                        "the path's total of {k} is {}, the root in the file says otherwise",
                        v.canonical()
                    ),
                ))
            }
            None => {
                return Ok(Verdict::invalid(
                    "root",
                    format!("the root in the file has no {k} (Bitget's validator throws)"),
                ))
            }
        }
    }
    if root.level != cur_level {
        return Ok(Verdict::invalid(
            "root",
            "the path ends at another level than the root in the file",
        ));
    }
    Ok(Verdict::Valid)
}
