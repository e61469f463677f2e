//! `por ownership`: the real binary on real signatures.
//!
//! - signatures made on the fly by independent signers (bip322-js and
//!   bitcoinjs-message on npm, eth-account on PyPI; installed by
//!   `scripts/ci/deps-ownership.sh`) verify, and tampered ones fail;
//! - the exchanges' published files read as they are;
//! - bad input is a clear error and exit 2.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::path::PathBuf;
use std::process::{Command, Output};

mod support;
use serde_json::Value;
use support::{por_bin, repo_root};

fn por(args: &[&str]) -> Output {
    Command::new(por_bin()).args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ROOT: &str = "5f6a1a0b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccdd0";

fn canonical() -> String {
    let o = por(&[
        "ownership",
        "message",
        "--exchange",
        "acme",
        "--snapshot",
        "2026-11-21",
        "--root",
        ROOT,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn message_is_the_design_text_without_trailing_newline() {
    assert_eq!(
        canonical(),
        format!("por reserves v1\nexchange: acme\nsnapshot: 2026-11-21\nliabilities: {ROOT}")
    );
    let o = por(&[
        "ownership",
        "message",
        "--exchange",
        "acme",
        "--snapshot",
        "x",
        "--root",
        "abc",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("64 hex digits"), "{}", stderr(&o));
}

/// The root can come from the tree directory or its publication; `--out`
/// writes exactly the bytes stdout would print; the checklist goes to
/// stderr (so stdout stays the bytes to sign) and `--quiet` drops it.
#[test]
fn message_from_a_tree_or_publication_with_the_custody_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let balances = dir.path().join("b.csv");
    std::fs::write(&balances, "user_id,BTC\nalice,1\nbob,2\n").unwrap();
    let tree = dir.path().join("tree");
    let o = por(&[
        "tree",
        "build",
        "--balances",
        balances.to_str().unwrap(),
        "--assets",
        "BTC:8",
        "--secret-file",
        dir.path().join("secret").to_str().unwrap(),
        "--out",
        tree.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(tree.join("tree.json")).unwrap()).unwrap();
    let root = summary["root"]["hash"].as_str().unwrap().to_owned();
    let expected =
        format!("por reserves v1\nexchange: ACME-JP\nsnapshot: 2026-11-21\nliabilities: {root}");
    let base = [
        "ownership",
        "message",
        "--exchange",
        "ACME-JP",
        "--snapshot",
        "2026-11-21",
    ];

    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        por(&a)
    };
    let o = with(&["--tree", tree.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), expected);
    let checklist = stderr(&o);
    assert!(
        checklist.contains(&format!("Sign exactly these {} bytes", expected.len())),
        "{checklist}"
    );
    assert!(
        checklist.contains("every new tree (every snapshot) needs new signatures"),
        "{checklist}"
    );
    assert!(
        checklist.contains("--exchange \"ACME-JP\" and --snapshot \"2026-11-21\""),
        "{checklist}"
    );

    let published = dir.path().join("tree.published.json");
    let o = with(&["--published", published.to_str().unwrap(), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), expected);
    assert_eq!(stderr(&o), "");

    let out = dir.path().join("message.txt");
    let o = with(&["--root", &root, "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(std::fs::read(&out).unwrap(), expected.as_bytes());

    // No root source, or two: a usage error.
    assert_eq!(code(&with(&[])), 2);
    assert_eq!(
        code(&with(&["--root", &root, "--tree", tree.to_str().unwrap()])),
        2
    );
}

fn run_signer(cmd: &str, args: &[&str]) -> Vec<Value> {
    let deps = "run scripts/ci/deps-ownership.sh to install the independent signers";
    let o = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}; {deps}"));
    assert!(
        o.status.success(),
        "{cmd} failed: {}; {deps}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn bitcoin_signatures(message: &str) -> Vec<Value> {
    let script = repo_root().join("tests/node/sign.cjs");
    assert!(
        repo_root()
            .join("tests/node/node_modules/bip322-js")
            .exists(),
        "bip322-js is not installed: run scripts/ci/deps-ownership.sh"
    );
    run_signer("node", &[script.to_str().unwrap(), "6", message])
}

fn evm_signatures(message: &str) -> Vec<Value> {
    let python = std::env::var_os("POR_OWNERSHIP_PYTHON").map_or_else(
        || repo_root().join("target/ownership-venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        python.exists(),
        "{} missing: run scripts/ci/deps-ownership.sh",
        python.display()
    );
    let script = repo_root().join("tests/python/eth_sign.py");
    run_signer(
        python.to_str().unwrap(),
        &[script.to_str().unwrap(), "6", message],
    )
}

fn verify_file(rows: &[Value], extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.json");
    std::fs::write(&path, serde_json::to_vec(rows).unwrap()).unwrap();
    let mut args = vec!["ownership", "verify-file", path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let o = por(&args);
    (
        code(&o),
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o))),
    )
}

fn expected_scheme(row: &Value) -> String {
    if let Some(s) = row["scheme"].as_str() {
        return s.to_owned();
    }
    let sig = row["signature"].as_str().unwrap();
    let legacy = sig.len() == 88 && !sig.starts_with("Ak") && !sig.starts_with("AU");
    match (
        row["signer"].as_str().unwrap(),
        row["type"].as_str().unwrap(),
    ) {
        ("bip322-js", "p2pkh") | ("bitcoinjs-message", _) => {
            "bitcoin-signed-message/permissive".to_owned()
        }
        ("bip322-js", _) if !legacy => "bip322-simple-unprefixed".to_owned(),
        other => panic!("unexpected row {other:?}"),
    }
}

fn claims(rows: &[Value], chain: &str) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            serde_json::json!({
                "chain": chain, "address": r["address"], "message": r["message"], "signature": r["signature"],
            })
        })
        .collect()
}

fn tamper_message(rows: &[Value]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            let m = format!("{}!", r["message"].as_str().unwrap());
            r["message"] = Value::String(m);
            r
        })
        .collect()
}

