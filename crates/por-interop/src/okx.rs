//! OKX, both formats, by the rule of okx/proof-of-reserves
//! (`common/merkle.go`, `common/merklev2.go`, `common/validator.go`,
//! `cmd/merklevalidator/main.go`; docs/interop.md names the commit).
//!
//! Balances are a Go struct of exactly `BTC`, `ETH` and `USDT` strings
//! (other keys are ignored by Go's decoder). A sum is shopspring's
//! `a.Add(b).RoundDown(8).String()`; balances are compared as strings.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::decimal::Dec;
use crate::json::{self, go_field, join, malformed, opt_int, opt_str};
use crate::{Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

const ASSETS: [&str; 3] = ["BTC", "ETH", "USDT"];

/// OKX's `Balances` struct: three strings, `""` when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Balances([String; 3]);

impl Balances {
    fn read(v: Option<&Value>, path: &str) -> Result<Option<Balances>, Error> {
        let v = match v {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let m = json::obj(v, path)?;
        let mut out: [String; 3] = Default::default();
        for (slot, name) in out.iter_mut().zip(ASSETS) {
            let p = join(path, name);
            if let Some(s) = opt_str(go_field(m, name, path)?, &p)? {
                json::not_too_large(s, &p)?;
                s.clone_into(slot);
            }
        }
        Ok(Some(Balances(out)))
    }

    /// `{"BTC":"..","ETH":"..","USDT":".."}` as OKX's `String()` and Go's
    /// `json.Marshal` of the struct write it (the strings are checked to
    /// need no escaping).
    fn json(&self) -> String {
        format!(
            "{{\"BTC\":\"{}\",\"ETH\":\"{}\",\"USDT\":\"{}\"}}",
            self.0[0], self.0[1], self.0[2]
        )
    }

    fn concat(&self) -> String {
        self.0.concat()
    }

    /// Whether every amount parses as shopspring's `NewFromString` would.
    fn parse(&self) -> Option<[Dec; 3]> {
        let mut out = [Dec::ZERO; 3];
        for (o, s) in out.iter_mut().zip(&self.0) {
            *o = Dec::parse(s).ok()?;
        }
        Some(out)
    }

    /// `Add`: the exact sum of each asset, `RoundDown(8)`, `String()`.
    fn add(&self, other: &Balances) -> Result<Option<Balances>, Error> {
        let (Some(a), Some(b)) = (self.parse(), other.parse()) else {
            return Ok(None);
        };
        let mut out: [String; 3] = Default::default();
        for i in 0..3 {
            let s = a[i]
                .checked_add(&b[i])
                .and_then(|s| s.set_scale_down(8))
                .ok_or_else(|| {
                    crate::json::decimal_error("balances", crate::decimal::DecimalError::TooLarge)
                })?;
            out[i] = s.canonical();
        }
        Ok(Some(Balances(out)))
    }

    fn stated(&self) -> Vec<(String, String)> {
        ASSETS
            .iter()
            .zip(&self.0)
            .map(|(a, v)| ((*a).to_owned(), v.clone()))
            .collect()
    }

    fn any_negative(&self) -> bool {
        self.parse().is_some_and(|p| p.iter().any(Dec::is_negative))
    }

    fn check_plain(&self, path: &str) -> Result<(), Error> {
        for (a, s) in ASSETS.iter().zip(&self.0) {
            if s.bytes().any(|b| {
                b == b'"'
                    || b == b'\\'
                    || !(0x20..0x7f).contains(&b)
                    || b == b'<'
                    || b == b'>'
                    || b == b'&'
            }) {
                return Err(malformed(
                    join(path, a),
                    "an amount with characters JSON serialisers escape differently",
                ));
            }
        }
        Ok(())
    }
}

fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn field<'a>(
    m: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'a Value>, Error> {
    go_field(m, name, path)
}

fn s_or_empty(m: &Map<String, Value>, name: &str, path: &str) -> Result<String, Error> {
    Ok(opt_str(field(m, name, path)?, &join(path, name))?
        .unwrap_or("")
        .to_owned())
}

fn i_or_zero(m: &Map<String, Value>, name: &str, path: &str) -> Result<i64, Error> {
    Ok(opt_int(field(m, name, path)?, &join(path, name))?.unwrap_or(0))
}

struct Node {
    hash: String,
    ty: i64,
    height: i64,
    balances: Option<Balances>,
}

impl Node {
    fn read(v: &Value, path: &str) -> Result<Node, Error> {
        let m = json::obj(v, path)?;
        let balances = Balances::read(field(m, "balances", path)?, &join(path, "balances"))?;
        if let Some(b) = &balances {
            b.check_plain(&join(path, "balances"))?;
        }
        Ok(Node {
            hash: s_or_empty(m, "hash", path)?,
            ty: i_or_zero(m, "type", path)?,
            height: i_or_zero(m, "height", path)?,
            balances,
        })
    }

    /// OKX's `Path.Validate`.
    fn validate(&self) -> bool {
        self.balances.as_ref().is_some_and(|b| b.parse().is_some())
            && !self.hash.is_empty()
            && (1..=4).contains(&self.ty)
            && self.height >= 1
    }
}

/// OKX's `NewPath`: the parent of two nodes at `height`; `None` where OKX's
/// code would dereference a nil node (a balance that is not a decimal).
fn new_path(
    l: &str,
    r: &str,
    a: &Balances,
    b: &Balances,
    height: i64,
) -> Result<Option<(String, Balances)>, Error> {
    let Some(sum) = a.add(b)? else {
        return Ok(None);
    };
    let hash = sha_hex(&format!("{l}{r}{}{height}", sum.concat()));
    Ok(Some((hash, sum)))
}

/// OKX v1: `merkle_proof_file.json`.
pub(crate) struct OkxV1;

const V1_WEAK: [Weakness; 5] = [
    Weakness::SiblingSumsNotBound,
    Weakness::NegativeBalancesNotExcluded,
    Weakness::RootNotSigned,
    Weakness::ProofCarriesOwnRoot,
    Weakness::SumsTruncated,
];

impl Adapter for OkxV1 {
    fn format(&self) -> Format {
        Format::OkxV1
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        no_customer_options(input, "okx-v1")?;
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let self_v = field(top, "self", "")?.filter(|x| !x.is_null());
        let path_v = json::array(field(top, "path", "")?, "path")?;
        let me = match self_v {
            Some(s) => Some(Node::read(s, "self")?),
            None => None,
        };
        let nonce = match self_v {
            Some(s) => s_or_empty(json::obj(s, "self")?, "nonce", "self")?,
            None => String::new(),
        };
        let path: Vec<Node> = path_v
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, x)| Node::read(x, &format!("path[{i}]")))
                    .collect()
            })
            .transpose()?
            .unwrap_or_default();
        let balances = me
            .as_ref()
            .and_then(|m| m.balances.as_ref())
            .map(Balances::stated)
            .unwrap_or_default();
        let mut weak = V1_WEAK.to_vec();
        let negative = me
            .iter()
            .chain(&path)
            .any(|n| n.balances.as_ref().is_some_and(Balances::any_negative));
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances,
            weaknesses: Vec::new(),
            notes: Vec::new(),
            compared: None,
        };
        if negative {
            out.notes
                .push("The file itself contains a negative balance.".to_owned());
        }
        out.verdict = v1_rule(me.as_ref(), &nonce, &path, &mut out.root)?;
        weak.sort();
        out.weaknesses = weak;
        Ok(out)
    }
}

