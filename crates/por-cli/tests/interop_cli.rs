//! `por verify` on other exchanges' proofs, end to end through the binary:
//! every file in vectors/exchange/ with its documented verdict and exit
//! code (vectors/exchange/README.md), the JSON report's fields
//! (docs/interop.md), the comparison with a root the customer gives, the
//! customer-only options, `--format`, and "unknown format".

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

mod support;
use serde_json::Value;
use support::{code, por_in, repo_root, stderr, stdout};

fn vectors() -> std::path::PathBuf {
    repo_root().join("vectors/exchange")
}

fn run(args: &[&str]) -> std::process::Output {
    por_in(&vectors(), args)
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let o = run(&a);
    let v = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&o), stderr(&o)));
    (code(&o), v)
}

/// (arguments, format, verdict, exit code) for every outside file.
const CASES: &[(&[&str], &str, &str, i32)] = &[
    (
        &["verify", "--proof", "okx/merkle_proof_file.json"],
        "okx-v1",
        "valid",
        3,
    ),
    (
        &[
            "verify",
            "--proof",
            "okx/user_info_file.json",
            "--tree",
            "okx/full-liabilities-merkle-tree.txt",
        ],
        "okx-v2",
        "valid",
        3,
    ),
    (
        &["verify", "--proof", "bitget/merkel_tree_bg.json"],
        "bitget",
        "valid",
        3,
    ),
    (
        &["verify", "--proof", "bitunix/merkle_tree_bitunix.json"],
        "bitunix",
        "valid",
        3,
    ),
    (
        &["verify", "--proof", "mexc/merkle_proof.json"],
        "mexc",
        "valid",
        3,
    ),
    (
        &["verify", "--proof", "coinex/merkle_proof_file.json"],
        "coinex",
        "invalid",
        1,
    ),
    (
        &["verify", "--proof", "bitmex/readme-tree.txt"],
        "bitmex",
        "unverifiable",
        3,
    ),
    (
        &[
            "verify",
            "--proof",
            "bitmex/readme-tree.txt",
            "--account",
            "2",
            "--nonce",
            "b88860add96111d84d38a500266df715158f91375d9aaa98aa58356f9a872412",
        ],
        "bitmex",
        "invalid",
        1,
    ),
    (
        &["verify", "--proof", "gate/user_config.json"],
        "gate-zk",
        "unverifiable",
        3,
    ),
    (
        &["verify", "--proof", "binance-zk/user_config.json"],
        "binance-zk",
        "unverifiable",
        3,
    ),
];

#[test]
fn every_outside_file_gets_its_documented_verdict() {
    for (args, format, verdict, exit) in CASES {
        let (c, v) = json(args);
        assert_eq!(c, *exit, "{args:?}: {v}");
        assert_eq!(v["format"], *format, "{args:?}");
        assert_eq!(v["verdict"], *verdict, "{args:?}");
        assert_eq!(v["version"], "por-interop-report-v1");
        assert_eq!(v["compared_with_publication"], false);
        assert!(v["weaknesses"].is_array() && v["balances"].is_object());
        assert_eq!(v["reason"].is_null(), *verdict == "valid", "{args:?}");
        // The text form gives the same exit code.
        assert_eq!(code(&run(args)), *exit, "{args:?}");
    }
}