fn check_real_signatures(signed: &[Value], chain: &str, message: &str) {
    let expect = [
        "--expect-exchange",
        "acme",
        "--expect-snapshot",
        "2026-11-21",
        "--expect-root",
        ROOT,
    ];
    let (rc, out) = verify_file(&claims(signed, chain), &expect);
    // A valid signature over another message is bound elsewhere: with
    // --expect-* given, that is a failed binding check (exit 1).
    let all_bound = signed
        .iter()
        .all(|w| w["message"].as_str().unwrap() == message);
    assert_eq!(rc, if all_bound { 0 } else { 1 }, "{out}");
    let rows = out["rows"].as_array().unwrap();
    assert_eq!(rows.len(), signed.len());
    for (got, want) in rows.iter().zip(signed) {
        assert_eq!(got["verdict"], "valid", "{want} -> {got}");
        assert_eq!(
            got["scheme"].as_str().unwrap(),
            expected_scheme(want),
            "{want}"
        );
        let bound = want["message"].as_str().unwrap() == message;
        assert_eq!(got["bound_to_snapshot"], bound, "{got}");
    }
    assert_eq!(out["summary"]["valid"], signed.len());

    // A changed message fails every row.
    let (rc, out) = verify_file(&tamper_message(&claims(signed, chain)), &[]);
    assert_eq!(rc, 1);
    assert_eq!(out["summary"]["invalid"], signed.len(), "{out}");

    // One flipped byte in the middle of the signature: never valid.
    for r in claims(signed, chain).iter().take(12) {
        let sig = r["signature"].as_str().unwrap();
        let mid = sig.len() / 2;
        let flipped = if &sig[mid..=mid] == "A" { "B" } else { "A" };
        let bad = format!("{}{}{}", &sig[..mid], flipped, &sig[mid + 1..]);
        let o = por(&[
            "ownership",
            "verify",
            "--chain",
            chain,
            "--address",
            r["address"].as_str().unwrap(),
            "--message",
            r["message"].as_str().unwrap(),
            "--signature",
            &bad,
        ]);
        assert!(
            code(&o) == 1 || code(&o) == 2,
            "tampered signature accepted: {}",
            stdout(&o)
        );
    }
}

