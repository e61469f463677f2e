//! The distribution's untrusted files: the policy (TOML), a customer's
//! distribution proof and the signed statement (JSON). Input: a mode byte
//! (0 policy, 1 proof, 2 statement), then the text.
//!
//! Nothing may panic, errors display (a policy error with its line, which
//! is within the text), and what parses is used: a policy is resolved
//! against `BTC:8,ETH:18` and a one-customer register; a proof survives
//! serialize / re-parse unchanged and is verified against its own root; a
//! statement that verifies gives a root commitment with 4 sums per column,
//! and re-reading its text gives the same body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_distribute::policy::Policy;
use por_distribute::{DistributionProof, VerifiedStatement};
use por_tree::{AssetList, Customers, Salt};

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 3 {
        0 => match Policy::from_toml_str(text) {
            Err(e) => {
                let _ = e.to_string();
                if let Some(line) = e.line() {
                    assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "line {line} is in the text");
                }
            }
            Ok(p) => {
                let assets = AssetList::from_spec("BTC:8,ETH:18").expect("valid assets");
                match p.resolve(&assets) {
                    Ok((dm, top)) => {
                        assert_eq!(dm.len(), 2);
                        assert!(top.is_none_or(|t| t.prices.len() == 2));
                    }
                    Err(e) => {
                        let _ = e.to_string();
                    }
                }
                let mut customers = Customers::new();
                customers.push("alice", Salt::default());
                match p.held_flags(&customers) {
                    Ok(flags) => assert!(flags.is_empty() || flags.len() == 1),
                    Err(e) => {
                        let _ = e.to_string();
                    }
                }
            }
        },
        1 => match DistributionProof::from_json(text) {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(p) => {
                let again = DistributionProof::from_json(&p.to_json()).expect("a written proof re-parses");
                assert_eq!(again, p);
                let r = p.verify(p.claimed_root());
                assert_eq!(r, again.verify(again.claimed_root()), "verification is deterministic");
                if let Err(e) = r {
                    let _ = (e.to_string(), e.kind());
                }
                for c in 0..p.assets().len() + usize::from(p.has_top_up()) {
                    assert!(p.split(c).is_some());
                }
            }
        },
        _ => match VerifiedStatement::from_json(text) {
            Err(e) => {
                let _ = (e.to_string(), e.kind());
            }
            Ok(s) => {
                let body = s.body();
                let root = body.root_commitment();
                let columns = body.assets.len() + usize::from(body.top_up.is_some());
                assert_eq!(root.sums.len(), 4 * columns);
                assert!(body.column_totals().iter().all(|t| t.consistent()));
                let again = VerifiedStatement::from_json(text).expect("deterministic");
                assert_eq!(again.body(), body);
            }
        },
    }
});
