//! `por key generate`, `por attest` and `por audit` end to end, with the real
//! binary:
//!
//! - Bitcoin reserve wallets signed by an independent signer (bip322-js on
//!   npm, installed by `scripts/ci/deps-ownership.sh`), balances from an
//!   offline balances file; every audit check passing, then failing for one
//!   planted problem at a time;
//! - a real Ethereum node (ganache, `scripts/ci/deps-chain.sh`): an ERC-20
//!   deployed, the canonical message signed by the node's own accounts with
//!   `personal_sign`, balances read at the snapshot block;
//! - the Bitcoin Core RPC stand-in serving Bitcoin Core's documented
//!   formats: a balance short by one satoshi.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::too_many_lines,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use por_attest::{
    AssetTotal, Attestation, AttestationId, AttestationKey, AttestedAsset, AttestedBlockHash,
    AttestedChain, AttestedScheme, Category, ChainPoint, Exchange, Liabilities, OwnershipProof,
    ReserveEntry, Snapshot, SnapshotTime, Tier, WalletAddress,
};
use por_chain::testnode::{bitcoin_core, Ganache, TestServer};
use por_tree::Amount;
use serde_json::Value;
mod support;
use support::{
    bip322_js_signatures, canonical_message as canonical, code, path_str as s, por, repo_root,
    stderr as err, stdout as out,
};

const HASH: &str = "00000000000000000001aa7e5b7e9c4b2b3f3c1f8d0a7c6b5e4d3c2b1a098765";
const HEIGHT: u64 = 870_000;

/// Bitcoin signatures over `message` from bip322-js: one fresh key, its
/// P2PKH (a BIP-137 signature), P2SH-P2WPKH, P2WPKH and P2TR addresses
/// (BIP-322 simple), as (type, address, signature).
fn bitcoin_signatures(message: &str) -> Vec<(String, String, String)> {
    bip322_js_signatures(message)
        .into_iter()
        .map(|b| (b.kind, b.address, b.signature))
        .collect()
}

/// One exchange's snapshot: a tree, a key, signed wallets, balances.
struct Exchange1 {
    dir: tempfile::TempDir,
    exchange: String,
    snapshot: String,
    root: String,
    /// (type, address, signature, category, tier, balance in sat)
    wallets: Vec<(String, String, String, &'static str, &'static str, u64)>,
}

impl Exchange1 {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Liabilities 3.75 BTC; reserves 4.6 BTC of which 3.9 in customer wallets.
    fn new(exchange: &str, snapshot: &str) -> Exchange1 {
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
        assert_eq!(code(&o), 0, "{}", err(&o));
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(tree.join("tree.json")).unwrap())
                .unwrap();
        let root = summary["root"]["hash"].as_str().unwrap().to_owned();
        let sigs = bitcoin_signatures(&canonical(exchange, snapshot, &root));
        assert_eq!(sigs.len(), 4);
        let plan = [
            ("customer", "cold", 340_000_000u64),
            ("customer", "hot", 50_000_000),
            ("corporate", "warm", 60_000_000),
            ("liability_reserve", "cold", 10_000_000),
        ];
        let wallets = sigs
            .into_iter()
            .zip(plan)
            .map(|((t, a, sig), (c, tier, bal))| (t, a, sig, c, tier, bal))
            .collect();
        let o = por(&["key", "generate", "--out", s(&dir.path().join("key.hex"))]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        Exchange1 {
            dir,
            exchange: exchange.to_owned(),
            snapshot: snapshot.to_owned(),
            root,
            wallets,
        }
    }