fn v1_rule(
    me: Option<&Node>,
    nonce: &str,
    path: &[Node],
    root_out: &mut Option<String>,
) -> Result<Verdict, Error> {
    let (Some(me), Some(first), Some(root)) = (me, path.first(), path.last()) else {
        return Ok(Verdict::invalid(
            "structure",
            "the file needs self and a non-empty path (MerkleProof.Validate)",
        ));
    };
    // Self.Validate: sha256(nonce || balances.String()) == "0x" + self.hash.
    let Some(my_bal) = &me.balances else {
        return Ok(Verdict::invalid(
            "self",
            "self.balances is missing (OKX's Self.Validate would dereference nil)",
        ));
    };
    let leaf = sha_hex(&format!("{nonce}{}", my_bal.json()));
    if leaf != me.hash {
        return Ok(Verdict::invalid(
            "self",
            format!(
                "sha256(nonce || balances) is {leaf}, not self.hash {}",
                me.hash
            ),
        ));
    }
    if !first.validate() {
        return Ok(Verdict::invalid(
            "path[0]",
            "path[0] fails Path.Validate (balances, hash, type 1-4, height >= 1)",
        ));
    }
    if first.ty == me.ty {
        return Ok(Verdict::invalid(
            "path[0]",
            "path[0].type equals self.type (a node cannot be its own sibling)",
        ));
    }
    let (l, r) = if me.ty == 1 {
        (&me.hash, &first.hash)
    } else {
        (&first.hash, &me.hash)
    };
    let first_bal = first.balances.as_ref().expect("validated");
    let Some(mut node) = new_path(l, r, my_bal, first_bal, 2)? else {
        return Ok(Verdict::invalid(
            "path[0]",
            "self.balances are not decimals (OKX's NewPath returns nil)",
        ));
    };
    let mut height = 2;
    let n = path.len();
    for (i, p) in path.iter().enumerate().take(n.saturating_sub(1)).skip(1) {
        if !p.validate() {
            return Ok(Verdict::invalid(
                &format!("path[{i}]"),
                format!("path[{i}] fails Path.Validate (balances, hash, type 1-4, height >= 1)"),
            ));
        }
        let (l, r) = if p.ty == 1 {
            (p.hash.as_str(), node.0.as_str())
        } else {
            (node.0.as_str(), p.hash.as_str())
        };
        let h = p
            .height
            .checked_add(1)
            .ok_or_else(|| malformed(format!("path[{i}].height"), "too large"))?;
        let bal = p.balances.as_ref().expect("validated");
        node = match new_path(l, r, &node.1, bal, h)? {
            Some(x) => x,
            None => {
                return Ok(Verdict::invalid(
                    &format!("path[{i}]"),
                    "a sum is not a decimal",
                ))
            }
        };
        height = h;
    }
    *root_out = Some(node.0.clone());
    if node.0 != root.hash {
        return Ok(Verdict::invalid(
            "root",
            format!(
                "the path leads to root {}, not to the root in the file ({})",
                node.0, root.hash
            ),
        ));
    }
    if root.balances.as_ref() != Some(&node.1) {
        return Ok(Verdict::invalid(
            "root",
            format!(
                "the path's totals {} differ from the root balances in the file",
                node.1.json()
            ),
        ));
    }
    if height != root.height {
        return Ok(Verdict::invalid(
            "root",
            format!(
                "the path ends at height {height}, the root in the file says {}",
                root.height
            ),
        ));
    }
    Ok(Verdict::Valid)
}

