//! `por distribution plan | proof | sign | verify` end to end, on the real
//! binary: an attestation signed here (por-attest) over a tree `por tree
//! build` made, an offline balances file of what is available, the shipped
//! and the example policies. Exit codes 0/1/2/3; nothing written on failure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use std::fs;
use std::path::{Path, PathBuf};

use por_attest::{Attestation, AttestationKey};
use serde_json::Value;

mod support;
use support::{code, path_str as s, por, repo_root, stderr as err, stdout as out};

const HASH: &str = "0000000000000000000197a5bd0e5bd8e35b4fa9bb8c4b6fd8efa3a3a2b7b7f1";
const EHASH: &str = "0x4c1a7f2e1d2d1f6a9e0a3f1b5c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d";
const USDT: &str = "0xdac17f958d2ee523a2206206994597c13d831ec7";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Ten customers over BTC, ETH, USDT; a tree; a signed attestation of
    /// it; an administrator key; an available file with less than is owed
    /// in BTC and USDT and more in ETH.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture { dir };
        let mut csv = String::from("user_id,BTC,ETH,USDT\n");
        for i in 0..10u32 {
            csv.push_str(&format!(
                "customer-{i:06},{}.{:08},{},{}.5\n",
                i % 3,
                i * 1_234_567,
                i * 2,
                i * 100
            ));
        }
        fs::write(f.p("balances.csv"), csv).unwrap();
        fs::write(f.p("secret"), "42".repeat(32) + "\n").unwrap();
        let o = por(&[
            "tree",
            "build",
            "--balances",
            s(&f.p("balances.csv")),
            "--assets",
            "BTC:8,ETH:18,USDT:6",
            "--secret-file",
            s(&f.p("secret")),
            "--out",
            s(&f.p("tree")),
        ]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        let summary: Value =
            serde_json::from_str(&fs::read_to_string(f.p("tree/tree.json")).unwrap()).unwrap();
        f.attest(&summary, "attestation.json");
        let key = AttestationKey::from_secret_bytes(&[0x0b; 32]).unwrap();
        fs::write(f.p("admin.key"), key.to_secret_hex() + "\n").unwrap();
        f.available(
            "available.csv",
            &[
                ("BTC", "500000000"),
                ("ETH", "100000000000000000000"),
                ("USDT", "3000000000"),
            ],
        );
        f
    }

    fn attest(&self, summary: &Value, name: &str) {
        self.attest_with_usdt(summary, name, USDT);
    }

    /// The attestation, with USDT at `contract` (a token deployed on a test
    /// node, for reading what is available on chain).
    fn attest_with_usdt(&self, summary: &Value, name: &str, contract: &str) {
        let text = fs::read_to_string(repo_root().join("vectors/attestation-v1-body.example.json"))
            .unwrap();
        let mut body: Value = serde_json::from_str(&text).unwrap();
        for a in body["assets"].as_array_mut().unwrap() {
            if a["symbol"] == "USDT" {
                a["contract"] = Value::String(contract.to_owned());
            }
        }
        let key = AttestationKey::from_secret_bytes(&[7; 32]).unwrap();
        body["exchange"]["public_key"] = Value::String(key.public_key_hex());
        body["liabilities"]["root"] = summary["root"]["hash"].clone();
        body["liabilities"]["height"] = summary["root"]["height"].clone();
        body["liabilities"]["customers"] = summary["customers"].clone();
        let totals: Vec<Value> = ["BTC", "ETH", "USDT"]
            .iter()
            .zip(summary["root"]["sums"].as_array().unwrap())
            .map(|(a, v)| serde_json::json!({"asset": a, "amount": v}))
            .collect();
        body["liabilities"]["totals"] = Value::Array(totals);
        let body: Attestation = serde_json::from_value(body).unwrap();
        fs::write(self.p(name), body.sign(&key, &[0; 32]).unwrap()).unwrap();
    }

    fn available(&self, name: &str, rows: &[(&str, &str)]) -> PathBuf {
        let mut text =
            String::from("chain,address,asset,balance,height,block_hash,source,contract\n");
        for (asset, amount) in rows {
            let line = match *asset {
                "BTC" => format!("bitcoin,bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l,BTC,{amount},870000,{HASH},fixture,"),
                "ETH" => format!("ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,{amount},21000000,{EHASH},fixture,"),
                "USDT" => format!("ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,{amount},21000000,{EHASH},fixture,{USDT}"),
                other => format!("ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,{other},{amount},21000000,{EHASH},fixture,"),
            };
            text.push_str(&line);
            text.push('\n');
        }
        let p = self.p(name);
        fs::write(&p, text).unwrap();
        p
    }

    fn plan(&self, out: &str, extra: &[&str]) -> std::process::Output {
        self.plan_with("attestation.json", "secret", "available.csv", out, extra)
    }

    fn plan_with(
        &self,
        attestation: &str,
        secret: &str,
        available: &str,
        out: &str,
        extra: &[&str],
    ) -> std::process::Output {
        let mut args = vec![
            "distribution",
            "plan",
            "--attestation",
            s(&self.p(attestation)),
            "--liabilities",
            s(&self.p("balances.csv")),
            "--secret-file",
            s(&self.p(secret)),
            "--available",
            s(&self.p(available)),
            "--out",
            s(&self.p(out)),
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        args.extend(extra.iter().map(|x| (*x).to_owned()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        por(&refs)
    }

    fn proof(&self, plan: &str, user: &str, out: &str) -> std::process::Output {
        por(&[
            "distribution",
            "proof",
            "--plan",
            s(&self.p(plan)),
            "--user",
            user,
            "--out",
            s(&self.p(out)),
        ])
    }

    fn sign(&self, plan: &str, out: &str) -> std::process::Output {
        por(&[
            "distribution",
            "sign",
            "--plan",
            s(&self.p(plan)),
            "--key",
            s(&self.p("admin.key")),
            "--out",
            s(&self.p(out)),
        ])
    }

    fn verify(&self, proof: &str, statement: &str, extra: &[&str]) -> std::process::Output {
        let (proof, statement) = (self.p(proof), self.p(statement));
        let mut args = vec![
            "distribution",
            "verify",
            "--proof",
            s(&proof),
            "--statement",
            s(&statement),
        ];
        args.extend_from_slice(extra);
        por(&args)
    }
}

fn payouts(path: &Path) -> Vec<(String, String, u128, u128)> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("user_id,asset,claim,payout"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                f[1].to_owned(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn plan_prove_sign_verify_with_the_default_policy() {
    let f = Fixture::new();
    let o = f.plan("plan", &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("signature verifies"), "{text}");
    assert!(text.contains("distribution root"), "{text}");
    for name in [
        "plan.json",
        "payouts.csv",
        "nodes.bin",
        "customers.bin",
        ".por-output",
    ] {
        assert!(f.p("plan").join(name).exists(), "{name}");
    }
    assert!(!f.p("plan/held-back.csv").exists());

    // payouts.csv: one row per customer and asset; Σ payout = available
    // where it is short, = claims where it is not.
    let rows = payouts(&f.p("plan/payouts.csv"));
    assert_eq!(rows.len(), 30);
    let sum = |asset: &str, pick: fn(&(String, String, u128, u128)) -> u128| -> u128 {
        rows.iter().filter(|r| r.1 == asset).map(pick).sum()
    };
    assert_eq!(sum("BTC", |r| r.3), 500_000_000);
    assert!(sum("BTC", |r| r.2) > 500_000_000);
    assert_eq!(sum("USDT", |r| r.3), 3_000_000_000);
    assert_eq!(sum("ETH", |r| r.3), sum("ETH", |r| r.2));
    assert!(rows.iter().all(|r| r.3 <= r.2));

    let o = f.proof("plan", "customer-000005", "p5.json");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = f.sign("plan", "statement.json");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let statement: Value =
        serde_json::from_str(&fs::read_to_string(f.p("statement.json")).unwrap()).unwrap();
    assert_eq!(statement["format"], "por-distribution-v1");
    let attestation_text = fs::read_to_string(f.p("attestation.json")).unwrap();
    let att: Value = serde_json::from_str(&attestation_text).unwrap();
    assert_eq!(
        statement["attestation"]["liabilities_root"],
        att["liabilities"]["root"]
    );
    assert_eq!(statement["assets"][0]["totals"]["available"], "500000000");
    assert_eq!(statement["assets"][0]["totals"]["paid"], "500000000");
    assert!(statement["top_up"].is_null());

    let o = f.verify("p5.json", "statement.json", &[]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.starts_with("VERIFIED"), "{text}");
    let mine: Vec<_> = rows.iter().filter(|r| r.0 == "customer-000005").collect();
    let btc = mine.iter().find(|r| r.1 == "BTC").unwrap();
    assert!(
        text.contains(&format!(
            "BTC: your claim {}, your payout {}",
            por_tree::Amount::from_base_units(btc.2).display_in(8),
            por_tree::Amount::from_base_units(btc.3).display_in(8)
        )),
        "{text}"
    );
    assert!(text.contains("compare the fingerprint"), "{text}");
    // `por verify` recognises a distribution proof and says the same, with
    // the statement as the publication; without it, nothing is compared.
    let o = por(&[
        "verify",
        "--proof",
        s(&f.p("p5.json")),
        "--published",
        s(&f.p("statement.json")),
    ]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert_eq!(out(&o), text);
    let o = por(&["verify", "--proof", s(&f.p("p5.json"))]);
    assert_eq!(code(&o), 3, "{}{}", out(&o), err(&o));
    assert!(out(&o).starts_with("INCOMPLETE"), "{}", out(&o));

    // The key the administrator publishes: the right one passes, another fails.
    let admin = AttestationKey::from_secret_bytes(&[0x0b; 32])
        .unwrap()
        .public_key_hex();
    let o = f.verify(
        "p5.json",
        "statement.json",
        &["--administrator-key", &admin],
    );
    assert_eq!(code(&o), 0, "{}", out(&o));
    let other = AttestationKey::from_secret_bytes(&[0x0c; 32])
        .unwrap()
        .public_key_hex();
    let o = f.verify(
        "p5.json",
        "statement.json",
        &["--administrator-key", &other],
    );
    assert_eq!(code(&o), 1, "{}", out(&o));

    // A payout raised by one base unit: not verified.
    let mut proof: Value =
        serde_json::from_str(&fs::read_to_string(f.p("p5.json")).unwrap()).unwrap();
    let paid: u128 = proof["values"][1].as_str().unwrap().parse().unwrap();
    proof["values"][1] = Value::String((paid + 1).to_string());
    fs::write(f.p("p5-raised.json"), proof.to_string()).unwrap();
    let o = f.verify("p5-raised.json", "statement.json", &[]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("root-hash-mismatch"), "{}", out(&o));

    // A statement changed after signing: not verified, nothing compared.
    let changed = fs::read_to_string(f.p("statement.json"))
        .unwrap()
        .replace("\"example-exchange\"", "\"another-exchange\"");
    fs::write(f.p("changed.json"), changed).unwrap();
    let o = f.verify("p5.json", "changed.json", &[]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("bad-signature"), "{}", out(&o));

    // The unsigned body (plan.json's statement): incomplete, exit 3.
    let plan: Value =
        serde_json::from_str(&fs::read_to_string(f.p("plan/plan.json")).unwrap()).unwrap();
    let mut body = plan["statement"].clone();
    body["administrator_key"] = Value::String(admin.clone());
    fs::write(f.p("unsigned.json"), body.to_string()).unwrap();
    let o = f.verify("p5.json", "unsigned.json", &[]);
    assert_eq!(code(&o), 3, "{}", out(&o));

    // A malformed proof: exit 2, naming the field.
    fs::write(f.p("bad-proof.json"), "{\"format\": 1}").unwrap();
    let o = f.verify("bad-proof.json", "statement.json", &[]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("format"), "{}", err(&o));

    // An unknown customer: exit 2.
    let o = f.proof("plan", "nobody", "nobody.json");
    assert_eq!(code(&o), 2);
    assert!(!f.p("nobody.json").exists());

    // --force replaces a plan directory, never any other directory.
    let o = f.plan("plan", &[]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    let o = f.plan("plan", &["--force"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    fs::create_dir(f.p("mine")).unwrap();
    fs::write(f.p("mine/keep.txt"), "x").unwrap();
    let o = f.plan("mine", &["--force"]);
    assert_eq!(code(&o), 2);
    assert!(f.p("mine/keep.txt").exists());
}

#[test]
fn holdback_de_minimis_and_top_up_from_the_example_policy() {
    let f = Fixture::new();
    let policy = repo_root().join("examples/distribution-policy.toml");
    let o = f.plan("plan", &["--policy", s(&policy), "--json"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let body: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(body["policy"]["name"], "example-administrator-plan");
    assert_eq!(body["top_up"]["price_date"], "2026-11-21");
    assert_eq!(
        body["price_source"],
        "Invented example prices (yen per unit)"
    );
    let held = fs::read_to_string(f.p("plan/held-back.csv")).unwrap();
    assert!(held.starts_with("user_id,asset,claim,held\n"), "{held}");
    assert!(held.contains("customer-000002,BTC,"), "{held}");
    assert!(held.contains("customer-000007,JPY,"), "{held}");
    let rows = payouts(&f.p("plan/payouts.csv"));
    assert_eq!(rows.len(), 40, "3 assets and the JPY top-up per customer");
    assert!(rows
        .iter()
        .filter(|r| r.0 == "customer-000002" || r.0 == "customer-000007")
        .all(|r| r.3 == 0));
    let t = &body["assets"][0]["totals"];
    let n = |v: &Value| v.as_str().unwrap().parse::<u128>().unwrap();
    assert_eq!(
        n(&t["paid"]) + n(&t["held_back"]) + n(&t["retained"]),
        500_000_000
    );
    assert!(n(&t["held_back"]) > 0);

    let o = f.sign("plan", "statement.json");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = f.proof("plan", "customer-000007", "p7.json");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = f.verify("p7.json", "statement.json", &[]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("held back"), "{}", out(&o));
    assert!(out(&o).contains("JPY top-up"), "{}", out(&o));
}

#[test]
fn bad_inputs_exit_2_and_failed_checks_exit_1_writing_nothing() {
    let f = Fixture::new();

    // The attestation changed after it was signed: exit 1.
    let text = fs::read_to_string(f.p("attestation.json"))
        .unwrap()
        .replace("\"2026-11-21\"", "\"2026-11-22\"");
    fs::write(f.p("changed-attestation.json"), text).unwrap();
    let o = f.plan_with(
        "changed-attestation.json",
        "secret",
        "available.csv",
        "out1",
        &[],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(!f.p("out1").exists());

    // Another snapshot secret: the rebuilt root differs, exit 1.
    fs::write(f.p("other-secret"), "43".repeat(32)).unwrap();
    let o = f.plan_with(
        "attestation.json",
        "other-secret",
        "available.csv",
        "out2",
        &[],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(err(&o).contains("rebuilt"), "{}", err(&o));
    assert!(!f.p("out2").exists());

    // An available asset the attestation does not have: exit 2, line and column.
    f.available("unknown.csv", &[("BTC", "1"), ("DOGE", "5")]);
    let o = f.plan_with("attestation.json", "secret", "unknown.csv", "out3", &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("line 3, column asset"), "{}", err(&o));
    assert!(!f.p("out3").exists());

    // USDT read from another contract than the attestation's: exit 2.
    let text = fs::read_to_string(f.p("available.csv"))
        .unwrap()
        .replace(USDT, "0x1111111111111111111111111111111111111111");
    fs::write(f.p("wrong-contract.csv"), text).unwrap();
    let o = f.plan_with(
        "attestation.json",
        "secret",
        "wrong-contract.csv",
        "out4",
        &[],
    );
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("line 4, columns chain/contract"),
        "{}",
        err(&o)
    );

    // A policy with an unknown key, a holdback of no customer: exit 2 with the line.
    let example =
        fs::read_to_string(repo_root().join("examples/distribution-policy.toml")).unwrap();
    fs::write(
        f.p("typo.toml"),
        example.replace("[params.holdback]", "[params.holdbak]"),
    )
    .unwrap();
    let o = f.plan("out5", &["--policy", s(&f.p("typo.toml"))]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("line "), "{}", err(&o));
    assert!(err(&o).contains("holdbak"), "{}", err(&o));
    fs::write(
        f.p("nobody.toml"),
        example.replace("customer-000007", "customer-999999"),
    )
    .unwrap();
    let o = f.plan("out6", &["--policy", s(&f.p("nobody.toml"))]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("params.holdback.value[1]"), "{}", err(&o));
    assert!(err(&o).contains("not a customer"), "{}", err(&o));
    for d in ["out3", "out4", "out5", "out6"] {
        assert!(!f.p(d).exists(), "{d}");
    }
}

/// `por audit --distribution`: the statement's checks in the audit report.
fn audit_distribution(f: &Fixture, statement: &str, export: &str, extra: &[&str]) -> (i32, Value) {
    let report = f.p("report.json");
    let _ = fs::remove_file(&report);
    let mut args = vec![
        "audit".to_owned(),
        "--attestation".into(),
        s(&f.p("attestation.json")).into(),
        "--balances".into(),
        s(&f.p("available.csv")).into(),
        "--liabilities".into(),
        s(&f.p(export)).into(),
        "--secret-file".into(),
        s(&f.p("secret")).into(),
        "--distribution".into(),
        s(&f.p(statement)).into(),
        "--json".into(),
        s(&report).into(),
    ];
    args.extend(extra.iter().map(|x| (*x).to_owned()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = por(&refs);
    let c = code(&o);
    if c == 2 {
        return (c, Value::Null);
    }
    let r = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    support::assert_audit_report_schema(&r);
    (c, r)
}

/// The statuses of one check id in a report, in report order.
fn statuses(report: &Value, id: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_audit_rebuilds_a_distribution_and_fails_any_change() {
    let f = Fixture::new();
    assert_eq!(code(&f.plan("plan", &[])), 0);
    assert_eq!(code(&f.sign("plan", "statement.json")), 0);

    // From the register it was planned from: signature, attestation, policy
    // and every claim and payout rebuild.
    let (c, r) = audit_distribution(&f, "statement.json", "balances.csv", &[]);
    assert_eq!(
        c, 1,
        "the fixture's ownership proofs are not real signatures"
    );
    for id in [
        "distribution-signature",
        "distribution-attestation",
        "distribution-policy",
        "distribution-rebuild",
    ] {
        assert_eq!(statuses(&r, id), ["pass"], "{id}");
    }
    // What it pays out was not confirmed by this audit (the fixture's
    // wallets have no valid ownership proof, so they count for nothing).
    assert_eq!(statuses(&r, "distribution-available"), ["fail"; 3]);

    // One customer's claim changed in the export: the rebuilt register is
    // not the one distributed.
    let text = fs::read_to_string(f.p("balances.csv")).unwrap();
    let changed = text.replacen("customer-000004,1.", "customer-000004,2.", 1);
    assert_ne!(changed, text);
    fs::write(f.p("changed.csv"), changed).unwrap();
    let (c, r) = audit_distribution(&f, "statement.json", "changed.csv", &[]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "distribution-attestation"), ["fail"]);
    assert_eq!(statuses(&r, "rebuild"), ["fail"]);

    // Another policy than the one signed for: its hash and terms differ.
    let (c, r) = audit_distribution(
        &f,
        "statement.json",
        "balances.csv",
        &[
            "--distribution-policy",
            s(&repo_root().join("examples/distribution-policy.toml")),
        ],
    );
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "distribution-policy"), ["fail"]);

    // Its stated source of the available amounts changed after signing: the
    // signature fails and nothing of the distribution is trusted.
    let mut st: Value =
        serde_json::from_str(&fs::read_to_string(f.p("statement.json")).unwrap()).unwrap();
    st["available_source"] = Value::String("a node the administrator trusts".into());
    fs::write(f.p("edited.json"), st.to_string()).unwrap();
    let (c, r) = audit_distribution(&f, "edited.json", "balances.csv", &[]);
    assert_eq!(c, 1);
    assert_eq!(statuses(&r, "distribution-signature"), ["fail"]);
    assert!(statuses(&r, "distribution-rebuild").is_empty());
    // A paid total changed: the totals no longer add up, refused as input.
    let mut st: Value =
        serde_json::from_str(&fs::read_to_string(f.p("statement.json")).unwrap()).unwrap();
    st["assets"][0]["totals"]["paid"] = Value::String("500000001".into());
    fs::write(f.p("edited2.json"), st.to_string()).unwrap();
    let (c, _) = audit_distribution(&f, "edited2.json", "balances.csv", &[]);
    assert_eq!(c, 2);

    // Without the register, the claims and payouts are not checked.
    let report = f.p("report-nr.json");
    let o = por(&[
        "audit",
        "--attestation",
        s(&f.p("attestation.json")),
        "--balances",
        s(&f.p("available.csv")),
        "--distribution",
        s(&f.p("statement.json")),
        "--json",
        s(&report),
    ]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let r: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(statuses(&r, "distribution-rebuild"), ["not_checked"]);

    // Not a statement at all: bad input.
    fs::write(f.p("junk.json"), "not a statement").unwrap();
    let (c, _) = audit_distribution(&f, "junk.json", "balances.csv", &[]);
    assert_eq!(c, 2);
}

/// What is available read on chain by `distribution plan` itself: ETH and
/// a USDT token from a real Ethereum node (ganache) at a block whose hash is
/// checked, BTC from an offline file; the statement says which was read by
/// por and at which block. A wrong block hash, or one chain from two
/// sources, is refused and nothing is written.
#[test]
fn available_read_on_chain_from_a_real_ethereum_node() {
    use por_chain::testnode::Ganache;
    let node = Ganache::start().unwrap_or_else(|e| panic!("{e} (run scripts/ci/deps-chain.sh)"));
    let acc = node.accounts().unwrap();
    let token = node.deploy_token(&acc[0], 6, 10_000_000_000).unwrap();
    // 2,000 USDT in the administrator's wallet: less than the 4,505 owed.
    node.transfer_token(&token, &acc[0], &acc[1], 2_000_000_000)
        .unwrap();
    let height = node.block_number().unwrap();
    let hash = node.block_hash(height).unwrap();
    // Moved after the block: must not count.
    node.transfer_token(&token, &acc[0], &acc[1], 1_000_000)
        .unwrap();

    let f = Fixture::new();
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(f.p("tree/tree.json")).unwrap()).unwrap();
    f.attest_with_usdt(&summary, "attestation-node.json", &token.to_lower_hex());
    fs::write(
        f.p("registry.toml"),
        format!(
            "format = \"por-asset-registry-v1\"\n[[token]]\nsymbol = \"USDT\"\nchain = \"ethereum\"\nnetwork = \"mainnet\"\ncontract = \"{}\"\ndecimals = 6\nsource = \"the test's own deployment\"\nstatus = \"confirmed\"\n",
            token.to_lower_hex()
        ),
    )
    .unwrap();
    fs::write(
        f.p("wallets.csv"),
        format!(
            "chain,address,asset,contract,decimals\nethereum,{a},ETH,,\nethereum,{a},USDT,{t},6\n",
            a = acc[1].to_checksummed(),
            t = token.to_lower_hex()
        ),
    )
    .unwrap();
    f.available("btc-only.csv", &[("BTC", "500000000")]);
    let source = format!("ethereum={}", node.url());
    let at = format!("ethereum={height}:{hash}");
    let plan = |out: &str, at: &str, file: &str| {
        por(&[
            "distribution",
            "plan",
            "--attestation",
            s(&f.p("attestation-node.json")),
            "--liabilities",
            s(&f.p("balances.csv")),
            "--secret-file",
            s(&f.p("secret")),
            "--available",
            s(&f.p(file)),
            "--available-source",
            &source,
            "--available-addresses",
            s(&f.p("wallets.csv")),
            "--available-at",
            at,
            "--asset-registry",
            s(&f.p("registry.toml")),
            "--json",
            "--out",
            s(&f.p(out)),
        ])
    };
    let o = plan("plan-node", &at, "btc-only.csv");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let body: Value = serde_json::from_str(&out(&o)).unwrap();
    let source_text = body["available_source"].as_str().unwrap();
    assert!(
        source_text.contains(&format!(
            "read by por from evm-rpc {} at ethereum height {height} block {hash}",
            node.url()
        )),
        "{source_text}"
    );
    assert!(
        source_text.contains("offline balances file btc-only.csv"),
        "{source_text}"
    );
    // USDT: exactly the 2,000 read at the block (not the unit sent after),
    // all of it paid, since less is available than owed.
    let payouts = fs::read_to_string(f.p("plan-node/payouts.csv")).unwrap();
    let usdt_paid: u128 = payouts
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("USDT"))
        .map(|l| l.split(',').nth(3).unwrap().parse::<u128>().unwrap())
        .sum();
    assert_eq!(usdt_paid, 2_000_000_000);

    // Another block hash at that height: refused, nothing written.
    let wrong = format!("ethereum={height}:0x{}", "11".repeat(32));
    let o = plan("plan-wrong", &wrong, "btc-only.csv");
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(!f.p("plan-wrong").exists());
    // ETH from both the file and the node: refused.
    let o = plan("plan-both", &at, "available.csv");
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("give each chain one source"),
        "{}",
        err(&o)
    );
    assert!(!f.p("plan-both").exists());
}