    fn reserves_csv(&self, name: &str, extra_rows: &[String]) -> PathBuf {
        let mut text =
            String::from("chain,address,asset,category,tier,balance,scheme,message,signature\n");
        // The message column holds the message signed (the canonical one of
        // the snapshot the wallets were signed for).
        let msg = canonical(&self.exchange, &self.snapshot, &self.root);
        for (_, a, sig, c, t, bal) in &self.wallets {
            let btc = Amount::from_base_units(u128::from(*bal)).display_in(8);
            text.push_str(&format!(
                "bitcoin,{a},BTC,{c},{t},{btc},auto,\"{msg}\",{sig}\n"
            ));
        }
        for r in extra_rows {
            text.push_str(r);
            text.push('\n');
        }
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The offline balances file: each wallet holds exactly its claim,
    /// except `short` (address) which holds one satoshi less.
    fn balances_file(&self, name: &str, short: Option<&str>, hash: &str) -> PathBuf {
        let mut text =
            String::from("chain,address,asset,balance,height,block_hash,source,contract\n");
        for (_, a, _, _, _, bal) in &self.wallets {
            let b = if short == Some(a.as_str()) {
                bal - 1
            } else {
                *bal
            };
            text.push_str(&format!(
                "bitcoin,{a},BTC,{b},{HEIGHT},{hash},test fixture,\n"
            ));
        }
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn attest(
        &self,
        exchange: &str,
        snapshot: &str,
        reserves: &Path,
        out: &str,
        extra: &[&str],
    ) -> Output {
        let chain = format!("bitcoin={HEIGHT}:{HASH}");
        let out = self.path(out);
        let tree = self.path("tree");
        let key = self.path("key.hex");
        let mut args = vec![
            "attest",
            "--tree",
            s(&tree),
            "--reserves",
            s(reserves),
            "--exchange",
            exchange,
            "--snapshot",
            snapshot,
            "--time",
            "2026-11-21T00:00:00Z",
            "--chain",
            &chain,
            "--key",
            s(&key),
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        por(&args)
    }
}

fn audit(args: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let mut all = vec!["audit", "--json", s(&json)];
    all.extend_from_slice(args);
    let o = por(&all);
    let c = code(&o);
    assert!(c == 0 || c == 1 || c == 3, "exit {c}: {}", err(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    support::assert_audit_report_schema(&report);
    assert_eq!(report["format"], "por-audit-report-v1");
    (c, report, out(&o))
}

fn checks<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

fn statuses(report: &Value, id: &str) -> Vec<String> {
    checks(report, id)
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_owned())
        .collect()
}

/// An asset registry file (`por-asset-registry-v1`) of Ethereum tokens:
/// (symbol, contract, decimals).
fn write_registry(path: &Path, tokens: &[(&str, &str, u8)]) {
    let mut text = String::from("format = \"por-asset-registry-v1\"\n");
    for (symbol, contract, decimals) in tokens {
        text.push_str(&format!(
            "[[token]]\nsymbol = \"{symbol}\"\nchain = \"ethereum\"\nnetwork = \"mainnet\"\ncontract = \"{contract}\"\ndecimals = {decimals}\nsource = \"the test's own deployment\"\nstatus = \"confirmed\"\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn failed_ids(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn key_generate_is_private_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.hex");
    let o = por(&["key", "generate", "--out", s(&key)]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = std::fs::read_to_string(&key).unwrap();
    let secret = text.trim();
    assert_eq!(secret.len(), 64);
    // The printed public key is the secret's (checked with the core, which
    // is itself checked against BIP-340's vectors).
    let k = AttestationKey::from_hex(secret).unwrap();
    assert!(out(&o).contains(&k.public_key_hex()), "{}", out(&o));
    assert!(out(&o).contains(&k.fingerprint()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let o = por(&["key", "generate", "--out", s(&key)]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("already exists"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
}

#[test]
fn bitcoin_attestation_audit_passes_then_each_planted_problem_fails() {
    let ex = Exchange1::new("acme", "2026-11-21");
    let reserves = ex.reserves_csv("reserves.csv", &[]);
    let o = ex.attest("acme", "2026-11-21", &reserves, "att.json", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let att = ex.path("att.json");
    let good_balances = ex.balances_file("balances.csv", None, HASH);

    // Everything passes (segregation: 3.9 BTC in customer wallets ≥ 3.75).
    let proofs = ex.path("proofs");
    let o = por(&[
        "tree",
        "export-proofs",
        "--tree",
        s(&ex.path("tree")),
        "--out",
        s(&proofs),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let html = ex.path("report.html");
    let (c, r, text) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--liabilities",
        s(&ex.path("liabilities.csv")),
        "--secret-file",
        s(&ex.path("secret")),
        "--sample-proofs",
        s(&proofs),
        "--min-cold-percent",
        "85",
        "--html",
        s(&html),
    ]);
    // Every check given data passes; the liability reserve was not given
    // (--reserve-inputs): INCOMPLETE, exit 3, and that is the only gap.
    assert_eq!(c, 3, "{text}");
    assert_eq!(r["outcome"], "incomplete");
    assert_eq!(statuses(&r, "reserve-requirement"), ["not_checked"]);
    assert_eq!(r["totals"]["not_checked"], 1);
    assert!(failed_ids(&r).is_empty(), "{text}");
    assert_eq!(statuses(&r, "signature"), ["pass"]);
    assert_eq!(statuses(&r, "ownership"), ["pass"; 4]);
    assert_eq!(statuses(&r, "balance"), ["pass"; 4]);
    assert_eq!(statuses(&r, "unique-address"), ["pass"]);
    assert_eq!(statuses(&r, "solvency"), ["pass"]);
    assert_eq!(statuses(&r, "segregation"), ["pass"]);
    assert_eq!(statuses(&r, "cold-share"), ["pass"]);
    assert_eq!(statuses(&r, "rebuild"), ["pass"]);
    assert_eq!(statuses(&r, "customer-proof"), ["pass"; 3]);
    let pos = &r["positions"][0];
    assert_eq!(pos["liabilities"], "375000000");
    assert_eq!(pos["reserves"], "460000000");
    assert_eq!(pos["customer"], "390000000");
    assert_eq!(pos["solvency_ratio"], "122.66%");
    assert_eq!(pos["customer_tiers"]["cold"], "340000000");
    assert_eq!(r["sources"][0]["height"], HEIGHT);
    assert!(text.starts_with("INCOMPLETE: "), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && !page.contains("<script"));

    // The key pinned to the one the exchange published: passes; another
    // key: the signature check fails and nothing else is used.
    let published = AttestationKey::from_hex(&std::fs::read_to_string(ex.path("key.hex")).unwrap())
        .unwrap()
        .public_key_hex();
    let (c, _, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--expect-key",
        &published,
    ]);
    assert_eq!(c, 3, "nothing fails; much is not checked");
    // Hex digits in either case name the same key.
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--expect-key",
        &published.to_ascii_uppercase(),
    ]);
    assert_eq!((c, statuses(&r, "signature")), (3, vec!["pass".to_owned()]));
    // 64 hex digits that are no x-only key (BIP-340 test vector 5: not on
    // the curve) are bad input, not a key every attestation fails against.
    let off_curve = "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34";
    let o = por(&[
        "audit",
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--expect-key",
        off_curve,
    ]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("--expect-key"), "{}", err(&o));
    let stranger = AttestationKey::from_secret_bytes(&[9; 32])
        .unwrap()
        .public_key_hex();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--expect-key",
        &stranger,
    ]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "signature"), ["fail"]);
    assert!(checks(&r, "signature")[0]["summary"]
        .as_str()
        .unwrap()
        .contains("not among the 1 trusted key"));
    assert!(checks(&r, "ownership").is_empty());

    // Cold share below a 90% minimum (340 / 390 = 87.17%).
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--min-cold-percent",
        "90",
    ]);
    assert_eq!((c, failed_ids(&r)), (1, vec!["cold-share".to_owned()]));

    // A balance short by one satoshi.
    let short_addr = ex.wallets[1].1.clone();
    let short = ex.balances_file("short.csv", Some(&short_addr), HASH);
    let (c, r, _) = audit(&["--attestation", s(&att), "--balances", s(&short)]);
    assert_eq!(c, 1);
    let bad = checks(&r, "balance")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect::<Vec<_>>();
    assert_eq!(bad.len(), 1);
    assert!(bad[0]["subject"].as_str().unwrap().contains(&short_addr));
    assert!(
        bad[0]["summary"]
            .as_str()
            .unwrap()
            .contains("short by 0.00000001 BTC = 1 base units"),
        "{}",
        bad[0]
    );
    // Counted at what is on chain: customer wallets 3.9 BTC - 1 sat.
    assert_eq!(r["positions"][0]["customer"], "389999999");

    // Balances at another block than the attested one.
    let other_hash = "11".repeat(32);
    let moved = ex.balances_file("moved.csv", None, &other_hash);
    let (c, r, _) = audit(&["--attestation", s(&att), "--balances", s(&moved)]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "balance"), ["fail"; 4]);
    assert!(checks(&r, "balance")[0]["summary"]
        .as_str()
        .unwrap()
        .contains("not the attested"));

    // A tampered attestation: one claimed balance raised after signing.
    let text = std::fs::read_to_string(&att).unwrap();
    let tampered = ex.path("tampered.json");
    std::fs::write(
        &tampered,
        text.replacen("\"340000000\"", "\"340000001\"", 1),
    )
    .unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&tampered),
        "--balances",
        s(&good_balances),
    ]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "signature"), ["fail"]);
    assert!(
        checks(&r, "ownership").is_empty(),
        "nothing of a bad attestation is used"
    );

    // A liabilities export that does not rebuild the root (bob's 2 → 2.00000001).
    let changed = ex.path("changed.csv");
    std::fs::write(
        &changed,
        "user_id,BTC\nalice,1.5\nbob,2.00000001\ncarol,0.25\n",
    )
    .unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--liabilities",
        s(&changed),
        "--secret-file",
        s(&ex.path("secret")),
    ]);
    assert_eq!((c, failed_ids(&r)), (1, vec!["rebuild".to_owned()]));
    let summary = checks(&r, "rebuild")[0]["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        summary.contains("rebuilt root") && summary.contains("BTC total 375000001"),
        "{summary}"
    );
    // One customer left out.
    std::fs::write(&changed, "user_id,BTC\nalice,1.5\nbob,2\n").unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--liabilities",
        s(&changed),
        "--secret-file",
        s(&ex.path("secret")),
    ]);
    assert_eq!(c, 1);
    assert!(checks(&r, "rebuild")[0]["summary"]
        .as_str()
        .unwrap()
        .contains("2 customers ≠ attested 3"));

    // A customer proof that fails: bob's balance raised in his proof file.
    let bad_proofs = ex.path("bad-proofs");
    std::fs::create_dir(&bad_proofs).unwrap();
    for f in std::fs::read_dir(&proofs).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&f, bad_proofs.join(f.file_name().unwrap())).unwrap();
        }
    }
    let bob = std::fs::read_dir(&bad_proofs)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| std::fs::read_to_string(p).unwrap().contains("\"bob\""))
        .unwrap();
    let t = std::fs::read_to_string(&bob).unwrap();
    assert!(t.contains("\"200000000\""));
    std::fs::write(&bob, t.replacen("\"200000000\"", "\"200000001\"", 1)).unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&good_balances),
        "--sample-proofs",
        s(&bad_proofs),
    ]);
    assert_eq!(c, 1);
    let mut st = statuses(&r, "customer-proof");
    st.sort();
    assert_eq!(st, ["fail", "pass", "pass"]);

    // One wallet claimed twice in one attestation, under two categories.
    let (_, a, sig, _, _, _) = &ex.wallets[0];
    let dup = ex.reserves_csv(
        "dup.csv",
        &[format!("bitcoin,{a},BTC,corporate,cold,1,auto,,{sig}")],
    );
    let o = ex.attest("acme", "2026-11-21", &dup, "dup.json", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (c, r, _) = audit(&[
        "--attestation",
        s(&ex.path("dup.json")),
        "--balances",
        s(&good_balances),
    ]);
    assert_eq!(c, 1);
    let u = checks(&r, "unique-address");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["status"], "fail");
    assert!(
        u[0]["summary"].as_str().unwrap().contains("as customer")
            && u[0]["summary"].as_str().unwrap().contains("as corporate")
    );
    // Neither claim counts: customer wallets fall to 0.5 BTC, segregation and solvency fail.
    assert!(failed_ids(&r).contains(&"segregation".to_owned()));
    assert_eq!(r["positions"][0]["customer"], "50000000");
}

