//! # por-wasm-interop
//!
//! WebAssembly bindings of `por-interop` for the customer's browser verifier
//! (`www/`): other exchanges' customer proofs (OKX, Bitget, Bitunix, MEXC,
//! CoinEx, BitMEX; Gate and Binance recognised as unverifiable), each
//! checked by that exchange's own rule, with por's weaknesses beside the
//! verdict.
//!
//! A second module beside `por-wasm`: the page loads and instantiates it
//! only when a file is not por's own format, so what every customer loads
//! first stays small (docs/wasm.md). Like `por-wasm`, the answer crosses the
//! boundary as a JSON string ([`check_json`], tested natively).

use por_interop::{Customer, Error, Format, Input, Published, Report, Verdict};
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// Recognises `proof` by its structure and checks it by its exchange's
/// rule. `tree` is OKX v2's full liabilities tree file, `root` the root hash
/// the customer was given by the exchange's publication, `account` and
/// `nonce` BitMEX's account id and per-snapshot nonce (hex); each is used
/// only by the format that needs it and ignored (blank or not) by the
/// others. Returns the JSON of [`check_json`]; never throws.
#[wasm_bindgen]
#[must_use]
pub fn check(proof: &str, tree: &str, root: &str, account: &str, nonce: &str) -> String {
    check_json(proof, tree, root, account, nonce).to_string()
}

/// Returns this module's version (the crate version).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn some(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn failure(kind: &str, message: &str) -> Value {
    json!({ "ok": false, "error": kind, "message": message })
}

/// The check behind [`check`], as a JSON value: either
/// `{"ok": true, "format", "exchange", "verdict", "step", "reason",
/// "compared_with_publication", "weaknesses": [{"id", "en", "ja"}],
/// "balances": [{"symbol", "amount"}], "root", "notes"}` or
/// `{"ok": false, "error", "message"}` where `error` is `unknown` (no
/// format, or several, fit the structure: `closest` and `not_a_proof` say
/// more), `malformed`, `needs-tree`, `account` or `nonce` (the customer's
/// input cannot be read), `root` (the root given is not hex) or `usage`.
#[must_use]
pub fn check_json(proof: &str, tree: &str, root: &str, account: &str, nonce: &str) -> Value {
    let detection = por_interop::detect(proof);
    let Some(format) = detection.format() else {
        let closest: Vec<Value> = detection
            .closest
            .iter()
            .map(|c| {
                json!({
                    "format": c.format.id(),
                    "exchange": c.format.exchange(),
                    "matched": c.matched,
                    "of": c.of,
                    "missing": c.missing,
                })
            })
            .collect();
        let mut v = failure("unknown", &detection.to_string());
        v["closest"] = Value::Array(closest);
        v["several"] = json!(detection.full.iter().map(|f| f.id()).collect::<Vec<_>>());
        v["not_a_proof"] = json!(detection.not_a_proof.is_some());
        return v;
    };
    let mut customer = Customer::default();
    if format == Format::Bitmex {
        if let Some(a) = some(account) {
            match a.parse::<u64>() {
                Ok(n) => customer.account = Some(n),
                Err(_) => {
                    return failure(
                        "account",
                        &format!("account id: expected a whole number, got {a:?}"),
                    )
                }
            }
        }
        if let Some(n) = some(nonce) {
            let h = n.strip_prefix("0x").unwrap_or(n);
            match hex::decode(h) {
                Ok(b) if !b.is_empty() => customer.nonce = Some(b),
                _ => return failure("nonce", &format!("nonce: expected hex digits, got {n:?}")),
            }
        }
    }
    let tree = if format == Format::OkxV2 {
        match some(tree) {
            Some(t) => Some(t),
            None => {
                return failure(
                    "needs-tree",
                    "okx-v2: this user info file is checked against OKX's full liabilities tree file, which was not given",
                )
            }
        }
    } else {
        None
    };
    let input = Input {
        proof,
        tree,
        customer: &customer,
        published: some(root).map_or(Published::Nothing, Published::Root),
    };
    match por_interop::check(&input, Some(format)) {
        Ok(report) => report_json(&report),
        Err(e @ (Error::Malformed { .. } | Error::Beyond { .. })) => {
            failure("malformed", &format!("{}: {e}", format.id()))
        }
        Err(Error::Usage(m)) if m.starts_with("--root") => {
            failure("root", "the root hash given is not hex digits alone")
        }
        Err(e @ (Error::Usage(_) | Error::Unknown(_))) => failure("usage", &e.to_string()),
    }
}

