//! CoinEx, by the rule of coinexcom/proof-of-reserves (`main.go`).
//!
//! Balances are a Go `map[string]decimal.Decimal`, written by
//! `json.Marshal`: keys sorted, each amount a quoted shopspring `String()`.
//! The leaf is `sha256(nonce || json(self))`; each step with a hash adds its
//! balances to the running sum and hashes `sha256(L || R || json(sum))`; a
//! step without a hash is `sha256(h || h || json(sum))`. The result must
//! equal the root's hash, and the sum its balances.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decimal::Dec;
use crate::json::{self, go_field, join, opt_str};
use crate::{Adapter, Error, Format, Input, Outcome, Verdict, Weakness};

type Bal = BTreeMap<String, Dec>;

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn read_bal(v: Option<&Value>, path: &str) -> Result<(Bal, Vec<(String, String)>), Error> {
    let stated = json::balances(v, path)?.unwrap_or_default();
    let mut b = Bal::new();
    for (k, s) in &stated {
        let d = Dec::parse(s).map_err(|e| crate::json::decimal_error(join(path, k), e))?;
        b.insert(k.clone(), d);
    }
    Ok((b, stated))
}

fn format_bal(b: &Bal) -> String {
    let parts: Vec<String> = b
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{}\"", v.canonical()))
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn add(a: &Bal, b: &Bal) -> Result<Bal, Error> {
    let mut r = a.clone();
    for (k, v) in b {
        let new = match r.get(k) {
            Some(old) => v.checked_add(old).ok_or_else(|| {
                crate::json::decimal_error("balances", crate::decimal::DecimalError::TooLarge)
            })?,
            None => *v,
        };
        r.insert(k.clone(), new);
    }
    Ok(r)
}

fn equal(a: &Bal, b: &Bal) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, v)| {
            b.get(k)
                .is_some_and(|w| v.cmp_value(w) == Some(std::cmp::Ordering::Equal))
        })
}

struct Step {
    hash: String,
    pos: String,
    balances: Bal,
}

/// CoinEx's proof file.
pub(crate) struct Coinex;

impl Adapter for Coinex {
    fn format(&self) -> Format {
        Format::Coinex
    }

    fn check(&self, input: &Input<'_>) -> Result<Outcome, Error> {
        crate::okx::customer_options_unused(input, "coinex")?;
        let v = json::parse(input.proof)?;
        let top = json::obj(&v, "")?;
        let empty = serde_json::Map::new();
        let sub = |name: &str| -> Result<&serde_json::Map<String, Value>, Error> {
            match go_field(top, name, "")? {
                None | Some(Value::Null) => Ok(&empty),
                Some(x) => json::obj(x, name),
            }
        };
        let root = sub("root")?;
        let me = sub("self")?;
        let root_hash = opt_str(go_field(root, "hash", "root")?, "root.hash")?
            .unwrap_or("")
            .to_owned();
        let (root_bal, _) = read_bal(go_field(root, "balances", "root")?, "root.balances")?;
        let nonce = opt_str(go_field(me, "nonce", "self")?, "self.nonce")?
            .unwrap_or("")
            .to_owned();
        let (my_bal, stated) = read_bal(go_field(me, "balances", "self")?, "self.balances")?;
        let mut steps = Vec::new();
        if let Some(a) = json::array(go_field(top, "path", "")?, "path")? {
            for (i, x) in a.iter().enumerate() {
                let p = format!("path[{i}]");
                let m = match x {
                    Value::Null => &empty,
                    x => json::obj(x, &p)?,
                };
                steps.push(Step {
                    hash: opt_str(go_field(m, "hash", &p)?, &join(&p, "hash"))?
                        .unwrap_or("")
                        .to_owned(),
                    pos: opt_str(go_field(m, "pos", &p)?, &join(&p, "pos"))?
                        .unwrap_or("")
                        .to_owned(),
                    balances: read_bal(go_field(m, "balances", &p)?, &join(&p, "balances"))?.0,
                });
            }
        }
        let negative = my_bal
            .values()
            .chain(steps.iter().flat_map(|s| s.balances.values()))
            .any(Dec::is_negative);
        let mut out = Outcome {
            verdict: Verdict::Valid,
            root: None,
            balances: stated,
            weaknesses: vec![
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
        if root_hash.is_empty() || steps.is_empty() {
            out.verdict = Verdict::invalid("structure", "CoinEx's main.go refuses a file with no root hash or an empty path (\"empty merkle proof file\")");
            return Ok(out);
        }
        let walk = |empty_twice: bool| -> Result<(String, Bal), Error> {
            let mut h = sha(&format!("{nonce}{}", format_bal(&my_bal)));
            let mut b = my_bal.clone();
            for s in &steps {
                if s.hash.is_empty() {
                    h = if empty_twice {
                        sha(&format!("{h}{h}{}", format_bal(&b)))
                    } else {
                        sha(&format!("{h}{}", format_bal(&b)))
                    };
                } else {
                    b = add(&b, &s.balances)?;
                    h = if s.pos == "left" {
                        sha(&format!("{}{h}{}", s.hash, format_bal(&b)))
                    } else {
                        sha(&format!("{h}{}{}", s.hash, format_bal(&b)))
                    };
                }
            }
            Ok((h, b))
        };
        let (h, b) = walk(true)?;
        out.root = Some(h.clone());
        if h != root_hash {
            let (alt, _) = walk(false)?;
            let mut why = format!("the path leads to root {h} under main.go's rule (an empty step is sha256(h || h || json(sum))), not to the root in the file ({root_hash})");
            if alt == root_hash {
                why.push_str("; the file's root is reached only if an empty step is sha256(h || json(sum)), which is not the rule CoinEx published");
            }
            out.verdict = Verdict::invalid("root", why);
        } else if !equal(&b, &root_bal) {
            out.verdict = Verdict::invalid(
                "root",
                format!(
                    "the path's totals {} differ from the root balances in the file",
                    format_bal(&b)
                ),
            );
        }
        Ok(out)
    }
}