#[test]
fn independent_bitcoin_signers_verify_and_tampering_fails() {
    let message = canonical();
    let all = bitcoin_signatures(&message);
    let (testnet, signed): (Vec<Value>, Vec<Value>) =
        all.into_iter().partition(|r| r["network"] == "testnet");
    assert_eq!(signed.len(), 6 * 7);
    assert_eq!(testnet.len(), 4);
    check_real_signatures(&signed, "bitcoin", &message);

    // Testnet signatures verify on testnet, and are malformed input on mainnet.
    // (No --expect-* given: valid, binding not checked, exit 3.)
    let (rc, out) = verify_file(&claims(&testnet, "bitcoin"), &["--network", "testnet"]);
    assert_eq!(
        (rc, &out["summary"]["valid"]),
        (3, &Value::from(4)),
        "{out}"
    );
    let (rc, out) = verify_file(&claims(&testnet, "bitcoin"), &[]);
    assert_eq!(
        (rc, &out["summary"]["malformed"]),
        (1, &Value::from(4)),
        "{out}"
    );
    let r = &testnet[0];
    expect_exit2(
        &[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            r["address"].as_str().unwrap(),
            "--message",
            r["message"].as_str().unwrap(),
            "--signature",
            r["signature"].as_str().unwrap(),
        ],
        "but mainnet is required",
    );
}