pub(crate) fn no_customer_options(input: &Input<'_>, id: &str) -> Result<(), Error> {
    let c = input.customer;
    if c.account.is_some() || c.nonce.is_some() || c.account_nonce.is_some() {
        return Err(Error::Usage(format!(
            "{id} proofs hold everything they need: --account, --nonce and --account-nonce are for bitmex only"
        )));
    }
    if input.tree.is_some() && id != "okx-v2" {
        return Err(Error::Usage(format!(
            "{id} proofs are one file: --tree is for okx-v2 only"
        )));
    }
    Ok(())
}

pub(crate) use no_customer_options as customer_options_unused;

/// OKX v2: the user info file and the full liabilities tree file.
pub(crate) struct OkxV2;

const V2_WEAK: [Weakness; 5] = [
    Weakness::InternalNodesNotChecked,
    Weakness::NegativeBalancesNotExcluded,
    Weakness::RootNotSigned,
    Weakness::SumsTruncated,
    Weakness::SiblingSumsNotBound,
];

struct TreeLine {
    hash: String,
    height: i64,
    balances: Balances,
}

/// Reads the tree file as OKX's `FindUserLeafNodesCountInMerkle` does: lines
/// of `hash,height,json`, lines with fewer than three fields skipped.
fn read_tree(text: &str) -> Result<Vec<TreeLine>, Error> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut parts = line.splitn(3, ',');
        let (Some(hash), Some(height), Some(js)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let where_ = format!("tree line {}", n + 1);
        let height: i64 = height
            .parse()
            .map_err(|_| malformed(&where_, "the height is not an integer"))?;
        let v: Value = serde_json::from_str(js)
            .map_err(|e| malformed(&where_, format!("balances are not JSON: {e}")))?;
        let b = Balances::read(Some(&v), &where_)?
            .ok_or_else(|| malformed(&where_, "balances are null"))?;
        b.check_plain(&where_)?;
        out.push(TreeLine {
            hash: hash.to_owned(),
            height,
            balances: b,
        });
    }
    Ok(out)
}