fn report_json(r: &Report) -> Value {
    json!({
        "ok": true,
        "format": r.format.id(),
        "exchange": r.format.exchange(),
        "verdict": r.verdict.as_str(),
        "step": match &r.verdict { Verdict::Invalid { step, .. } => Some(step.as_str()), _ => None },
        "reason": r.verdict.reason(),
        "compared_with_publication": r.compared_with_publication,
        "weaknesses": r.weaknesses.iter().map(|w| json!({"id": w.id(), "en": w.en(), "ja": w.ja()})).collect::<Vec<_>>(),
        "balances": r.balances.iter().map(|(s, a)| json!({"symbol": s, "amount": a})).collect::<Vec<_>>(),
        "root": r.root,
        "notes": r.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::check_json;

    fn vector(path: &str) -> String {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/exchange/");
        std::fs::read_to_string(format!("{p}{path}")).expect("vector file")
    }

    #[test]
    fn okx_v1_valid_and_compared() {
        let proof = vector("okx/merkle_proof_file.json");
        let v = check_json(&proof, "", "", "", "");
        assert_eq!(v["ok"], true);
        assert_eq!(v["format"], "okx-v1");
        assert_eq!(v["exchange"], "OKX");
        assert_eq!(v["verdict"], "valid");
        assert_eq!(v["compared_with_publication"], false);
        let root = v["root"].as_str().expect("root").to_owned();
        assert!(root.starts_with("ac6b39d2"));
        let v = check_json(&proof, "", &root, "", "");
        assert_eq!(v["compared_with_publication"], true);
        assert_eq!(v["verdict"], "valid");
        let v = check_json(&proof, "", &"0".repeat(64), "", "");
        assert_eq!(v["verdict"], "invalid");
        assert_eq!(v["step"], "publication");
        assert_eq!(check_json(&proof, "", "xyz", "", "")["error"], "root");
    }

    #[test]
    fn okx_v2_needs_the_tree() {
        let proof = vector("okx/user_info_file.json");
        assert_eq!(check_json(&proof, "", "", "", "")["error"], "needs-tree");
        let tree = vector("okx/full-liabilities-merkle-tree.txt");
        let v = check_json(&proof, &tree, "", "", "");
        assert_eq!(v["format"], "okx-v2");
        assert_eq!(v["verdict"], "valid");
        // The tree alone is not a customer proof.
        let v = check_json(&tree, "", "", "", "");
        assert_eq!(v["error"], "unknown");
        assert_eq!(v["not_a_proof"], true);
    }

    #[test]
    fn bitmex_needs_the_nonce() {
        let tree = vector("bitmex/generated-tree.txt");
        let v = check_json(&tree, "", "", "", "");
        assert_eq!(v["format"], "bitmex");
        assert_eq!(v["verdict"], "unverifiable");
        assert_eq!(check_json(&tree, "", "", "x", "00")["error"], "account");
        assert_eq!(check_json(&tree, "", "", "2", "zz")["error"], "nonce");
    }

    #[test]
    fn unknown_and_unverifiable() {
        let v = check_json("hello", "", "", "", "");
        assert_eq!(v["error"], "unknown");
        assert!(v["message"]
            .as_str()
            .expect("message")
            .starts_with("unknown format"));
        let v = check_json(&vector("gate/user_config.json"), "", "", "", "");
        assert_eq!(v["format"], "gate-zk");
        assert_eq!(v["verdict"], "unverifiable");
        assert_eq!(v["exchange"], "Gate");
        let v = check_json(&vector("coinex/merkle_proof_file.json"), "", "", "", "");
        assert_eq!(v["verdict"], "invalid");
        assert_eq!(v["step"], "root");
    }
}