#[test]
fn independent_evm_signer_verifies_and_tampering_fails() {
    let message = canonical();
    let signed = evm_signatures(&message);
    assert_eq!(signed.len(), 6 * 3);
    check_real_signatures(&signed, "ethereum", &message);
    // Asked for a specific scheme, the other schemes' signatures fail.
    let r = signed
        .iter()
        .find(|r| r["scheme"] == "htx-raw-keccak")
        .unwrap();
    let o = por(&[
        "ownership",
        "verify",
        "--chain",
        "ethereum",
        "--scheme",
        "eip191",
        "--address",
        r["address"].as_str().unwrap(),
        "--message",
        r["message"].as_str().unwrap(),
        "--signature",
        r["signature"].as_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
}

#[test]
fn verify_reports_scheme_binding_and_weakness() {
    // HTX's published BTC row, message "huobi": valid legacy, not bound.
    let o = por(&[
        "ownership",
        "verify",
        "--chain",
        "bitcoin",
        "--address",
        "143gLvWYUojXaWZRrxquRKpVNTkhmr415B",
        "--message",
        "huobi",
        "--signature",
        "H5uVlAKs/aB7sqmIZ0h84aSNv8nWAhgffOP5s9UHyuoeEG1ni+DhVpYKF9T+e4jKXsXDUEHOObevLqYocBslD4c=",
        "--json",
    ]);
    // Valid, but no expected snapshot was given: INCOMPLETE, never a pass.
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["outcome"], "incomplete");
    assert_eq!(v["binding_checked"], false);
    assert_eq!(v["scheme"], "bitcoin-signed-message/permissive");
    assert_eq!(v["bound_to_snapshot"], false);
    assert_eq!(v["weaknesses"][0], "not-bound-to-snapshot");
}

#[test]
fn exchange_files_read_as_published() {
    let ext = repo_root().join("vectors/external/exchange-por-ownership");
    let run = |rel: &str| {
        let o = por(&[
            "ownership",
            "verify-file",
            ext.join(rel).to_str().unwrap(),
            "--json",
        ]);
        let v: Value = serde_json::from_str(&stdout(&o))
            .unwrap_or_else(|e| panic!("{rel}: {e} {}", stderr(&o)));
        (code(&o), v)
    };
    // Exchanges' files name no snapshot to compare with, and their
    // messages are fixed texts: valid signatures, binding not checked, so
    // INCOMPLETE (exit 3), never a pass.
    let (rc, v) = run("htx/htx_por_signed_rows_2023-2026.csv");
    assert_eq!(rc, 3);
    assert_eq!(v["summary"]["binding_checked"], false);
    assert_eq!(v["summary"]["valid"], 128, "{}", v["summary"]);
    assert_eq!(v["summary"]["unsupported"], 2, "SOL and ALGO");
    assert_eq!(v["summary"]["valid_but_weak"], 128);
    let (rc, v) = run("htx/huobi_por_20260201.csv");
    assert_eq!(rc, 3, "{}", v["summary"]);
    assert_eq!(v["summary"]["layout"], "htx-csv");
    let (rc, v) = run("okx/okx_por_example.csv");
    assert_eq!(rc, 3);
    assert_eq!(v["summary"]["valid"], 3);
    let (rc, v) = run("okx/test.csv");
    assert_eq!(rc, 3);
    assert_eq!(v["summary"]["valid"], 5, "{}", v["summary"]);
    // The text table names each row's scheme.
    let o = por(&[
        "ownership",
        "verify-file",
        ext.join("okx/test.csv").to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("okx-multisig-p2wsh"), "{}", stdout(&o));
    assert!(stdout(&o).contains("summary: 9 rows"), "{}", stdout(&o));
}

fn expect_exit2(args: &[&str], needle: &str) {
    let o = por(args);
    assert_eq!(code(&o), 2, "{args:?}: {}", stdout(&o));
    assert!(
        stderr(&o).contains(needle),
        "{args:?}: stderr {:?} lacks {needle:?}",
        stderr(&o)
    );
}

#[test]
fn bad_input_is_a_clear_error_and_exit_2() {
    let btc = |address: &str, sig: &str| -> Vec<String> {
        [
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            address,
            "--message",
            "m",
            "--signature",
            sig,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let run = |v: Vec<String>, needle: &str| {
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        expect_exit2(&refs, needle);
    };
    let p2pkh = "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV";
    run(btc(p2pkh, "not base64 !!"), "neither base64 nor hex");
    run(
        btc(
            "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
            "smpnot-base64!",
        ),
        "base64",
    );
    let mut legacy = btc(p2pkh, "AAAA");
    legacy.extend(["--scheme".to_owned(), "legacy".to_owned()]);
    run(legacy, "signature is 3 bytes, expected 65");
    run(
        btc(p2pkh, "AAAA"),
        "error parsing signature as simple variant",
    );
    run(
        btc(p2pkh, &"2b".repeat(65)),
        "unknown signature header byte 43",
    );
    run(
        btc("mupA276ka2mqJwxjjb6x17aPAvxqjKLmqE", "AAAA"),
        "testnet/signet/regtest address, but mainnet",
    );
    run(btc("bc1qnotanaddress", "AAAA"), "is not a Bitcoin address");
    run(
        btc("bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "fulAAAA"),
        "full variant",
    );
    let eth = |address: &str, sig: &str| -> Vec<String> {
        [
            "ownership",
            "verify",
            "--chain",
            "ethereum",
            "--address",
            address,
            "--message",
            "m",
            "--signature",
            sig,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let addr = "0x14791697260E4c9A71f18484C9f997B308e59325";
    run(eth(addr, "0xzz"), "not hex");
    run(eth(addr, &format!("0x{}", "11".repeat(64))), "expected 65");
    run(eth(addr, &format!("0x{}05", "11".repeat(64))), "v = 5");
    run(
        eth(
            "0x14791697260e4C9A71f18484C9f997B308e59325",
            &format!("0x{}1b", "11".repeat(64)),
        ),
        "EIP-55",
    );
    run(
        eth("0x1234", &format!("0x{}1b", "11".repeat(64))),
        "not an EVM address",
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("msg.bin");
    std::fs::write(&bad, [0x66, 0x6f, 0xff, 0xfe]).unwrap();
    expect_exit2(
        &[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            p2pkh,
            "--message-file",
            bad.to_str().unwrap(),
            "--signature",
            "AAAA",
        ],
        "not UTF-8 (bad byte at offset 2)",
    );
    let missing = dir.path().join("nope.txt");
    expect_exit2(
        &[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            p2pkh,
            "--message-file",
            missing.to_str().unwrap(),
            "--signature",
            "AAAA",
        ],
        "nope.txt",
    );
    let notcsv = dir.path().join("claims.csv");
    std::fs::write(&notcsv, "just,some,columns\n1,2,3\n").unwrap();
    expect_exit2(
        &["ownership", "verify-file", notcsv.to_str().unwrap()],
        "no header line",
    );
    std::fs::write(&notcsv, [0xffu8, 0x00]).unwrap();
    expect_exit2(
        &["ownership", "verify-file", notcsv.to_str().unwrap()],
        "not UTF-8",
    );
    expect_exit2(
        &["ownership", "verify", "--chain", "solana"],
        "invalid value 'solana'",
    );
}

#[test]
fn okx_multisig_through_verify() {
    // okx/proof-of-reserves common/crypto_test.go: BTC P2SH 2-of-3.
    let script = "522103447bead626f13c79de937c0879b64172e5984456a47350b44e8bd23a02e6895e2103864969c155d42c5f61999bcaafeadfc8574b033142f03b5bf3025c6794570b952103304fa164de84f710e44a563f5038d355d6a36a1d7f25695cba884f0b4b6d184653ae";
    let sig1 =
        "H2vshvcYTGrUw0XG1AundmbivdrhTWUOTqcXKhN+MqbaEfVYfGkgDhEumiJoEJFhlzuma6bBpg4pXNUHoTENOPI=";
    let sig2 =
        "H1eFA8Y2woAnDqxamcLDMVDr4Jd8g6PiagExWCyzvZNZU8xZ2TKV2RNcbXArRgUfniLzgJFvzmBEUC6vgM5bd7A=";
    let args = |s2: &str, msg: &str| -> Output {
        por(&[
            "ownership",
            "verify",
            "--chain",
            "bitcoin",
            "--address",
            "3Fs7C97NmvhWUZ2pSjth9YbTxMv4sk9nHi",
            "--message",
            msg,
            "--signature",
            sig1,
            "--signature2",
            s2,
            "--redeem-script",
            script,
        ])
    };
    let o = args(sig2, "I am a OKX address");
    // Valid; a fixed text binds to no snapshot, and none was expected: exit 3.
    assert_eq!(code(&o), 3, "{} {}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("scheme: okx-multisig-p2sh"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("bound to snapshot: no"));
    // The same signature twice is one signer, not two.
    let o = args(sig1, "I am a OKX address");
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let o = args(sig2, "I am an OKX address");
    assert_eq!(code(&o), 1, "{}", stdout(&o));

    // Dogecoin 2-of-3 from the same file: Dogecoin's message magic and prefixes.
    let doge = |chain: &str| {
        por(&[
            "ownership",
            "verify",
            "--chain",
            chain,
            "--address",
            "9vbpNnyNRZpSWzptDwxGhw2Vny2yJ4W9V2",
            "--message",
            "I am an OKX address",
            "--signature",
            "H/Oog7EXWzpoR7CA4yV6k5IYH+aQreIxHuMmBTH53ucWVKLn8F7lLJNNPwe67ElPYr49Ox2PpXyExr+W9+pYIgw=",
            "--signature2",
            "H3LGI7d7ZIMSRf+S9TrfdUrTM+tPA21MRnLyANqaH3LwWzSZAZtxJo4dGZs8JSL7dPkM9NWtMg7bTlLN8pIU0iE=",
            "--redeem-script",
            "5221037c660ee71005b5e991068021448ed61a650ef018f56c4614b28ae4618169107c2103aa2fdc3e4a5207c68d452dc42f615dee425eea6c2b7ef61f8a677fbff076fa9a2103d23a7924f45f3288816b91fdaba88ea688020b364bf55e506d21f8c8787dd71853ae",
        ])
    };
    let o = doge("dogecoin");
    assert_eq!(code(&o), 3, "{} {}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("scheme: okx-multisig-p2sh"),
        "{}",
        stdout(&o)
    );
    // The same proof read as Bitcoin: the address is not a Bitcoin address.
    let o = doge("bitcoin");
    assert_eq!(code(&o), 2, "{}", stdout(&o));
}

/// Signed claims over the canonical message, made by `por demo` (fresh keys,
/// no external signer needed), and the root they are bound to.
fn demo_claims() -> (tempfile::TempDir, Vec<Vec<String>>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let o = por(&["demo", "--customers", "10", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let message = std::fs::read_to_string(out.join("exchange/message.txt")).unwrap();
    let root = message
        .lines()
        .find_map(|l| l.strip_prefix("liabilities: "))
        .unwrap()
        .to_owned();
    let text = std::fs::read_to_string(out.join("exchange/ownership-claims.csv")).unwrap();
    // chain,address,"message",signature with a quoted multi-line message.
    let mut rows = Vec::new();
    let mut rest = text.split_once('\n').unwrap().1;
    while let Some((head, tail)) = rest.split_once(",\"") {
        let (msg, tail) = tail.split_once("\",").unwrap();
        let (sig, tail) = tail.split_once('\n').unwrap_or((tail, ""));
        let (chain, address) = head.split_once(',').unwrap();
        rows.push(vec![
            chain.to_owned(),
            address.to_owned(),
            msg.to_owned(),
            sig.to_owned(),
        ]);
        rest = tail;
    }
    assert!(rows.len() > 4, "{rows:?}");
    (dir, rows, root)
}

#[test]
fn ownership_verify_without_expectations_says_binding_not_checked_and_never_passes() {
    let (_dir, rows, root) = demo_claims();
    let row = rows.iter().find(|r| r[0] == "ethereum").unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "ownership",
            "verify",
            "--chain",
            "ethereum",
            "--address",
            &row[1],
            "--message",
            &row[2],
            "--signature",
            &row[3],
        ];
        args.extend_from_slice(extra);
        por(&args)
    };
    // No expectations: valid signature, binding not checked, exit 3.
    let o = verify(&[]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("binding not checked"), "{text}");
    assert!(!text.contains("bound to snapshot: yes"), "{text}");
    assert!(text.contains("INCOMPLETE"), "{text}");
    let o = verify(&["--json"]);
    assert_eq!(code(&o), 3);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["bound_to_snapshot"], Value::Null, "{v}");
    assert_eq!(v["binding_checked"], false);
    assert_eq!(v["outcome"], "incomplete");

    // The right expectations: bound, exit 0.
    let expect = |snapshot: &'static str| {
        [
            "--expect-exchange",
            "sakura-demo-exchange",
            "--expect-snapshot",
            snapshot,
            "--expect-root",
            root.as_str(),
        ]
        .map(str::to_owned)
    };
    let right = expect("2026-09-30");
    let right: Vec<&str> = right.iter().map(String::as_str).collect();
    let o = verify(&right);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("bound to snapshot: yes"),
        "{}",
        stdout(&o)
    );
    // Another snapshot expected: the binding check fails, exit 1.
    let wrong = expect("2026-10-31");
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    let o = verify(&wrong);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("bound to snapshot: no"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn ownership_verify_file_without_expectations_is_incomplete_not_pass() {
    let (dir, rows, root) = demo_claims();
    let file = dir.path().join("d/exchange/ownership-claims.csv");
    let file = file.to_str().unwrap();
    let o = por(&["ownership", "verify-file", file]);
    assert_eq!(code(&o), 3, "{}", stdout(&o));
    assert!(stdout(&o).contains("unchecked"), "{}", stdout(&o));
    assert!(stdout(&o).contains("INCOMPLETE"), "{}", stdout(&o));
    let o = por(&[
        "ownership",
        "verify-file",
        file,
        "--expect-exchange",
        "sakura-demo-exchange",
        "--expect-snapshot",
        "2026-09-30",
        "--expect-root",
        &root,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["valid"], rows.len());
    let o = por(&[
        "ownership",
        "verify-file",
        file,
        "--expect-exchange",
        "other-exchange",
        "--expect-snapshot",
        "2026-09-30",
        "--expect-root",
        &root,
    ]);
    assert_eq!(code(&o), 1, "bound elsewhere fails: {}", stdout(&o));
}

#[test]
fn ownership_verify_file_escapes_control_characters_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(
        &path,
        "chain,address,message,signature\nbitcoin,\"bc1q\u{1b}[2J\u{1b}[32mPASS\",m,AAAA\n",
    )
    .unwrap();
    let o = por(&["ownership", "verify-file", path.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "raw escape printed: {out:?}");
    assert!(out.contains("\\u{1b}"), "{out}");
}