impl Adapter for OkxV2 {
    fn format(&self) -> Format {
        Format::OkxV2
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        no_customer_options(input, "okx-v2")?;
        let Some(tree_text) = input.tree else {
            return Err(Error::Usage(
                "okx-v2: give OKX's full liabilities tree file with --tree (the proof is the user info file)".to_owned(),
            ));
        };
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let user_hash = s_or_empty(top, "hash", "")?;
        let nonce = s_or_empty(top, "nonce", "")?;
        let total = Balances::read(field(top, "totalBalances", "")?, "totalBalances")?
            .unwrap_or(Balances(Default::default()));
        total.check_plain("totalBalances")?;
        let nodes: Vec<Node> = json::array(field(top, "nodes", "")?, "nodes")?
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, x)| Node::read(x, &format!("nodes[{i}]")))
                    .collect()
            })
            .transpose()?
            .unwrap_or_default();
        let tree = read_tree(tree_text)?;
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances: total.stated(),
            weaknesses: V2_WEAK.to_vec(),
            notes: Vec::new(),
            compared: None,
        };
        out.verdict = v2_rule(&user_hash, &nonce, &total, &nodes, &tree)?;
        // por's own, stricter look at the tree file: OKX's tool never
        // recomputes it. The root is reported only when every internal node
        // recomputes.
        match rebuild(&tree)? {
            Ok(root) => {
                out.notes.push("por recomputed every internal node of the tree file: they are consistent, and lead to the root reported.".to_owned());
                out.root = Some(root);
            }
            Err(why) => out.notes.push(format!("por could not recompute the tree file's internal nodes ({why}); no root is reported.")),
        }
        Ok(out)
    }
}