#[test]
fn unbound_proofs_history_and_two_exchanges() {
    let ex = Exchange1::new("acme", "2026-11-21");
    let reserves = ex.reserves_csv("reserves.csv", &[]);
    let balances = ex.balances_file("balances.csv", None, HASH);
    let o = ex.attest("acme", "2026-11-21", &reserves, "nov.json", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));

    // The same signatures for the next snapshot: refused, each row named.
    let o = ex.attest("acme", "2026-12-21", &reserves, "dec.json", &[]);
    assert_eq!(code(&o), 2);
    // Each record spans four physical lines (the message has three newlines).
    for line in ["line 2:", "line 6:", "line 10:", "line 14:"] {
        assert!(err(&o).contains(line), "{}", err(&o));
    }
    assert!(err(&o).contains("not bound"), "{}", err(&o));
    assert!(!ex.path("dec.json").exists());

    // Signed anyway with --allow-unbound and linked to November: the audit
    // fails every ownership proof (bound to another snapshot), but the
    // history link passes.
    let nov = ex.path("nov.json");
    let o = ex.attest(
        "acme",
        "2026-12-21",
        &reserves,
        "dec.json",
        &["--allow-unbound", "--previous", s(&nov)],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("warning"), "{}", err(&o));
    let (c, r, _) = audit(&[
        "--attestation",
        s(&nov),
        "--attestation",
        s(&ex.path("dec.json")),
        "--balances",
        s(&balances),
    ]);
    assert_eq!(c, 1);
    let own = checks(&r, "ownership");
    assert_eq!(own.len(), 8);
    let dec_own: Vec<_> = own
        .iter()
        .filter(|c| c["subject"].as_str().unwrap().contains("2026-12-21"))
        .collect();
    assert_eq!(dec_own.len(), 4);
    for c in &dec_own {
        assert_eq!(c["status"], "fail");
        assert!(
            c["summary"]
                .as_str()
                .unwrap()
                .contains("NOT bound to this snapshot"),
            "{c}"
        );
    }
    // Same time in both (the test signs both at 2026-11-21T00:00:00Z): the
    // link is found but time does not advance.
    let link: Vec<_> = checks(&r, "previous-link")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(link.len(), 1);
    assert!(
        link[0]["summary"].as_str().unwrap().contains("not after"),
        "{}",
        link[0]
    );

    // A proper history: December later in time and at a later block,
    // linked → pass; linked to a
    // re-signed November (same content, another signature) → broken.
    let o = por(&[
        "attest",
        "--tree",
        s(&ex.path("tree")),
        "--reserves",
        s(&reserves),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-12-21",
        "--time",
        "2026-12-21T00:00:00Z",
        "--chain",
        &format!("bitcoin={}:{HASH}", HEIGHT + 1),
        "--key",
        s(&ex.path("key.hex")),
        "--allow-unbound",
        "--previous",
        s(&nov),
        "--out",
        s(&ex.path("dec2.json")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (_, r, _) = audit(&[
        "--attestation",
        s(&nov),
        "--attestation",
        s(&ex.path("dec2.json")),
        "--balances",
        s(&balances),
    ]);
    assert!(
        statuses(&r, "previous-link").contains(&"pass".to_owned()),
        "{r}"
    );
    let o = ex.attest("acme", "2026-11-21", &reserves, "nov-resigned.json", &[]);
    assert_eq!(code(&o), 0);
    let (c, r, _) = audit(&[
        "--attestation",
        s(&ex.path("nov-resigned.json")),
        "--attestation",
        s(&ex.path("dec2.json")),
        "--balances",
        s(&balances),
    ]);
    assert_eq!(c, 1);
    let broken: Vec<_> = checks(&r, "previous-link")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(broken.len(), 1);
    assert!(broken[0]["summary"]
        .as_str()
        .unwrap()
        .contains("history is broken"));

    // Another exchange claims acme's first wallet with acme's own proof.
    let other = Exchange1::new("bolt", "2026-11-21");
    let (_, a, sig, _, _, _) = &ex.wallets[0];
    let stolen = other.reserves_csv(
        "stolen.csv",
        &[format!(
            "bitcoin,{a},BTC,customer,cold,3.4,auto,\"{}\",{sig}",
            canonical("acme", "2026-11-21", &ex.root)
        )],
    );
    let o = other.attest("bolt", "2026-11-21", &stolen, "bolt.json", &[]);
    assert_eq!(code(&o), 2, "an unbound row is refused by default");
    assert!(err(&o).contains("line 18:"), "{}", err(&o));
    let o = other.attest(
        "bolt",
        "2026-11-21",
        &stolen,
        "bolt.json",
        &["--allow-unbound"],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let mut all_bal = std::fs::read_to_string(&balances).unwrap();
    let ob = other.balances_file("b.csv", None, HASH);
    all_bal.push_str(
        std::fs::read_to_string(ob)
            .unwrap()
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    );
    all_bal.push('\n');
    let both = other.path("both.csv");
    std::fs::write(&both, all_bal).unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&nov),
        "--attestation",
        s(&other.path("bolt.json")),
        "--balances",
        s(&both),
    ]);
    assert_eq!(c, 1);
    let u: Vec<_> = checks(&r, "unique-address")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(u.len(), 1, "{r}");
    assert!(u[0]["subject"].as_str().unwrap().contains(a.as_str()));
    let summary = u[0]["summary"].as_str().unwrap();
    assert!(
        summary.contains("acme 2026-11-21") && summary.contains("bolt 2026-11-21"),
        "{summary}"
    );
}