#[test]
fn a_root_given_makes_it_verified_or_invalid() {
    let okx = ["verify", "--proof", "okx/merkle_proof_file.json"];
    let (_, v) = json(&okx);
    let root = v["root"].as_str().unwrap().to_owned();
    assert_eq!(
        root,
        "ac6b39d2a0aa8112bd1aadff5e7d4b5c2b91cd54d595262ba4367f5d2db4160d"
    );
    assert_eq!(v["balances"]["USDT"], "19398.33550812");
    assert!(v["weaknesses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "sibling-sums-not-bound"));
    let mut a = okx.to_vec();
    a.extend(["--root", &root]);
    let (c, v) = json(&a);
    assert_eq!(
        (
            c,
            v["verdict"].as_str(),
            v["compared_with_publication"].as_bool()
        ),
        (0, Some("valid"), Some(true))
    );
    let o = run(&a);
    assert!(
        stdout(&o).starts_with("VALID: OKX's own rule (format okx-v1) accepts this proof"),
        "{}",
        stdout(&o)
    );
    let other = "11".repeat(32);
    let mut a = okx.to_vec();
    a.extend(["--root", &other]);
    let (c, v) = json(&a);
    assert_eq!(
        (c, v["verdict"].as_str(), v["step"].as_str()),
        (1, Some("invalid"), Some("publication"))
    );
    // --published: a file holding the root hash.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("root.txt");
    std::fs::write(&f, format!("{root}\n")).unwrap();
    let mut a = okx.to_vec();
    let fs = f.to_str().unwrap();
    a.extend(["--published", fs]);
    assert_eq!(json(&a).0, 0);
}

#[test]
fn bitmex_opens_the_customers_leaves_with_their_nonce() {
    let acc: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors().join("bitmex/generated-accounts.json")).unwrap(),
    )
    .unwrap();
    let root = acc["root"].as_str().unwrap();
    let two = &acc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == 2)
        .unwrap();
    let nonce = two["nonce"].as_str().unwrap();
    let base = [
        "verify",
        "--proof",
        "bitmex/generated-tree.txt",
        "--account",
        "2",
    ];
    let mut a = base.to_vec();
    a.extend(["--nonce", nonce, "--root", root]);
    let (c, v) = json(&a);
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["balances"]["sats"], "5000000");
    let mut a = base.to_vec();
    a.extend(["--account-nonce", two["account_nonce"].as_str().unwrap()]);
    let (c, v) = json(&a);
    assert_eq!((c, v["verdict"].as_str()), (3, Some("valid")));
    // --account-nonce without --account is a usage error.
    let o = run(&[
        "verify",
        "--proof",
        "bitmex/generated-tree.txt",
        "--account-nonce",
        "00",
    ]);
    assert_eq!(code(&o), 2);
    // A nonce that is not hex.
    let o = run(&[
        "verify",
        "--proof",
        "bitmex/generated-tree.txt",
        "--account",
        "2",
        "--nonce",
        "zz",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--nonce"), "{}", stderr(&o));
}

#[test]
fn unknown_and_companion_files_are_exit_2_with_what_they_are() {
    let o = run(&["verify", "--proof", "okx/full-liabilities-merkle-tree.txt"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown format: this is OKX's full liabilities tree file"),
        "{}",
        stderr(&o)
    );
    let o = run(&["verify", "--proof", "gate/proof.csv"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("Gate's table of batch zk-SNARK proofs"),
        "{}",
        stderr(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("x.json"),
        r#"{"self":{"nonce":"ab","balances":{}},"path":[{"hash":"00"}]}"#,
    )
    .unwrap();
    let o = por_in(d, &["verify", "--proof", "x.json"]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains(
            "unknown format; closest: coinex (3 of 5 features; missing root.hash, root.balances)"
        ) && e.contains("okx-v1 (4 of 7 features; missing self.hash"),
        "{e}"
    );
    assert!(stdout(&o).is_empty());
    // okx-v2 without its tree file.
    let o = run(&["verify", "--proof", "okx/user_info_file.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--tree"), "{}", stderr(&o));
}

#[test]
fn format_overrides_detection() {
    // A Bitget file read as OKX v1: OKX's rule rejects it at its first step.
    let (c, v) = json(&[
        "verify",
        "--proof",
        "bitget/merkel_tree_bg.json",
        "--format",
        "okx-v1",
    ]);
    assert_eq!(
        (c, v["format"].as_str(), v["verdict"].as_str()),
        (1, Some("okx-v1"), Some("invalid"))
    );
    let o = run(&[
        "verify",
        "--proof",
        "okx/merkle_proof_file.json",
        "--format",
        "okx-v9",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a known format"), "{}", stderr(&o));
    // Options of another format are refused, not ignored.
    let o = run(&[
        "verify",
        "--proof",
        "okx/merkle_proof_file.json",
        "--account",
        "1",
        "--nonce",
        "00",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn the_text_report_names_the_weaknesses_in_english_and_japanese() {
    let o = run(&["verify", "--proof", "bitget/merkel_tree_bg.json"]);
    let t = stdout(&o);
    assert!(
        t.starts_with("VALID BY THE FILE ALONE, NOT COMPARED (not verified)"),
        "{t}"
    );
    assert!(
        t.contains("hash-truncated-64: Hashes are SHA-256 cut to 64 bits"),
        "{t}"
    );
    assert!(t.contains("64ビット"), "{t}");
    assert!(t.contains("negative balance"), "{t}");
    let o = run(&["verify", "--proof", "coinex/merkle_proof_file.json"]);
    assert!(
        stdout(&o).starts_with(
            "INVALID: CoinEx's own rule (format coinex) rejects this proof at step root"
        ),
        "{}",
        stdout(&o)
    );
}

/// The independent Python recomputation (vectors/exchange/check_exchange.py)
/// of every file's root under its exchange's rule agrees with `por verify`.
#[test]
fn an_independent_python_check_agrees() {
    let out = std::process::Command::new("python3")
        .arg(vectors().join("check_exchange.py"))
        .arg(support::por_bin())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install it with scripts/ci/deps-vectors.sh")
        });
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("por verify agrees on all 15"));
}
