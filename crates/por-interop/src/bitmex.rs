//! BitMEX proof of liabilities, by the rule of
//! BitMEX/proof-of-reserves-liabilities (`validate_liabilities.py`).
//!
//! The proof file is the whole published tree: `block_height:N`, then one
//! `digest_hex,value` line per node, the root first and then each level
//! left to right; the leaf count is a power of two. A leaf is
//! `HMAC-SHA256(key = nonce, le64(value) || le64(index))`; a parent is
//! `sha256(L || le64(Lv) || R || le64(Rv))` with value `Lv + Rv`. The
//! customer's nonce (`--nonce`, or derived from `--account-nonce` as
//! `sha256(account_nonce || le64(height) || le64(account))`) opens the
//! leaves whose HMAC matches; the path of each is recomputed to the root.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::json::malformed;
use crate::{Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

struct Node {
    hash: Vec<u8>,
    value: u64,
}

fn read(text: &str) -> Result<(u64, Vec<Vec<Node>>, usize), Error> {
    let mut lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines
        .next()
        .ok_or_else(|| malformed("line 1", "empty file"))?;
    let height = first
        .trim()
        .strip_prefix("block_height:")
        .and_then(|h| h.trim().parse::<u64>().ok())
        .ok_or_else(|| malformed("line 1", "expected block_height:N"))?;
    let mut levels: Vec<Vec<Node>> = Vec::new();
    let mut row = Vec::new();
    let mut size = 1usize;
    for (n, line) in lines {
        let at = format!("line {}", n + 1);
        let (h, v) = line
            .trim()
            .split_once(',')
            .ok_or_else(|| malformed(&at, "expected digest_hex,value"))?;
        if v.contains(',') {
            return Err(malformed(&at, "expected two fields"));
        }
        let hash = hex::decode(h.trim()).map_err(|_| malformed(&at, "the digest is not hex"))?;
        if hash.len() != 32 {
            return Err(malformed(&at, "the digest is not 32 bytes"));
        }
        let value: u64 = v
            .trim()
            .parse()
            .map_err(|_| malformed(&at, "the value is not an integer of 0..2^64-1 (BitMEX packs it as an unsigned 64-bit integer)"))?;
        row.push(Node { hash, value });
        if row.len() == size {
            levels.push(std::mem::take(&mut row));
            size = size
                .checked_mul(2)
                .ok_or_else(|| malformed(&at, "too many lines"))?;
        }
    }
    if levels.is_empty() {
        return Err(malformed("", "the proof file has no node"));
    }
    levels.reverse();
    // Lines that do not fill a level are left out, as BitMEX's read_tree
    // leaves them out (it keeps only complete levels).
    Ok((height, levels, row.len()))
}

fn le(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

fn parent(l: &Node, r: &Node) -> Option<Node> {
    let mut h = Sha256::new();
    h.update(&l.hash);
    h.update(le(l.value));
    h.update(&r.hash);
    h.update(le(r.value));
    Some(Node {
        hash: h.finalize().to_vec(),
        value: l.value.checked_add(r.value)?,
    })
}

fn leaf_hash(key: &[u8], value: u64, index: u64) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(&le(value));
    m.update(&le(index));
    m.finalize().into_bytes().to_vec()
}

/// The step and reason where the node at `index` of `level` fails to
/// recompute from its children, if it does.
fn check_node(tree: &[Vec<Node>], level: usize, index: usize) -> Option<String> {
    let kids = &tree[level - 1];
    let (l, r) = (&kids[2 * index], &kids[2 * index + 1]);
    let Some(p) = parent(l, r) else {
        return Some(format!(
            "the values under node {index} at level {level} overflow 64 bits"
        ));
    };
    let node = &tree[level][index];
    if p.hash != node.hash {
        return Some(format!(
            "tree node hash computation mismatch at level {level}, node {index}"
        ));
    }
    if p.value != node.value {
        return Some(format!(
            "tree node sats computation mismatch at level {level}, node {index}"
        ));
    }
    None
}

/// BitMEX's published tree and the customer's nonce.
pub(crate) struct Bitmex;

impl Adapter for Bitmex {
    fn format(&self) -> Format {
        Format::Bitmex
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        let c = input.customer;
        if input.tree.is_some() {
            return Err(Error::Usage("bitmex: the proof file is the whole tree; give --account and --nonce (or --account-nonce), not --tree".to_owned()));
        }
        let (block_height, tree, left_out) = read(input.proof)?;
        let root = &tree[tree.len() - 1][0];
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: Some(hex::encode(&root.hash)),
            balances: Vec::new(),
            weaknesses: vec![
                Weakness::AssetsOrDecimalsNotCommitted,
                Weakness::RootNotSigned,
                Weakness::ProofCarriesOwnRoot,
            ],
            notes: vec![format!(
                "Total liabilities {} (in the file's base unit, satoshis for BitMEX), block height {block_height}.",
                root.value
            )],
            compared: None,
        };
        if left_out > 0 {
            out.notes.push(format!(
                "The last {left_out} lines do not fill a level of the tree; like BitMEX's script, por leaves them out."
            ));
        }
        // por's own, stricter check: every node of the tree, not only the
        // customer's paths (which is all BitMEX's script recomputes).
        let mut bad = None;
        'all: for level in 1..tree.len() {
            for i in 0..tree[level].len() {
                if let Some(why) = check_node(&tree, level, i) {
                    bad = Some(why);
                    break 'all;
                }
            }
        }
        match &bad {
            None => out.notes.push(
                "por recomputed every node of the tree: every hash and sum is consistent."
                    .to_owned(),
            ),
            Some(why) => out
                .notes
                .push(format!("por's check of the whole tree: {why}.")),
        }
        let key: Vec<u8> = match (&c.nonce, &c.account_nonce, c.account) {
            (Some(_), Some(_), _) => {
                return Err(Error::Usage(
                    "bitmex: give --nonce or --account-nonce, not both".to_owned(),
                ))
            }
            (Some(n), None, _) => n.clone(),
            (None, Some(an), Some(acct)) => {
                let mut h = Sha256::new();
                h.update(an);
                h.update(le(block_height));
                h.update(le(acct));
                h.finalize().to_vec()
            }
            (None, Some(_), None) => {
                return Err(Error::Usage(
                    "bitmex: --account-nonce needs --account".to_owned(),
                ))
            }
            (None, None, _) => {
                out.verdict = Verdict::unverifiable(
                    "a BitMEX tree opens a customer's leaves only with the nonce from the customer's account page: give --account ID --nonce HEX",
                );
                return Ok(out);
            }
        };
        let leaves = &tree[0];
        let mut total: u64 = 0;
        let mut opened = 0usize;
        for (i, leaf) in leaves.iter().enumerate() {
            let index = u64::try_from(i).map_err(|_| malformed("", "too many leaves"))?;
            if leaf_hash(&key, leaf.value, index) != leaf.hash {
                continue;
            }
            opened += 1;
            let mut cur = i;
            for level in 1..tree.len() {
                cur /= 2;
                if let Some(why) = check_node(&tree, level, cur) {
                    out.verdict = Verdict::invalid("path", format!("leaf {i}: {why}"));
                    return Ok(out);
                }
            }
            total = total
                .checked_add(leaf.value)
                .ok_or_else(|| malformed("", "the customer's total overflows 64 bits"))?;
        }
        if opened == 0 {
            out.verdict = Verdict::invalid(
                "leaf",
                "no leaf of the tree opens with the nonce given (BitMEX's script then reports 0 sats validated): a wrong nonce, account or block height, or a tree without this account",
            );
            return Ok(out);
        }
        out.balances = vec![("sats".to_owned(), total.to_string())];
        out.notes.push(format!(
            "{opened} leaves opened with your nonce; they add up to {total}."
        ));
        Ok(out)
    }
}