#[test]
fn bad_inputs_exit_2_naming_the_field() {
    let ex = Exchange1::new("acme", "2026-11-21");
    let cases: [(&str, &str); 5] = [
        (
            "bitcoin,{a},BTC,customer,cold,0.123456789,auto,,{s}",
            "field `balance`",
        ),
        (
            "bitcoin,{a},BTC,clients,cold,1,auto,,{s}",
            "field `category`",
        ),
        (
            "bitcoin,{a},BTC,customer,freezing,1,auto,,{s}",
            "field `tier`",
        ),
        (
            "bitcoin,{a},DOGE,customer,cold,1,auto,,{s}",
            "field `asset`",
        ),
        (
            "bitcoin,{a},BTC,customer,cold,1,auto,,",
            "field `signature` is empty",
        ),
    ];
    let (_, a, sig, _, _, _) = &ex.wallets[0];
    for (row, want) in cases {
        let row = row.replace("{a}", a).replace("{s}", sig);
        let p = ex.reserves_csv("bad.csv", &[row]);
        let o = ex.attest("acme", "2026-11-21", &p, "bad.json", &[]);
        assert_eq!(code(&o), 2, "{want}");
        assert!(err(&o).contains("line 18:"), "{want}: {}", err(&o));
        assert!(err(&o).contains(want), "{want}: {}", err(&o));
    }
    // A row on a chain with no --chain block.
    let p = ex.reserves_csv(
        "bad.csv",
        &[
            "ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,BTC,customer,cold,1,auto,,0x00"
                .to_owned(),
        ],
    );
    let o = ex.attest("acme", "2026-11-21", &p, "bad.json", &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("line 18: field `chain`"), "{}", err(&o));
    // A signature by another key: does not verify, refused even with --allow-unbound.
    let fresh = bitcoin_signatures(&canonical("acme", "2026-11-21", &ex.root));
    let other_sig = &fresh.iter().find(|w| w.0 == "p2wpkh").unwrap().2;
    let (_, b, _, _, _, _) = &ex.wallets[2];
    assert_eq!(ex.wallets[2].0, "p2wpkh");
    let p = ex.reserves_csv(
        "bad.csv",
        &[format!("bitcoin,{b},BTC,customer,cold,1,auto,,{other_sig}")],
    );
    let o = ex.attest("acme", "2026-11-21", &p, "bad.json", &["--allow-unbound"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("do not verify") && err(&o).contains("line 18:"),
        "{}",
        err(&o)
    );
    // Bad --chain, --time.
    let reserves = ex.reserves_csv("ok.csv", &[]);
    let o = por(&[
        "attest",
        "--tree",
        s(&ex.path("tree")),
        "--reserves",
        s(&reserves),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21",
        "--chain",
        &format!("bitcoin={HEIGHT}:{HASH}"),
        "--key",
        s(&ex.path("key.hex")),
        "--out",
        s(&ex.path("x.json")),
    ]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("snapshot.time"), "{}", err(&o));
    let o = por(&[
        "attest",
        "--tree",
        s(&ex.path("tree")),
        "--reserves",
        s(&reserves),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21T00:00:00Z",
        "--chain",
        "bitcoin=abc:00",
        "--key",
        s(&ex.path("key.hex")),
        "--out",
        s(&ex.path("x.json")),
    ]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("--chain"), "{}", err(&o));
    // Audit: a malformed attestation and a missing balances file.
    let junk = ex.path("junk.json");
    std::fs::write(&junk, "{\"format\": \"por-attestation-v1\"}").unwrap();
    let o = por(&["audit", "--attestation", s(&junk)]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("junk.json"), "{}", err(&o));
    let o = ex.attest("acme", "2026-11-21", &reserves, "ok.json", &[]);
    assert_eq!(code(&o), 0);
    let o = por(&[
        "audit",
        "--attestation",
        s(&ex.path("ok.json")),
        "--balances",
        s(&ex.path("nope.csv")),
    ]);
    assert_eq!(code(&o), 2);
    // TOML reserves work like CSV.
    let mut toml = String::new();
    for (_, a, sig, c, t, bal) in &ex.wallets {
        toml.push_str(&format!(
            "[[reserve]]\nchain = \"bitcoin\"\naddress = \"{a}\"\nasset = \"BTC\"\ncategory = \"{c}\"\ntier = \"{t}\"\nbalance = \"{}\"\nsignature = \"{sig}\"\n\n",
            Amount::from_base_units(u128::from(*bal)).display_in(8)
        ));
    }
    let p = ex.path("reserves.toml");
    std::fs::write(&p, toml).unwrap();
    let o = ex.attest("acme", "2026-11-21", &p, "toml.json", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
}

#[test]
fn ethereum_end_to_end_against_ganache() {
    let node = Ganache::start().unwrap_or_else(|e| panic!("{e} (run scripts/ci/deps-chain.sh)"));
    let acc = node.accounts().unwrap();
    let token = node.deploy_token(&acc[0], 6, 1_000_000_000).unwrap();
    node.transfer_token(&token, &acc[0], &acc[1], 700_000_000)
        .unwrap();
    node.transfer_token(&token, &acc[0], &acc[2], 50_000_000)
        .unwrap();
    let height = node.block_number().unwrap();
    let hash = node.block_hash(height).unwrap();
    // After the snapshot block: moves that must not change the audit.
    node.transfer_token(&token, &acc[1], &acc[3], 600_000_000)
        .unwrap();
    node.send_eth(&acc[1], &acc[3], 500).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    // Liabilities: 1000 ETH-wei-scale and 700 USDT-like tokens (PTT, 6 decimals).
    std::fs::write(
        p("liab.csv"),
        "user_id,ETH,PTT\nalice,900,500\nbob,50,200\n",
    )
    .unwrap();
    let o = por(&[
        "tree",
        "build",
        "--balances",
        s(&p("liab.csv")),
        "--assets",
        "ETH:18,PTT:6",
        "--secret-file",
        s(&p("secret")),
        "--out",
        s(&p("tree")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(p("tree/tree.json")).unwrap()).unwrap();
    let root = summary["root"]["hash"].as_str().unwrap().to_owned();
    let msg = canonical("acme", "2026-11-21", &root);
    let sig = |a: &por_chain::evm::EvmAddress| {
        format!("0x{}", hex::encode(node.personal_sign(a, &msg).unwrap()))
    };
    // ganache accounts start with 1000 ETH; acc[1] paid gas for nothing yet
    // at the snapshot (transfers were from acc[0]).
    let rows = format!(
        "chain,address,asset,category,tier,balance,scheme,message,signature\n\
         ethereum,{a1},ETH,customer,cold,1000,eip191,,{s1}\n\
         ethereum,{a1},PTT,customer,cold,700,eip191,,{s1}\n\
         ethereum,{a2},PTT,corporate,hot,50,eip191,,{s2}\n",
        a1 = acc[1].to_checksummed(),
        a2 = acc[2].to_lower_hex(),
        s1 = sig(&acc[1]),
        s2 = sig(&acc[2]),
    );
    std::fs::write(p("reserves.csv"), rows).unwrap();
    let o = por(&["key", "generate", "--out", s(&p("key"))]);
    assert_eq!(code(&o), 0);
    let chain = format!("ethereum={height}:{hash}");
    let asset = format!("PTT=ethereum:{}", token.to_lower_hex());
    let o = por(&[
        "attest",
        "--tree",
        s(&p("tree")),
        "--reserves",
        s(&p("reserves.csv")),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21T00:00:00Z",
        "--chain",
        &chain,
        "--asset",
        &asset,
        "--asset",
        "ETH=ethereum",
        "--key",
        s(&p("key")),
        "--out",
        s(&p("att.json")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let source = format!("ethereum={}", node.url());
    // The auditor pins which contract PTT is (it is no well-known token).
    let registry = p("registry.toml");
    write_registry(&registry, &[("PTT", &token.to_lower_hex(), 6)]);
    let (c, r, text) = audit(&[
        "--attestation",
        s(&p("att.json")),
        "--chain",
        &source,
        "--asset-registry",
        s(&registry),
    ]);
    // Every check given data passes; no export, proofs, reserve inputs or
    // cold minimum were given, so the outcome is INCOMPLETE (exit 3).
    assert_eq!(
        (c, r["outcome"].as_str()),
        (3, Some("incomplete")),
        "{text}"
    );
    assert!(failed_ids(&r).is_empty(), "{text}");
    assert_eq!(statuses(&r, "ownership"), ["pass"; 3]);
    assert_eq!(statuses(&r, "balance"), ["pass"; 3]);
    assert_eq!(statuses(&r, "solvency"), ["pass", "pass"]);
    assert_eq!(r["sources"][0]["block_hash"], hash.to_lowercase());
    assert!(r["sources"][0]["source"]
        .as_str()
        .unwrap()
        .contains(node.url()));

    // Claim one token base unit more than acc[2] held at the snapshot.
    let rows = std::fs::read_to_string(p("reserves.csv"))
        .unwrap()
        .replace("hot,50,", "hot,50.000001,");
    std::fs::write(p("reserves2.csv"), rows).unwrap();
    let o = por(&[
        "attest",
        "--tree",
        s(&p("tree")),
        "--reserves",
        s(&p("reserves2.csv")),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21T00:00:00Z",
        "--chain",
        &chain,
        "--asset",
        &asset,
        "--key",
        s(&p("key")),
        "--out",
        s(&p("att2.json")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (c, r, _) = audit(&[
        "--attestation",
        s(&p("att2.json")),
        "--chain",
        &source,
        "--asset-registry",
        s(&registry),
    ]);
    assert_eq!(c, 1);
    let bad: Vec<_> = checks(&r, "balance")
        .into_iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0]["summary"]
            .as_str()
            .unwrap()
            .contains("short by 0.000001 PTT = 1 base units"),
        "{}",
        bad[0]
    );

    // The same attestation with another block hash at that height: fails.
    let prev = node.block_hash(height - 1).unwrap();
    let o = por(&[
        "attest",
        "--tree",
        s(&p("tree")),
        "--reserves",
        s(&p("reserves.csv")),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21T00:00:00Z",
        "--chain",
        &format!("ethereum={height}:{prev}"),
        "--asset",
        &asset,
        "--key",
        s(&p("key")),
        "--out",
        s(&p("att3.json")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (c, r, _) = audit(&[
        "--attestation",
        s(&p("att3.json")),
        "--chain",
        &source,
        "--asset-registry",
        s(&registry),
    ]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "balance"), ["fail"; 3]);
}

/// The Bitcoin Core RPC stand-in (Bitcoin Core's documented formats):
/// balances at height 100 are 50,012,345 sat (A) and 100,000,000 (B). The
/// wallets A and B are BIP-173 test addresses nobody holds keys for, so the
/// attestation is signed in the test and their ownership checks fail; the
/// balance checks are what this test is about.
#[test]
fn bitcoin_core_balances_short_by_one_satoshi() {
    let server = TestServer::start(bitcoin_core::handler(None));
    let key = AttestationKey::from_secret_bytes(&[5; 32]).unwrap();
    let entry = |address: &str, sat: u128| {
        ReserveEntry {
        chain: AttestedChain::from_name("bitcoin"),
        address: WalletAddress::new(address).unwrap(),
        asset: "BTC".into(),
        category: Category::Customer,
        tier: Tier::Cold,
        claimed: Amount::from_base_units(sat),
        proof: OwnershipProof {
            scheme: AttestedScheme::from_name("bip322"),
            message: "por reserves v1".into(),
            signature: "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=".into(),
            second_signature: None,
            redeem_script: None,
        },
    }
    };
    let body = Attestation::builder(
        Exchange {
            // Markup in an input must come out as text in the HTML report.
            id: "acme<script>alert(1)</script>".into(),
            public_key: key.public_key(),
        },
        Snapshot {
            label: "s100".into(),
            time: SnapshotTime::parse("2026-11-21T00:00:00Z").unwrap(),
        },
    )
    .chain(ChainPoint {
        chain: AttestedChain::from_name("bitcoin"),
        height: 100,
        block_hash: AttestedBlockHash::parse(&bitcoin_core::block_hash(100).unwrap()).unwrap(),
    })
    .asset(AttestedAsset {
        symbol: "BTC".into(),
        decimals: 8,
        chain: AttestedChain::from_name("bitcoin"),
        contract: None,
    })
    .reserves([
        entry(bitcoin_core::ADDRESS_A, 50_012_345),
        entry(bitcoin_core::ADDRESS_B, 100_000_001),
    ])
    .build(Liabilities {
        root: "11".repeat(32).parse().unwrap(),
        height: 1,
        customers: 2,
        totals: vec![AssetTotal {
            asset: "BTC".into(),
            amount: Amount::from_base_units(100_000_000),
        }],
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let att = dir.path().join("att.json");
    std::fs::write(&att, body.sign(&key, &[0; 32]).unwrap()).unwrap();
    let url = server.url();
    let (user, pass) = bitcoin_core::COOKIE.split_once(':').unwrap();
    let source = format!(
        "bitcoin={}",
        url.replacen("http://", &format!("http://{user}:{pass}@"), 1)
    );
    let html = dir.path().join("report.html");
    let (c, r, text) = audit(&[
        "--attestation",
        s(&att),
        "--chain",
        &source,
        "--html",
        s(&html),
    ]);
    assert_eq!(c, 1, "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script"), "no markup from the inputs");
    assert!(page.contains("acme&lt;script&gt;alert(1)&lt;/script&gt;"));
    let b = checks(&r, "balance");
    assert_eq!(b.len(), 2);
    assert_eq!(
        b.iter()
            .find(|c| c["subject"]
                .as_str()
                .unwrap()
                .contains(bitcoin_core::ADDRESS_A))
            .unwrap()["status"],
        "pass"
    );
    let fb = b
        .iter()
        .find(|c| {
            c["subject"]
                .as_str()
                .unwrap()
                .contains(bitcoin_core::ADDRESS_B)
        })
        .unwrap();
    assert_eq!(fb["status"], "fail");
    assert!(
        fb["summary"]
            .as_str()
            .unwrap()
            .contains("short by 0.00000001 BTC = 1 base units"),
        "{fb}"
    );
    assert_eq!(fb["evidence"]["observed"], "100000000");
    assert_eq!(statuses(&r, "ownership"), ["fail", "fail"]);
}

/// The liability-reserve inputs: committed to by hash in the attestation,
/// evaluated by the reserve engine over the attestation's counted wallets.
#[test]
fn reserve_inputs_are_committed_and_evaluated() {
    let ex = Exchange1::new("acme", "2026-11-21");
    let reserves = ex.reserves_csv("reserves.csv", &[]);
    let balances = ex.balances_file("balances.csv", None, HASH);
    let inputs = repo_root().join("examples/reserve-inputs.toml");
    let o = ex.attest(
        "acme",
        "2026-11-21",
        &reserves,
        "att.json",
        &["--reserve-inputs", s(&inputs)],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let att = ex.path("att.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&att).unwrap()).unwrap();
    assert_eq!(doc["reserve_inputs"]["file"], "reserve-inputs.toml");
    let html = ex.path("r.html");
    let (_, r, text) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&balances),
        "--reserve-inputs",
        s(&inputs),
        "--scenarios",
        "S1",
        "S7",
        "--html",
        s(&html),
    ]);
    assert_eq!(statuses(&r, "reserve-inputs"), ["pass"]);
    assert!(!checks(&r, "reserve-in-force").is_empty());
    assert_eq!(checks(&r, "reserve-requirement").len(), 1);
    let res = &r["reserve"];
    assert_eq!(res["stress"].as_array().unwrap().len(), 2);
    // The engine's holdings are the attestation's four counted wallets:
    // its customer liabilities are the attested root's totals.
    assert!(
        res["report"]["requirement"]["required_jpy"].is_string(),
        "{res}"
    );
    assert!(text.contains("Liability reserve"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Liability reserve (¥ millions)") && page.contains("Stress: coverage"));

    // The in-force checks over the attested wallets: 0.5 of 3.9 BTC of
    // customer crypto is hot (A1, at most 5% non-cold: fails), no
    // performance-guarantee wallet backs it (A2 fails), customer wallets
    // cover the 3.75 BTC of liabilities (A3 passes).
    let in_force = |r: &Value, id: &str| -> String {
        checks(r, "reserve-in-force")
            .into_iter()
            .find(|c| c["subject"].as_str().unwrap().contains(&format!(": {id} ")))
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(in_force(&r, "A1"), "fail");
    assert_eq!(in_force(&r, "A2"), "fail");
    assert_eq!(in_force(&r, "A3"), "pass");

    // The fourth wallet attested as `guarantee` crypto holding 0.5 BTC: it
    // backs the hot 0.5 BTC, and A2 passes.
    let mut ex = ex;
    ex.wallets[3].3 = "guarantee";
    ex.wallets[3].5 = 50_000_000;
    let reserves = ex.reserves_csv("reserves-g.csv", &[]);
    let balances_g = ex.balances_file("balances-g.csv", None, HASH);
    let o = ex.attest(
        "acme",
        "2026-11-21",
        &reserves,
        "att-g.json",
        &["--reserve-inputs", s(&inputs)],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (_, r, _) = audit(&[
        "--attestation",
        s(&ex.path("att-g.json")),
        "--balances",
        s(&balances_g),
        "--reserve-inputs",
        s(&inputs),
        "--scenarios",
        "S1",
    ]);
    assert_eq!(in_force(&r, "A2"), "pass");
    assert_eq!(r["positions"][0]["guarantee"], "50000000");

    // Another inputs file than the one committed to: the check fails.
    let changed = ex.path("reserve-inputs.toml");
    std::fs::write(
        &changed,
        std::fs::read_to_string(&inputs).unwrap() + "\n# edited\n",
    )
    .unwrap();
    let (c, r, _) = audit(&[
        "--attestation",
        s(&att),
        "--balances",
        s(&balances),
        "--reserve-inputs",
        s(&changed),
        "--scenarios",
        "S1",
    ]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "reserve-inputs"), ["fail"]);
}

// ===========================================================================
// Issue 10: the on-chain identity of assets and wallets. Each test is named
// after what it stops; every one runs the real binary.
// ===========================================================================

/// Signs `message` with one fresh key: its Litecoin P2PKH address (legacy
/// signed message, bitcoinjs-message) and its testnet P2WPKH and P2PKH
/// addresses (bip322-js). Returns (kind, address, signature).
fn other_network_signatures(message: &str) -> Vec<(String, String, String)> {
    const SCRIPT: &str = r"
const req = (m) => require(require.resolve(m, { paths: [process.cwd()] }));
const bitcoin = req('bitcoinjs-lib'); const bm = req('bitcoinjs-message');
const ecc = req('@bitcoinerlab/secp256k1'); const { ECPairFactory } = req('ecpair');
const ECPair = ECPairFactory(ecc); const { Signer, Address } = req('bip322-js');
const msg = process.argv[2];
const ltc = { messagePrefix: '\x19Litecoin Signed Message:\n', bech32: 'ltc',
  bip32: { public: 0x019da462, private: 0x019d9cfe }, pubKeyHash: 0x30, scriptHash: 0x32, wif: 0xb0 };
const key = ECPair.makeRandom();
const { address } = bitcoin.payments.p2pkh({ pubkey: Buffer.from(key.publicKey), network: ltc });
const sig = bm.sign(msg, Buffer.from(key.privateKey), true, ltc.messagePrefix);
console.log(JSON.stringify({ kind: 'litecoin', address, signature: sig.toString('base64') }));
const tkey = ECPair.fromPrivateKey(Buffer.from(key.privateKey), { network: bitcoin.networks.testnet });
for (const type of ['p2wpkh', 'p2pkh']) {
  const a = Address.convertPubKeyIntoAddress(key.publicKey, type).testnet;
  console.log(JSON.stringify({ kind: 'testnet-' + type, address: a, signature: Signer.sign(tkey.toWIF(), a, msg) }));
}
";
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sign-other-networks.cjs");
    std::fs::write(&script, SCRIPT).unwrap();
    let o = Command::new("node")
        .current_dir(repo_root().join("tests/node"))
        .arg(&script)
        .arg(message)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}; run scripts/ci/deps-ownership.sh"));
    assert!(o.status.success(), "signer failed: {}", err(&o));
    out(&o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["kind"].as_str().unwrap().to_owned(),
                v["address"].as_str().unwrap().to_owned(),
                v["signature"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const ROOT: &str = "2222222222222222222222222222222222222222222222222222222222222222";
const ETH_HASH: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const USDC: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
const WALLET: &str = "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1";

/// A reserve entry (ownership proof as given: the identity checks do not
/// depend on it).
fn identity_entry(
    chain: &str,
    address: &str,
    asset: &str,
    claimed: u128,
    proof: (&str, &str, &str),
) -> ReserveEntry {
    ReserveEntry {
        chain: AttestedChain::from_name(chain),
        address: WalletAddress::new(address).unwrap(),
        asset: asset.into(),
        category: Category::Customer,
        tier: Tier::Cold,
        claimed: Amount::from_base_units(claimed),
        proof: OwnershipProof {
            scheme: AttestedScheme::from_name(proof.0),
            message: proof.1.into(),
            signature: proof.2.into(),
            second_signature: None,
            redeem_script: None,
        },
    }
}

const NO_PROOF: (&str, &str, &str) = ("eip191", "placeholder", "0x00");

/// An attestation signed by `key`: chains (name, height, hash), assets
/// (symbol, decimals, chain, contract), reserves, previous.
#[allow(clippy::too_many_arguments, reason = "a test fixture")]
fn identity_attestation(
    key: &AttestationKey,
    exchange: &str,
    label: &str,
    time: &str,
    chains: &[(&str, u64, &str)],
    assets: &[(&str, u8, &str, Option<&str>)],
    reserves: Vec<ReserveEntry>,
    previous: Option<String>,
) -> String {
    Attestation::builder(
        Exchange {
            id: exchange.into(),
            public_key: key.public_key(),
        },
        Snapshot {
            label: label.into(),
            time: SnapshotTime::parse(time).unwrap(),
        },
    )
    .chains(chains.iter().map(|(c, h, b)| ChainPoint {
        chain: AttestedChain::from_name(c),
        height: *h,
        block_hash: AttestedBlockHash::parse(b).unwrap(),
    }))
    .assets(assets.iter().map(|(s, d, c, k)| AttestedAsset {
        symbol: (*s).into(),
        decimals: *d,
        chain: AttestedChain::from_name(c),
        contract: k.map(str::to_owned),
    }))
    .reserves(reserves)
    .previous(previous.map(|p| AttestationId::from_hex(&p).unwrap()))
    .build(Liabilities {
        root: ROOT.parse().unwrap(),
        height: 1,
        customers: 2,
        totals: assets
            .iter()
            .map(|(s, ..)| AssetTotal {
                asset: (*s).into(),
                amount: Amount::from_base_units(1),
            })
            .collect(),
    })
    .unwrap()
    .sign(key, &[7; 32])
    .unwrap()
}

fn attestation_id(text: &str) -> String {
    por_attest::ParsedAttestation::from_json(text)
        .unwrap()
        .id()
        .to_hex()
}

/// A balances file of (chain, address, asset, balance, height, hash, contract).
fn identity_balances(path: &Path, rows: &[(&str, &str, &str, u128, u64, &str, &str)]) {
    let mut text = String::from("chain,address,asset,balance,height,block_hash,source,contract\n");
    for (c, a, s, b, h, hash, k) in rows {
        text.push_str(&format!("{c},{a},{s},{b},{h},{hash},test fixture,{k}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// `por audit --json`: exit code and report, whatever the outcome.
fn audit_report(args: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let mut all = vec!["audit", "--json", s(&json)];
    all.extend_from_slice(args);
    let o = por(&all);
    let c = code(&o);
    assert!(c != 2, "exit 2: {}", err(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    support::assert_audit_report_schema(&report);
    (c, report, out(&o))
}

fn write_att(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn audit_fails_token_contract_chosen_by_the_exchange() {
    let node = Ganache::start().unwrap_or_else(|e| panic!("{e} (run scripts/ci/deps-chain.sh)"));
    let acc = node.accounts().unwrap();
    // The real token the auditor pins; the exchange's wallet holds none.
    let real = node.deploy_token(&acc[0], 6, 1_000_000_000).unwrap();
    // A token the exchange deployed itself and minted to its own wallet.
    let fake = node.deploy_token(&acc[1], 6, 1_000_000_000).unwrap();
    let height = node.block_number().unwrap();
    let hash = node.block_hash(height).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("liab.csv"), "user_id,USDX\nalice,500\nbob,200\n").unwrap();
    let o = por(&[
        "tree",
        "build",
        "--balances",
        s(&p("liab.csv")),
        "--assets",
        "USDX:6",
        "--secret-file",
        s(&p("secret")),
        "--out",
        s(&p("tree")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(p("tree/tree.json")).unwrap()).unwrap();
    let root = summary["root"]["hash"].as_str().unwrap().to_owned();
    let sig = format!(
        "0x{}",
        hex::encode(
            node.personal_sign(&acc[1], &canonical("acme", "2026-11-21", &root))
                .unwrap()
        )
    );
    std::fs::write(
        p("reserves.csv"),
        format!(
            "chain,address,asset,category,tier,balance,scheme,message,signature\n\
             ethereum,{},USDX,customer,cold,700,eip191,,{sig}\n",
            acc[1].to_lower_hex()
        ),
    )
    .unwrap();
    let o = por(&["key", "generate", "--out", s(&p("key"))]);
    assert_eq!(code(&o), 0);
    let registry = p("registry.toml");
    write_registry(&registry, &[("USDX", &real.to_lower_hex(), 6)]);
    let chain = format!("ethereum={height}:{hash}");
    let asset = format!("USDX=ethereum:{}", fake.to_lower_hex());
    let path_att_json = p("att.json");
    let path_key = p("key");
    let path_reserves_csv = p("reserves.csv");
    let path_tree = p("tree");
    let attest = |extra: &[&str]| {
        let mut args = vec![
            "attest",
            "--tree",
            s(&path_tree),
            "--reserves",
            s(&path_reserves_csv),
            "--exchange",
            "acme",
            "--snapshot",
            "2026-11-21",
            "--time",
            "2026-11-21T00:00:00Z",
            "--chain",
            &chain,
            "--asset",
            &asset,
            "--key",
            s(&path_key),
            "--out",
            s(&path_att_json),
        ];
        args.extend_from_slice(extra);
        por(&args)
    };
    // With the auditor's registry, `por attest` refuses the other contract.
    let o = attest(&["--asset-registry", s(&registry)]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains(&fake.to_lower_hex()) && err(&o).contains(&real.to_lower_hex()),
        "{}",
        err(&o)
    );
    // The exchange signs without it (USDX is no well-known token).
    let o = attest(&[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let source = format!("ethereum={}", node.url());
    let (c, r, text) = audit_report(&[
        "--attestation",
        s(&p("att.json")),
        "--chain",
        &source,
        "--asset-registry",
        s(&registry),
    ]);
    assert_eq!(c, 1, "{text}");
    let id = checks(&r, "asset-identity");
    assert_eq!(id.len(), 1);
    assert_eq!(id[0]["status"], "fail");
    let summary = id[0]["summary"].as_str().unwrap();
    assert!(
        summary.contains(&fake.to_lower_hex()) && summary.contains(&real.to_lower_hex()),
        "{summary}"
    );
    // Nothing was read on the exchange's contract: the balance is not checked.
    let bal = checks(&r, "balance");
    assert_eq!(bal.len(), 1);
    assert_eq!(bal[0]["status"], "not_checked", "{}", bal[0]);
    assert!(bal[0]["evidence"].get("observed").is_none(), "{}", bal[0]);

    // The same wallet attested at the registered contract: read with it,
    // and the wallet holds none of the real token.
    let asset = format!("USDX=ethereum:{}", real.to_lower_hex());
    let o = por(&[
        "attest",
        "--tree",
        s(&p("tree")),
        "--reserves",
        s(&p("reserves.csv")),
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--time",
        "2026-11-21T00:00:00Z",
        "--chain",
        &chain,
        "--asset",
        &asset,
        "--key",
        s(&p("key")),
        "--out",
        s(&p("att2.json")),
        "--asset-registry",
        s(&registry),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let (c, r, _) = audit_report(&[
        "--attestation",
        s(&p("att2.json")),
        "--chain",
        &source,
        "--asset-registry",
        s(&registry),
    ]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "asset-identity"), ["pass"]);
    let bal = checks(&r, "balance");
    assert_eq!(bal[0]["status"], "fail");
    assert_eq!(bal[0]["evidence"]["observed"], "0");
    // The line names chain, network, address and the contract read.
    assert_eq!(bal[0]["evidence"]["contract"], real.to_lower_hex());
    assert_eq!(bal[0]["evidence"]["network"], "mainnet");
    let subject = bal[0]["subject"].as_str().unwrap();
    assert!(
        subject.contains("ethereum mainnet") && subject.contains(&real.to_lower_hex()),
        "{subject}"
    );
}

#[test]
fn audit_reports_unregistered_token_not_checked_with_its_contract() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[3; 32]).unwrap();
    let contract = "0x5555555555555555555555555555555555555555";
    let att = identity_attestation(
        &k,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("PTT", 6, "ethereum", Some(contract))],
        vec![identity_entry("ethereum", WALLET, "PTT", 700, NO_PROOF)],
        None,
    );
    let att = write_att(dir.path(), "att.json", &att);
    // Even a balances file with a row for that contract is not used.
    let bal = dir.path().join("balances.csv");
    identity_balances(
        &bal,
        &[("ethereum", WALLET, "PTT", 700, 7, ETH_HASH, contract)],
    );
    let (c, r, _) = audit_report(&["--attestation", s(&att), "--balances", s(&bal)]);
    let id = checks(&r, "asset-identity");
    assert_eq!(id[0]["status"], "not_checked");
    assert!(
        id[0]["summary"].as_str().unwrap().contains(contract),
        "{}",
        id[0]
    );
    let b = checks(&r, "balance");
    assert_eq!(b[0]["status"], "not_checked");
    assert!(
        b[0]["subject"].as_str().unwrap().contains(contract),
        "{}",
        b[0]
    );
    assert_eq!(b[0]["evidence"]["attested_contract"], contract);
    // Not checked is not failed: the balance and identity checks fail
    // nothing here (the ownership placeholder does, and with it solvency).
    let failed = failed_ids(&r);
    assert!(
        !failed
            .iter()
            .any(|id| id == "balance" || id == "asset-identity"),
        "{failed:?}"
    );
    assert_eq!(c, 1);
    // The unconfirmed token counts for nothing: claimed 700, confirmed 0.
    let ptt = r["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["asset"] == "PTT")
        .unwrap();
    assert_eq!(ptt["claimed"], "700", "{ptt}");
    assert_eq!(ptt["reserves"], "0", "{ptt}");
}

#[test]
fn attest_refuses_token_without_contract() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("liab.csv"), "user_id,ETH,USDC,FOO\nalice,1,5,1\n").unwrap();
    let o = por(&[
        "tree",
        "build",
        "--balances",
        s(&p("liab.csv")),
        "--assets",
        "ETH:18,USDC:6,FOO:6",
        "--secret-file",
        s(&p("secret")),
        "--out",
        s(&p("tree")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = por(&["key", "generate", "--out", s(&p("key"))]);
    assert_eq!(code(&o), 0);
    std::fs::write(
        p("reserves.csv"),
        format!(
            "chain,address,asset,category,tier,balance,scheme,message,signature\n\
             ethereum,{WALLET},ETH,customer,cold,1,eip191,,0x00\n\
             ethereum,{WALLET},USDC,customer,cold,5,eip191,,0x00\n\
             ethereum,{WALLET},FOO,customer,cold,1,eip191,,0x00\n"
        ),
    )
    .unwrap();
    let path_att_json = p("att.json");
    let path_key = p("key");
    let path_reserves_csv = p("reserves.csv");
    let path_tree = p("tree");
    let attest = |assets: &[&str]| {
        let chain = format!("ethereum=7:{ETH_HASH}");
        let mut args = vec![
            "attest",
            "--tree",
            s(&path_tree),
            "--reserves",
            s(&path_reserves_csv),
            "--exchange",
            "acme",
            "--snapshot",
            "nov",
            "--time",
            "2026-11-21T00:00:00Z",
            "--chain",
            &chain,
            "--key",
            s(&path_key),
            "--out",
            s(&path_att_json),
        ];
        for a in assets {
            args.extend(["--asset", a]);
        }
        let o = por(&args);
        (code(&o), err(&o))
    };
    // `--asset USDC=...` forgotten: USDC would be read as ETH.
    let (c, e) = attest(&[]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("asset USDC") && e.contains(USDC), "{e}");
    assert!(!p("att.json").exists());
    // An unregistered token with 6 decimals and no contract: not the native coin.
    let usdc = format!("USDC=ethereum:{USDC}");
    let (c, e) = attest(&[&usdc]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("asset FOO") && e.contains("18 decimals"), "{e}");
    assert!(!p("att.json").exists());
}

#[test]
fn audit_refuses_native_query_with_token_decimals() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[4; 32]).unwrap();
    let att = identity_attestation(
        &k,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("FOO", 6, "ethereum", None), ("USDC", 6, "ethereum", None)],
        vec![
            identity_entry("ethereum", WALLET, "FOO", 1_000_000, NO_PROOF),
            identity_entry("ethereum", WALLET, "USDC", 1_000_000, NO_PROOF),
        ],
        None,
    );
    let att = write_att(dir.path(), "att.json", &att);
    // The wallet holds 5 ETH natively: read natively it would "cover" both.
    let bal = dir.path().join("balances.csv");
    identity_balances(
        &bal,
        &[(
            "ethereum",
            WALLET,
            "ETH",
            5_000_000_000_000_000_000,
            7,
            ETH_HASH,
            "",
        )],
    );
    let (c, r, _) = audit_report(&["--attestation", s(&att), "--balances", s(&bal)]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "asset-identity"), ["fail", "fail"]);
    let text = r["checks"].to_string();
    assert!(text.contains("not 6: refusing a native query"), "{text}");
    assert!(text.contains(USDC), "{text}");
    assert_eq!(statuses(&r, "balance"), ["not_checked", "not_checked"]);
}

#[test]
fn audit_fails_one_wallet_claimed_as_eth_and_ether() {
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (
        AttestationKey::from_secret_bytes(&[5; 32]).unwrap(),
        AttestationKey::from_secret_bytes(&[6; 32]).unwrap(),
    );
    let a = identity_attestation(
        &ka,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("ETH", 18, "ethereum", None)],
        vec![identity_entry("ethereum", WALLET, "ETH", 1, NO_PROOF)],
        None,
    );
    let checksummed = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1";
    let b = identity_attestation(
        &kb,
        "bolt",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("ETHER", 18, "ethereum", None)],
        vec![identity_entry(
            "ethereum",
            checksummed,
            "ETHER",
            1,
            NO_PROOF,
        )],
        None,
    );
    let (a, b) = (
        write_att(dir.path(), "a.json", &a),
        write_att(dir.path(), "b.json", &b),
    );
    // Within one attestation too, and in `por reserve requirement
    // --attestation`, which counts neither claim (the same rule).
    let both = identity_attestation(
        &ka,
        "acme",
        "dec",
        "2026-12-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[
            ("ETH", 18, "ethereum", None),
            ("ETHER", 18, "ethereum", None),
        ],
        vec![
            identity_entry("ethereum", WALLET, "ETH", 1, NO_PROOF),
            identity_entry("ethereum", checksummed, "ETHER", 1, NO_PROOF),
        ],
        None,
    );
    let both = write_att(dir.path(), "both.json", &both);
    let inputs = repo_root().join("examples/reserve-inputs.toml");
    let o = por(&[
        "reserve",
        "requirement",
        "--inputs",
        s(&inputs),
        "--attestation",
        s(&both),
    ]);
    assert_eq!(
        err(&o).matches("claimed more than once").count(),
        2,
        "{}",
        err(&o)
    );
    let (c, r, _) = audit_report(&["--attestation", s(&both)]);
    assert_eq!(c, 1);
    assert_eq!(checks(&r, "unique-address")[0]["status"], "fail");

    let (c, r, _) = audit_report(&["--attestation", s(&a), "--attestation", s(&b)]);
    assert_eq!(c, 1);
    let u = checks(&r, "unique-address");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["status"], "fail");
    assert_eq!(
        u[0]["subject"],
        format!("ethereum mainnet {WALLET} (native)")
    );
    let summary = u[0]["summary"].as_str().unwrap();
    assert!(
        summary.contains("(ETH)") && summary.contains("(ETHER)"),
        "{summary}"
    );
}

#[test]
fn audit_fails_one_wallet_in_two_snapshots_at_the_same_block() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[8; 32]).unwrap();
    let later_hash = "0x3333333333333333333333333333333333333333333333333333333333333333";
    let run = |t1: &str, t2: &str, h2: u64| {
        let first = identity_attestation(
            &k,
            "acme",
            "2026-11-21-a",
            t1,
            &[("ethereum", 7, ETH_HASH)],
            &[("ETH", 18, "ethereum", None)],
            vec![identity_entry("ethereum", WALLET, "ETH", 1, NO_PROOF)],
            None,
        );
        let second = identity_attestation(
            &k,
            "acme",
            "2026-11-21-b",
            t2,
            &[("ethereum", h2, if h2 == 7 { ETH_HASH } else { later_hash })],
            &[("ETH", 18, "ethereum", None)],
            vec![identity_entry("ethereum", WALLET, "ETH", 1, NO_PROOF)],
            Some(attestation_id(&first)),
        );
        let a = write_att(dir.path(), "first.json", &first);
        let b = write_att(dir.path(), "second.json", &second);
        let (_, r, _) = audit_report(&["--attestation", s(&a), "--attestation", s(&b)]);
        statuses(&r, "unique-address")
    };
    // Linked, one second later, at the same block: half the customers each,
    // one wallet counted twice.
    assert_eq!(
        run("2026-11-21T00:00:00Z", "2026-11-21T00:00:01Z", 7),
        ["fail"]
    );
    // A genuine history: later time and a later block.
    assert_eq!(
        run("2026-11-21T00:00:00Z", "2026-12-21T00:00:00Z", 8),
        ["pass"]
    );
    // Later blocks, but earlier in time though later as text.
    assert_eq!(
        run("2026-11-21T00:00:00.9Z", "2026-11-21T00:00:00Z", 8),
        ["fail"]
    );
    // Later as an instant though earlier as text: a history.
    assert_eq!(
        run("2026-11-21T00:00:00Z", "2026-11-21T00:00:00.5Z", 8),
        ["pass"]
    );
}

#[test]
fn attest_refuses_unverifiable_chain_without_the_flag_and_accepts_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("liab.csv"), "user_id,LTC\nalice,1\n").unwrap();
    let o = por(&[
        "tree",
        "build",
        "--balances",
        s(&p("liab.csv")),
        "--assets",
        "LTC:8",
        "--secret-file",
        s(&p("secret")),
        "--out",
        s(&p("tree")),
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(p("tree/tree.json")).unwrap()).unwrap();
    let root = summary["root"]["hash"].as_str().unwrap().to_owned();
    let sigs = other_network_signatures(&canonical("acme", "nov", &root));
    let (_, address, sig) = sigs.iter().find(|(k, ..)| k == "litecoin").unwrap();
    std::fs::write(
        p("reserves.csv"),
        format!(
            "chain,address,asset,category,tier,balance,scheme,message,signature\n\
             litecoin,{address},LTC,customer,cold,1,legacy,,{sig}\n"
        ),
    )
    .unwrap();
    let o = por(&["key", "generate", "--out", s(&p("key"))]);
    assert_eq!(code(&o), 0);
    let chain = format!("litecoin=100:{}", "44".repeat(32));
    let path_att_json = p("att.json");
    let path_key = p("key");
    let path_reserves_csv = p("reserves.csv");
    let path_tree = p("tree");
    let attest = |extra: &[&str]| {
        let mut args = vec![
            "attest",
            "--tree",
            s(&path_tree),
            "--reserves",
            s(&path_reserves_csv),
            "--exchange",
            "acme",
            "--snapshot",
            "nov",
            "--time",
            "2026-11-21T00:00:00Z",
            "--chain",
            &chain,
            "--key",
            s(&path_key),
            "--out",
            s(&path_att_json),
        ];
        args.extend_from_slice(extra);
        por(&args)
    };
    let o = attest(&[]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("litecoin") && err(&o).contains("--allow-unverifiable-chain"),
        "{}",
        err(&o)
    );
    assert!(!p("att.json").exists());
    let o = attest(&["--allow-unverifiable-chain"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("not checked"), "{}", err(&o));
    // The audit: ownership verified, nothing else about the chain checked.
    let (c, r, _) = audit_report(&["--attestation", s(&p("att.json"))]);
    assert_eq!(statuses(&r, "ownership"), ["pass"]);
    assert_eq!(statuses(&r, "asset-identity"), ["not_checked"]);
    let b = checks(&r, "balance");
    assert_eq!(b[0]["status"], "not_checked");
    assert!(
        b[0]["summary"]
            .as_str()
            .unwrap()
            .contains("no balance source for chain litecoin"),
        "{}",
        b[0]
    );
    assert_ne!(c, 1);
}

#[test]
fn audit_fails_ownership_of_testnet_address_under_bitcoin() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[9; 32]).unwrap();
    // Signed over this attestation's own canonical message: only the
    // network is wrong.
    let message = canonical("acme", "nov", ROOT);
    let sigs = other_network_signatures(&message);
    let testnet: Vec<_> = sigs
        .iter()
        .filter(|(k, ..)| k.starts_with("testnet"))
        .collect();
    assert_eq!(testnet.len(), 2);
    let reserves = testnet
        .iter()
        .map(|(_, a, sig)| identity_entry("bitcoin", a, "BTC", 1, ("auto", &message, sig)))
        .collect();
    let att = identity_attestation(
        &k,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("bitcoin", HEIGHT, HASH)],
        &[("BTC", 8, "bitcoin", None)],
        reserves,
        None,
    );
    let att = write_att(dir.path(), "att.json", &att);
    let (c, r, _) = audit_report(&["--attestation", s(&att)]);
    assert_eq!(c, 1);
    let own = checks(&r, "ownership");
    assert_eq!(own.len(), 2);
    for (check, (_, address, sig)) in own.iter().zip(&testnet) {
        assert_eq!(check["status"], "fail", "{check}");
        assert!(
            check["summary"].as_str().unwrap().contains("mainnet"),
            "{check}"
        );
        // `por ownership verify` rejects the same proof the same way.
        let o = por(&[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            address,
            "--message",
            &message,
            "--signature",
            sig,
        ]);
        assert_ne!(code(&o), 0, "{}", out(&o));
        assert!(err(&o).contains("mainnet is required"), "{}", err(&o));
        // It is a valid signature on its own network.
        let o = por(&[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--network",
            "testnet",
            "--address",
            address,
            "--message",
            &message,
            "--signature",
            sig,
        ]);
        // Valid; with no --expect-* its binding is not checked (exit 3).
        assert_eq!(code(&o), 3, "{}", err(&o));
        assert!(out(&o).contains("binding not checked"), "{}", out(&o));
    }
}

#[test]
fn asset_registry_file_errors_name_the_field_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[10; 32]).unwrap();
    let att = identity_attestation(
        &k,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("ETH", 18, "ethereum", None)],
        vec![identity_entry("ethereum", WALLET, "ETH", 1, NO_PROOF)],
        None,
    );
    let att = write_att(dir.path(), "att.json", &att);
    let reg = dir.path().join("reg.toml");
    write_registry(
        &reg,
        &[("USDX", "0x5555555555555555555555555555555555555555", 6)],
    );
    let text = std::fs::read_to_string(&reg).unwrap();
    for (bad, field) in [
        (
            text.replace("decimals = 6", "decimals = \"6\""),
            "token[0].decimals",
        ),
        (
            text.replace("0x5555555555555555555555555555555555555555", "0x55"),
            "token[0].contract",
        ),
        (
            text.replace("\"mainnet\"", "\"sepolia\""),
            "token[0].network",
        ),
        (text.replace("status = \"confirmed\"\n", ""), "token[0]"),
    ] {
        std::fs::write(&reg, &bad).unwrap();
        let o = por(&[
            "audit",
            "--attestation",
            s(&att),
            "--asset-registry",
            s(&reg),
        ]);
        assert_eq!(code(&o), 2, "{}", err(&o));
        assert!(
            err(&o).contains(&format!("field `{field}")) && err(&o).contains(s(&reg)),
            "{field}: {}",
            err(&o)
        );
    }
}

#[test]
fn audit_refuses_a_balances_file_that_does_not_name_contracts() {
    let dir = tempfile::tempdir().unwrap();
    let k = AttestationKey::from_secret_bytes(&[11; 32]).unwrap();
    let att = identity_attestation(
        &k,
        "acme",
        "nov",
        "2026-11-21T00:00:00Z",
        &[("ethereum", 7, ETH_HASH)],
        &[("USDC", 6, "ethereum", Some(USDC))],
        vec![identity_entry("ethereum", WALLET, "USDC", 1, NO_PROOF)],
        None,
    );
    let att = write_att(dir.path(), "att.json", &att);
    let bal = dir.path().join("old.csv");
    std::fs::write(
        &bal,
        format!("chain,address,asset,balance,height,block_hash,source\nethereum,{WALLET},USDC,1,7,{ETH_HASH},old\n"),
    )
    .unwrap();
    let o = por(&["audit", "--attestation", s(&att), "--balances", s(&bal)]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("no `contract` column"), "{}", err(&o));
}

/// Custody signed for another exchange id or an earlier snapshot, and the
/// reserves file leaves `message` empty (so por checks this snapshot's
/// canonical message): `por attest` refuses, and says which field the
/// signed message has otherwise, because it verified the signature over
/// that other message, not because it guessed.
#[test]
fn attest_names_the_field_a_wallet_signed_differently() {
    let ex = Exchange1::new("acme-jp", "2026-11-21");
    let mut text =
        String::from("chain,address,asset,category,tier,balance,scheme,message,signature\n");
    for (_, a, sig, c, t, bal) in &ex.wallets {
        let btc = Amount::from_base_units(u128::from(*bal)).display_in(8);
        text.push_str(&format!("bitcoin,{a},BTC,{c},{t},{btc},auto,,{sig}\n"));
    }
    let reserves = ex.path("reserves-empty-message.csv");
    std::fs::write(&reserves, text).unwrap();

    // A mistyped --exchange: every row names the exchange field.
    let o = ex.attest("ACME-JP", "2026-11-21", &reserves, "x.json", &[]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    let e = err(&o);
    assert_eq!(
        e.matches("exchange \"acme-jp\" vs \"ACME-JP\"").count(),
        4,
        "{e}"
    );
    assert!(
        e.contains("por ownership message --exchange \"ACME-JP\""),
        "{e}"
    );
    assert!(!ex.path("x.json").exists());

    // The right exchange: signed.
    let o = ex.attest("acme-jp", "2026-11-21", &reserves, "nov.json", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));

    // The next snapshot with November's signatures: without --previous por
    // cannot know what was signed, and says only that it does not verify.
    let o = ex.attest("acme-jp", "2026-12-21", &reserves, "dec.json", &[]);
    assert_eq!(code(&o), 2);
    assert!(!err(&o).contains("vs \""), "{}", err(&o));
    assert!(
        err(&o).contains("4 ownership proof(s) do not verify"),
        "{}",
        err(&o)
    );
    // With --previous, the snapshot field is named on every row.
    let nov = ex.path("nov.json");
    let o = ex.attest(
        "acme-jp",
        "2026-12-21",
        &reserves,
        "dec.json",
        &["--previous", s(&nov)],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(
        err(&o)
            .matches("snapshot \"2026-11-21\" vs \"2026-12-21\"")
            .count(),
        4,
        "{}",
        err(&o)
    );
    assert!(!ex.path("dec.json").exists());
}