fn v2_rule(
    user_hash: &str,
    nonce: &str,
    total: &Balances,
    nodes: &[Node],
    tree: &[TreeLine],
) -> Result<Verdict, Error> {
    // SelfInfo.Check.
    if nodes.is_empty() {
        return Ok(Verdict::invalid("user-info", "nodes is empty"));
    }
    for (i, n) in nodes.iter().enumerate() {
        let Some(b) = &n.balances else {
            return Ok(Verdict::invalid(
                "user-info",
                format!("nodes[{i}].balances is missing"),
            ));
        };
        let h = sha_hex(&format!("{user_hash}{}", b.concat()));
        if !h.eq_ignore_ascii_case(&n.hash) {
            return Ok(Verdict::invalid(
                "user-info",
                format!(
                    "nodes[{i}]: sha256(hash || BTC || ETH || USDT) is {h}, not its hash {}",
                    n.hash
                ),
            ));
        }
    }
    let uh = sha_hex(&format!("{nonce}{}", total.json()));
    if !uh.eq_ignore_ascii_case(user_hash) {
        return Ok(Verdict::invalid(
            "user-info",
            format!("sha256(nonce || json(totalBalances)) is {uh}, not hash {user_hash}"),
        ));
    }
    let mut sum = nodes[0].balances.clone().expect("checked above");
    for n in &nodes[1..] {
        match sum.add(n.balances.as_ref().expect("checked above"))? {
            Some(s) => sum = s,
            None => {
                return Ok(Verdict::invalid(
                    "user-info",
                    "a node's balance is not a decimal",
                ))
            }
        }
    }
    if &sum != total {
        return Ok(Verdict::invalid(
            "user-info",
            format!(
                "the nodes' balances add up to {}, not totalBalances {}",
                sum.json(),
                total.json()
            ),
        ));
    }
    // FindUserLeafNodesCountInMerkle: each node must appear as a height-1
    // line with the same hash (exactly) and the same balance strings.
    let mut missing = Vec::new();
    for n in nodes {
        let line = tree
            .iter()
            .filter(|l| l.height == 1)
            .find(|l| l.hash.eq_ignore_ascii_case(&n.hash));
        let found = line.is_some_and(|l| {
            l.balances.parse().is_some()
                && l.hash == n.hash
                && Some(&l.balances) == n.balances.as_ref()
        });
        if !found {
            missing.push(n.hash.clone());
        }
    }
    if !missing.is_empty() {
        return Ok(Verdict::invalid(
            "tree",
            format!(
                "not found in the tree file as a leaf with the same balances: {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(Verdict::Valid)
}

/// por's recomputation of the whole tree file (not part of OKX's rule):
/// each level is listed right to left; the parent of two neighbours (left
/// first, once the level is reversed) is `sha256(L || R || BTC || ETH ||
/// USDT || height)` over their `Add`; a level with an odd number of parents
/// is padded with a zero-balance copy of its last node.
fn rebuild(tree: &[TreeLine]) -> Result<Result<String, String>, Error> {
    let Some(top) = tree.iter().map(|l| l.height).max() else {
        return Ok(Err("the tree file is empty".to_owned()));
    };
    let level =
        |h: i64| -> Vec<&TreeLine> { tree.iter().filter(|l| l.height == h).rev().collect() };
    for h in 1..top {
        let kids = level(h);
        let parents = level(h + 1);
        if kids.len() % 2 != 0 {
            return Ok(Err(format!("height {h} has an odd number of nodes")));
        }
        let mut computed = Vec::new();
        for pair in kids.chunks(2) {
            match new_path(
                &pair[0].hash,
                &pair[1].hash,
                &pair[0].balances,
                &pair[1].balances,
                h + 1,
            )? {
                Some(p) => computed.push(p),
                None => return Ok(Err(format!("a balance at height {h} is not a decimal"))),
            }
        }
        let pad_ok = match parents.len().checked_sub(computed.len()) {
            Some(0) => true,
            Some(1) => {
                computed.len() % 2 == 1
                    && parents.last().zip(computed.last()).is_some_and(|(p, c)| {
                        p.hash == c.0
                            && p.balances.parse().is_some_and(|b| {
                                b.iter().all(|x| {
                                    x.cmp_value(&Dec::ZERO) == Some(std::cmp::Ordering::Equal)
                                })
                            })
                    })
            }
            _ => false,
        };
        if !pad_ok {
            return Ok(Err(format!(
                "height {} does not have the nodes height {h} leads to",
                h + 1
            )));
        }
        for (i, (c, p)) in computed.iter().zip(&parents).enumerate() {
            if c.0 != p.hash || c.1 != p.balances {
                return Ok(Err(format!(
                    "node {i} (from the left) at height {} does not recompute",
                    h + 1
                )));
            }
        }
    }
    let roots = level(top);
    match roots.as_slice() {
        [r] => Ok(Ok(r.hash.to_ascii_lowercase())),
        _ => Ok(Err(format!(
            "height {top} has {} nodes, not one root",
            roots.len()
        ))),
    }
}
