//! `por audit`'s three outcomes end to end, with the real binary (issue 10):
//!
//! - PASS (exit 0) only when every check ran on data por confirmed and held;
//! - FAIL (exit 1) when a check failed;
//! - INCOMPLETE (exit 3) when nothing failed but something could not be
//!   checked, each such item listed with why (terminal, JSON, HTML);
//! - reserves on a chain por cannot read count zero: claimed is shown,
//!   confirmed is 0;
//! - the previous link compares instants and blocks, not text;
//! - the liability reserve's deciding figures next to its verdict;
//! - text from the inputs cannot forge a line on the terminal.
//!
//! Bitcoin wallets are signed by bip322-js and a TRON wallet by eth-account
//! (`scripts/ci/deps-ownership.sh` installs both); balances come from an
//! offline balances file.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::too_many_lines,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use por_attest::{
    AssetTotal, Attestation, AttestationKey, AttestedAsset, AttestedBlockHash, AttestedChain,
    AttestedScheme, Category, ChainPoint, OwnershipProof, ParsedAttestation, ReserveEntry, Tier,
    WalletAddress,
};
mod support;
use por_tree::Amount;
use serde_json::Value;
use support::{
    bip322_js_signatures, canonical_message as canonical, path_str as s, por, repo_root,
    stderr as err, stdout as out,
};

const HASH: &str = "00000000000000000001aa7e5b7e9c4b2b3f3c1f8d0a7c6b5e4d3c2b1a098765";
const HEIGHT: u64 = 870_000;
const DEPS: &str = support::SIGNER_DEPS;

/// (address, signature) pairs from bip322-js over `message`: P2PKH,
/// P2SH-P2WPKH, P2WPKH and P2TR of one fresh key.
fn bitcoin_signatures(message: &str) -> Vec<(String, String)> {
    bip322_js_signatures(message)
        .into_iter()
        .map(|b| (b.address, b.signature))
        .collect()
}

/// A fresh TRON wallet and its TronWeb `signMessageV2` signature over
/// `message`, made with eth-account (secp256k1 over
/// keccak256("\x19TRON Signed Message:\n" || len || message)).
fn tron_signature(message: &str) -> (String, String) {
    let python = repo_root().join("target/ownership-venv/bin/python");
    assert!(python.exists(), "the eth-account venv is missing: {DEPS}");
    let script = r#"
import hashlib, json, sys
from eth_account import Account
from eth_utils import keccak
msg = sys.argv[1].encode("utf-8")
acct = Account.create()
digest = keccak(b"\x19TRON Signed Message:\n" + str(len(msg)).encode() + msg)
sig = Account.unsafe_sign_hash(digest, acct.key).signature.hex()
raw = b"\x41" + bytes.fromhex(acct.address[2:])
data = raw + hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
n, addr = int.from_bytes(data, "big"), ""
while n:
    n, r = divmod(n, 58)
    addr = alphabet[r] + addr
print(json.dumps({"address": addr, "signature": sig if sig.startswith("0x") else "0x" + sig}))
"#;
    let o = Command::new(python)
        .args(["-c", script, message])
        .output()
        .unwrap();
    assert!(o.status.success(), "tron signer failed: {}", err(&o));
    let v: Value = serde_json::from_str(out(&o).trim()).unwrap();
    (
        v["address"].as_str().unwrap().to_owned(),
        v["signature"].as_str().unwrap().to_owned(),
    )
}

/// One exchange's snapshot with everything an auditor needs: the tree
/// (3.75 BTC of liabilities), four customer wallets in cold storage
/// (3.9 BTC), the attestation committing to the example reserve inputs,
/// the balances file, the balances export, the secret and every proof.
struct Fixture {
    dir: tempfile::TempDir,
    root: String,
    /// (address, signature, sat)
    wallets: Vec<(String, String, u64)>,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let balances = dir.path().join("liabilities.csv");
        std::fs::write(&balances, "user_id,BTC\nalice,1.5\nbob,2\ncarol,0.25\n").unwrap();
        let tree = dir.path().join("tree");
        let o = por(&[
            "tree",
            "build",
            "--balances",
            s(&balances),
            "--assets",
            "BTC:8",
            "--secret-file",
            s(&dir.path().join("secret")),
            "--out",
            s(&tree),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(tree.join("tree.json")).unwrap())
                .unwrap();
        let root = summary["root"]["hash"].as_str().unwrap().to_owned();
        let sigs = bitcoin_signatures(&canonical("acme", "2026-11-21", &root));
        assert_eq!(sigs.len(), 4);
        let wallets = sigs
            .into_iter()
            .zip([250_000_000u64, 100_000_000, 30_000_000, 10_000_000])
            .map(|((a, sig), sat)| (a, sig, sat))
            .collect();
        let o = por(&["key", "generate", "--out", s(&dir.path().join("key.hex"))]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let o = por(&[
            "tree",
            "export-proofs",
            "--tree",
            s(&tree),
            "--out",
            s(&dir.path().join("proofs")),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let fx = Fixture { dir, root, wallets };
        fx.attest("att.json", "2026-11-21T00:00:00Z", HEIGHT, None);
        fx.balances_file();
        fx
    }

    fn attest(&self, out: &str, time: &str, height: u64, previous: Option<&Path>) {
        let msg = canonical("acme", "2026-11-21", &self.root);
        let mut text =
            String::from("chain,address,asset,category,tier,balance,scheme,message,signature\n");
        for (a, sig, sat) in &self.wallets {
            let btc = Amount::from_base_units(u128::from(*sat)).display_in(8);
            text.push_str(&format!(
                "bitcoin,{a},BTC,customer,cold,{btc},auto,\"{msg}\",{sig}\n"
            ));
        }
        let reserves = self.path("reserves.csv");
        std::fs::write(&reserves, text).unwrap();
        let inputs = repo_root().join("examples/reserve-inputs.toml");
        let mut args: Vec<String> = [
            "attest",
            "--tree",
            s(&self.path("tree")),
            "--reserves",
            s(&reserves),
            "--exchange",
            "acme",
            "--snapshot",
            "2026-11-21",
            "--time",
            time,
            "--chain",
            &format!("bitcoin={height}:{HASH}"),
            "--key",
            s(&self.path("key.hex")),
            "--reserve-inputs",
            s(&inputs),
            "--out",
            s(&self.path(out)),
        ]
        .iter()
        .map(|&x| x.to_owned())
        .collect();
        if let Some(p) = previous {
            args.extend(["--previous".to_owned(), s(p).to_owned()]);
        }
        let o = por(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }

    fn balances_file(&self) {
        let mut text =
            String::from("chain,address,asset,balance,height,block_hash,source,contract\n");
        for (a, _, sat) in &self.wallets {
            text.push_str(&format!(
                "bitcoin,{a},BTC,{sat},{HEIGHT},{HASH},test fixture,\n"
            ));
        }
        std::fs::write(self.path("balances.csv"), text).unwrap();
    }

    /// Every input of a complete audit of `att`.
    fn full_args(&self, att: &str) -> Vec<String> {
        [
            "--attestation",
            s(&self.path(att)),
            "--balances",
            s(&self.path("balances.csv")),
            "--liabilities",
            s(&self.path("liabilities.csv")),
            "--secret-file",
            s(&self.path("secret")),
            "--sample-proofs",
            s(&self.path("proofs")),
            "--reserve-inputs",
            s(&repo_root().join("examples/reserve-inputs.toml")),
            "--scenarios",
            "S1",
            "--min-cold-percent",
            "95",
        ]
        .iter()
        .map(|&x| x.to_owned())
        .collect()
    }

    /// The attestation `att` read, changed by `edit` and signed again with
    /// the exchange's key (its wallets' signatures stay valid: the
    /// exchange, snapshot and root are unchanged).
    fn resign(&self, att: &str, out: &str, edit: impl FnOnce(&mut Attestation)) -> PathBuf {
        let text = std::fs::read_to_string(self.path(att)).unwrap();
        let mut body = ParsedAttestation::from_json(&text)
            .unwrap()
            .body_unverified()
            .clone();
        edit(&mut body);
        let key = AttestationKey::from_hex(
            std::fs::read_to_string(self.path("key.hex"))
                .unwrap()
                .trim(),
        )
        .unwrap();
        let p = self.path(out);
        std::fs::write(&p, body.sign(&key, &[0; 32]).unwrap()).unwrap();
        p
    }
}

/// Runs `por audit` with a JSON and an HTML report: (exit, JSON, stdout, HTML).
fn audit(args: &[String]) -> (i32, Value, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let html = dir.path().join("report.html");
    let mut all: Vec<&str> = vec!["audit", "--json", s(&json), "--html", s(&html)];
    all.extend(args.iter().map(String::as_str));
    let o = por(&all);
    let c = o.status.code().unwrap();
    assert!(matches!(c, 0 | 1 | 3), "exit {c}: {}", err(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    support::assert_audit_report_schema(&report);
    assert_eq!(report["format"], "por-audit-report-v1");
    (c, report, out(&o), std::fs::read_to_string(&html).unwrap())
}

fn checks<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

fn reasons(report: &Value) -> Vec<String> {
    report["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{}: {}", u["check"], u["reason"]))
        .collect()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|&x| x.to_owned()).collect()
}

#[test]
fn a_complete_audit_passes_and_leaving_out_any_input_is_incomplete() {
    let fx = Fixture::new();
    let full = fx.full_args("att.json");
    let (c, r, text, html) = audit(&full);
    assert_eq!(c, 0, "{text}");
    assert_eq!(r["outcome"], "pass");
    assert_eq!(r["totals"]["fail"], 0);
    assert_eq!(r["totals"]["not_checked"], 0);
    assert_eq!(r["not_checked"], Value::Array(vec![]));
    assert!(text.starts_with("PASS: "), "{text}");
    // A green banner, and the "Not checked" section says none.
    assert!(html.contains("class=\"banner pass\""), "{html}");
    assert!(html.contains("<h2 id=\"not-checked\">Not checked (0)</h2>"));
    // Claimed and confirmed are both shown, and here they agree.
    let pos = &r["positions"][0];
    assert_eq!(pos["claimed"], "390000000");
    assert_eq!(pos["reserves"], "390000000");
    assert_eq!(pos["unchecked"], "0");
    assert!(
        text.contains("CLAIMED") && text.contains("CONFIRMED"),
        "{text}"
    );
    assert!(html.contains("<th>claimed</th><th>confirmed</th>"));

    // Each input left out: nothing fails, the outcome is INCOMPLETE (exit
    // 3) and the reason names what to add.
    for (flag, values, why) in [
        ("--balances", 1, "no balance source given"),
        ("--liabilities", 1, "--liabilities"),
        ("--sample-proofs", 1, "--sample-proofs"),
        ("--reserve-inputs", 1, "--reserve-inputs"),
        ("--min-cold-percent", 1, "--min-cold-percent"),
    ] {
        let mut partial = Vec::new();
        let mut skip = 0;
        for a in &full {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if a == flag {
                skip = values;
                continue;
            }
            // The secret and scenarios go with what needs them.
            if (flag == "--liabilities" && a == "--secret-file")
                || (flag == "--reserve-inputs" && a == "--scenarios")
            {
                skip = 1;
                continue;
            }
            partial.push(a.clone());
        }
        let (c, r, text, html) = audit(&partial);
        assert_eq!(
            (c, r["outcome"].as_str()),
            (3, Some("incomplete")),
            "{flag}: {text}"
        );
        assert_eq!(r["totals"]["fail"], 0, "{flag}: {text}");
        assert!(
            reasons(&r).iter().any(|x| x.contains(why)),
            "{flag}: {:?}",
            reasons(&r)
        );
        assert!(text.starts_with("INCOMPLETE: "), "{text}");
        assert!(text.contains(why), "{flag}: {text}");
        // Never a green banner for an incomplete audit; the section lists why.
        assert!(html.contains("class=\"banner incomplete\""), "{flag}");
        assert!(!html.contains("banner pass"), "{flag}");
        assert!(
            html.contains("id=\"not-checked\"") && html.contains(why),
            "{flag}"
        );
    }
}

#[test]
fn audit_without_chain_data_is_incomplete_not_pass() {
    let fx = Fixture::new();
    let o = por(&["audit", "--attestation", s(&fx.path("att.json"))]);
    assert_eq!(o.status.code(), Some(3), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.starts_with("INCOMPLETE: "), "{text}");
    assert!(!text.contains("PASS:"), "{text}");
    assert!(text.contains("no balance source given"), "{text}");

    let (c, r, _, html) = audit(&args(&["--attestation", s(&fx.path("att.json"))]));
    assert_eq!(c, 3);
    assert_eq!(r["outcome"], "incomplete");
    // Nothing was confirmed, so nothing counts: 0 confirmed of 3.9 claimed,
    // and solvency is not checked (the claims would cover the liabilities
    // if confirmed), rather than passed.
    let pos = &r["positions"][0];
    assert_eq!(pos["claimed"], "390000000");
    assert_eq!(pos["reserves"], "0");
    assert_eq!(pos["unchecked"], "390000000");
    assert_eq!(checks(&r, "solvency")[0]["status"], "not_checked");
    assert!(html.contains("class=\"banner incomplete\""));
    assert!(html.contains("no balance source given"));
}

#[test]
fn unchecked_chain_reserves_count_zero() {
    let fx = Fixture::new();
    let msg = canonical("acme", "2026-11-21", &fx.root);
    let (tron_address, tron_sig) = tron_signature(&msg);
    // 100 TRX of liabilities; a TRON wallet, its ownership proven, claims
    // `claim` TRX. por has no balance source for TRON.
    let with_tron = |claim: u128, out: &str| {
        fx.resign("att.json", out, |b| {
            b.chains.push(ChainPoint {
                chain: AttestedChain::from_name("tron"),
                height: 60_000_000,
                block_hash: AttestedBlockHash::parse(&"00".repeat(32)).unwrap(),
            });
            b.assets.push(AttestedAsset {
                symbol: "TRX".into(),
                decimals: 6,
                chain: AttestedChain::from_name("tron"),
                contract: None,
            });
            let por_attest::LiabilitiesSection::V1(l) = &mut b.liabilities else {
                panic!("a v1 attestation")
            };
            l.totals.push(AssetTotal {
                asset: "TRX".into(),
                amount: Amount::from_base_units(100_000_000),
            });
            b.reserves.push(ReserveEntry {
                chain: AttestedChain::from_name("tron"),
                address: WalletAddress::new(&tron_address).unwrap(),
                asset: "TRX".into(),
                category: Category::Customer,
                tier: Tier::Cold,
                claimed: Amount::from_base_units(claim),
                proof: OwnershipProof {
                    scheme: AttestedScheme::from_name("auto"),
                    message: msg.clone(),
                    signature: tron_sig.clone(),
                    second_signature: None,
                    redeem_script: None,
                },
            });
        })
    };
    let att = with_tron(150_000_000, "tron.json");
    let bal = s(&fx.path("balances.csv")).to_owned();
    let (c, r, text, html) = audit(&args(&["--attestation", s(&att), "--balances", &bal]));
    // The TRON wallet's ownership is verified; its balance cannot be.
    let tron_checks = |id: &str| -> Vec<String> {
        checks(&r, id)
            .into_iter()
            .filter(|c| c["subject"].as_str().unwrap().contains("tron"))
            .map(|c| format!("{} {}", c["status"], c["summary"]))
            .collect()
    };
    assert!(
        tron_checks("ownership")[0].starts_with("\"pass\""),
        "{:?}",
        tron_checks("ownership")
    );
    let b = tron_checks("balance");
    assert!(
        b[0].starts_with("\"not_checked\"") && b[0].contains("no balance source for chain tron"),
        "{b:?}"
    );
    let trx = r["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["asset"] == "TRX")
        .unwrap();
    assert_eq!(trx["claimed"], "150000000");
    assert_eq!(trx["reserves"], "0", "unchecked counts zero");
    assert_eq!(trx["unchecked"], "150000000");
    // Confirmed 0 < 100 TRX, the unchecked 150 would cover them: not
    // checked, and the audit is INCOMPLETE, never PASS.
    let solvency = checks(&r, "solvency")
        .into_iter()
        .find(|c| c["subject"].as_str().unwrap().ends_with("TRX"))
        .unwrap();
    assert_eq!(solvency["status"], "not_checked", "{solvency}");
    assert_eq!(solvency["evidence"]["claimed"], "150000000");
    assert_eq!(solvency["evidence"]["confirmed"], "0");
    assert_eq!(
        (c, r["outcome"].as_str()),
        (3, Some("incomplete")),
        "{text}"
    );
    assert!(text.contains("no balance source for chain tron"), "{text}");
    assert!(html.contains("no balance source for chain tron"));

    // Claiming only 50 TRX: even confirmed it would not cover 100: FAIL.
    let att = with_tron(50_000_000, "tron-short.json");
    let (c, r, text, _) = audit(&args(&["--attestation", s(&att), "--balances", &bal]));
    assert_eq!((c, r["outcome"].as_str()), (1, Some("fail")), "{text}");
    let solvency = checks(&r, "solvency")
        .into_iter()
        .find(|c| c["subject"].as_str().unwrap().ends_with("TRX"))
        .unwrap();
    assert_eq!(solvency["status"], "fail");
}

#[test]
fn previous_link_needs_a_later_instant_and_later_blocks() {
    let fx = Fixture::new();
    let run = |first_time: &str, first_height: u64, time: &str, height: u64| -> Value {
        fx.attest("first.json", first_time, first_height, None);
        fx.attest("second.json", time, height, Some(&fx.path("first.json")));
        let (_, r, _, _) = audit(&args(&[
            "--attestation",
            s(&fx.path("first.json")),
            "--attestation",
            s(&fx.path("second.json")),
        ]));
        checks(&r, "previous-link")
            .into_iter()
            .find(|c| c["subject"].as_str().unwrap().contains("second.json"))
            .unwrap()
            .clone()
    };
    // "…00.9Z" sorts before "…00Z" as text; as an instant it is later.
    let link = run(
        "2026-11-21T00:00:00Z",
        HEIGHT,
        "2026-11-21T00:00:00.9Z",
        HEIGHT + 1,
    );
    assert_eq!(link["status"], "pass", "{link}");
    // "…00.5Z" sorts after "…00Z" as text; as an instant it is earlier.
    let link = run(
        "2026-11-21T00:00:00.5Z",
        HEIGHT,
        "2026-11-21T00:00:00Z",
        HEIGHT + 1,
    );
    assert_eq!(link["status"], "fail", "{link}");
    assert!(
        link["summary"].as_str().unwrap().contains("not after"),
        "{link}"
    );
    // A second later at the same block: not a history.
    let link = run(
        "2026-11-21T00:00:00Z",
        HEIGHT,
        "2026-11-21T00:00:01Z",
        HEIGHT,
    );
    assert_eq!(link["status"], "fail", "{link}");
    assert!(
        link["summary"]
            .as_str()
            .unwrap()
            .contains("is not after the previous one's"),
        "{link}"
    );
}

#[test]
fn reserve_line_shows_the_cash_part_that_decides_it() {
    let fx = Fixture::new();
    let (_, r, text, html) = audit(&fx.full_args("att.json"));
    let req = &r["reserve"]["report"]["requirement"];
    let line = checks(&r, "reserve-requirement")[0]["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    // The deciding comparison: cash part required vs held, with the verdict.
    assert!(line.starts_with("cash part required ¥"), "{line}");
    assert!(line.contains(" vs held ¥"), "{line}");
    assert!(line.contains(req["label"].as_str().unwrap()), "{line}");
    assert!(text.contains(&line), "{text}");
    assert!(html.contains("cash part required ¥"), "{html}");
    // From the engine's own fields: required − insurance credit = cash part.
    let n = |k: &str| -> u128 { req[k].as_str().unwrap().replace(',', "").parse().unwrap() };
    assert_eq!(
        n("required_jpy") - n("insurance_credit_jpy"),
        n("cash_required_jpy")
    );

    let o = por(&[
        "reserve",
        "requirement",
        "--inputs",
        s(&repo_root().join("examples/reserve-inputs.toml")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains(
            "result: cash part required ¥5,300,000,000 (¥10,600,000,000 required − ¥5,300,000,000 insurance credit) vs held ¥5,300,000,000"
        ),
        "{}",
        out(&o)
    );
}

#[test]
fn a_snapshot_label_cannot_print_a_fake_pass_line() {
    let fx = Fixture::new();
    let evil = "2026-11-21\r\u{1b}[2KPASS: 99 passed, 0 failed, 0 not checked\u{1b}[8m";
    let att = fx.resign("att.json", "evil.json", |b| {
        b.snapshot.label = evil.into();
        b.exchange.id = "acme\u{202e}emca".into();
    });
    let o = por(&["audit", "--attestation", s(&att), "--verbose"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    assert!(
        !text.contains('\u{1b}'),
        "raw ESC on the terminal: {text:?}"
    );
    assert!(!text.contains('\r'), "raw CR on the terminal: {text:?}");
    assert!(!text.contains('\u{202e}'), "raw bidi override: {text:?}");
    assert!(text.contains("\\u{1b}[2KPASS: 99 passed"), "{text}");
    assert!(text.contains("\\u{d}"), "{text}");
    // No line of the output starts with a forged PASS.
    assert!(!text.lines().any(|l| l.starts_with("PASS:")), "{text}");
}
