//! Every outside file in vectors/exchange/ with its documented verdict
//! (vectors/exchange/README.md), by each exchange's own rule.

use por_interop::{check, detect, Customer, Format, Input, Published, Report, Verdict, Weakness};

fn vector(path: &str) -> String {
    let p = format!(
        "{}/../../vectors/exchange/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn run(proof: &str, tree: Option<&str>, customer: &Customer, published: Published<'_>) -> Report {
    let input = Input {
        proof,
        tree,
        customer,
        published,
    };
    check(&input, None).unwrap_or_else(|e| panic!("{e}"))
}

fn plain(proof: &str) -> Report {
    run(proof, None, &Customer::default(), Published::Nothing)
}

#[test]
fn okx_v1_is_valid() {
    let text = vector("okx/merkle_proof_file.json");
    assert_eq!(detect(&text).format(), Some(Format::OkxV1));
    let r = plain(&text);
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert_eq!(
        r.root.as_deref(),
        Some("ac6b39d2a0aa8112bd1aadff5e7d4b5c2b91cd54d595262ba4367f5d2db4160d")
    );
    assert!(!r.compared_with_publication);
    assert_eq!(r.exit_code(), 3);
    assert!(r.weaknesses.contains(&Weakness::SiblingSumsNotBound));
    let root = r.root.clone().expect("root");
    let r = run(&text, None, &Customer::default(), Published::Root(&root));
    assert_eq!((r.verdict.clone(), r.exit_code()), (Verdict::Valid, 0));
    let other = "00".repeat(32);
    let r = run(&text, None, &Customer::default(), Published::Root(&other));
    assert_eq!(r.verdict.as_str(), "invalid");
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn okx_v2_is_valid_and_its_tree_recomputes() {
    let info = vector("okx/user_info_file.json");
    let tree = vector("okx/full-liabilities-merkle-tree.txt");
    assert_eq!(detect(&info).format(), Some(Format::OkxV2));
    let r = run(&info, Some(&tree), &Customer::default(), Published::Nothing);
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert_eq!(
        r.root.as_deref(),
        Some("9e98ebde32ef22ded88a5fb2d5e53d76ed57cb9c6b2c966f250721defe6ab041"),
        "{:?}",
        r.notes
    );
    assert_eq!(r.balances[0], ("BTC".to_owned(), "0.00005".to_owned()));
    // The tree file alone is not a proof.
    let d = detect(&tree);
    assert!(d.not_a_proof.is_some() && d.format().is_none());
}

#[test]
fn bitget_is_valid() {
    let text = vector("bitget/merkel_tree_bg.json");
    assert_eq!(detect(&text).format(), Some(Format::Bitget));
    let r = plain(&text);
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert_eq!(r.root.as_deref(), Some("8eac815c495e6a67"));
    assert!(r.weaknesses.contains(&Weakness::HashTruncated64));
    assert!(
        r.notes.iter().any(|n| n.contains("negative")),
        "the file has a negative USDC sum"
    );
}

#[test]
fn bitunix_is_valid() {
    let text = vector("bitunix/merkle_tree_bitunix.json");
    assert_eq!(detect(&text).format(), Some(Format::Bitunix));
    let r = plain(&text);
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert!(r.root.as_deref().is_some_and(|h| h.starts_with("7d409a80")));
    assert_eq!(
        r.balances[2],
        ("USDT".to_owned(), "10000.00000000".to_owned())
    );
}

#[test]
fn mexc_is_valid() {
    let text = vector("mexc/merkle_proof.json");
    assert_eq!(detect(&text).format(), Some(Format::Mexc));
    let r = plain(&text);
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert_eq!(r.root.as_deref(), Some("35d01ffef2beec3ff0166c03f3d9b0cc"));
    assert!(r.weaknesses.contains(&Weakness::HashTruncated128));
    assert!(r.weaknesses.contains(&Weakness::UserIdUnsalted));
}

#[test]
fn coinex_example_fails_its_own_rule() {
    let text = vector("coinex/merkle_proof_file.json");
    assert_eq!(detect(&text).format(), Some(Format::Coinex));
    let r = plain(&text);
    match &r.verdict {
        Verdict::Invalid { step, reason } => {
            assert_eq!(step, "root");
            assert!(reason.contains("sha256(h || json(sum))"), "{reason}");
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn bitmex_readme_tree_is_consistent_but_opens_no_leaf() {
    let text = vector("bitmex/readme-tree.txt");
    assert_eq!(detect(&text).format(), Some(Format::Bitmex));
    let r = plain(&text);
    assert!(
        matches!(r.verdict, Verdict::Unverifiable { .. }),
        "{:?}",
        r.verdict
    );
    assert_eq!(
        r.root.as_deref(),
        Some("ceb08dfd693430ece544df853a989684056c0800088d61bfcc38c0d16cc1e1c7")
    );
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("every hash and sum is consistent")));
    // The README's nonces (account 2) open no leaf of the printed tree.
    let c = Customer {
        account: Some(2),
        nonce: Some(
            hex::decode("b88860add96111d84d38a500266df715158f91375d9aaa98aa58356f9a872412")
                .expect("hex"),
        ),
        ..Customer::default()
    };
    let r = run(&text, None, &c, Published::Nothing);
    assert!(
        matches!(&r.verdict, Verdict::Invalid { step, .. } if step == "leaf"),
        "{:?}",
        r.verdict
    );
}

#[test]
fn bitmex_generated_tree_opens_each_account() {
    let text = vector("bitmex/generated-tree.txt");
    let accounts: serde_json::Value =
        serde_json::from_str(&vector("bitmex/generated-accounts.json")).expect("json");
    let root = accounts["root"].as_str().expect("root");
    for a in accounts["accounts"].as_array().expect("accounts") {
        let c = Customer {
            account: a["account"].as_u64(),
            nonce: Some(hex::decode(a["nonce"].as_str().expect("nonce")).expect("hex")),
            ..Customer::default()
        };
        let r = run(&text, None, &c, Published::Root(root));
        assert_eq!(r.verdict, Verdict::Valid, "{a}: {:?}", r.verdict);
        assert_eq!(r.exit_code(), 0);
        assert_eq!(
            r.balances[0].1,
            a["total"].as_u64().expect("total").to_string()
        );
        // The same from the master nonce.
        let c = Customer {
            account: a["account"].as_u64(),
            account_nonce: Some(hex::decode(a["account_nonce"].as_str().expect("n")).expect("hex")),
            ..Customer::default()
        };
        let r = run(&text, None, &c, Published::Nothing);
        assert_eq!(
            r.balances[0].1,
            a["total"].as_u64().expect("total").to_string()
        );
    }
}

#[test]
fn zk_proofs_are_recognised_and_unverifiable() {
    for (path, format) in [
        ("gate/user_config.json", Format::GateZk),
        ("binance-zk/user_config.json", Format::BinanceZk),
    ] {
        let text = vector(path);
        assert_eq!(detect(&text).format(), Some(format), "{path}");
        let r = plain(&text);
        match &r.verdict {
            Verdict::Unverifiable { reason } => assert!(reason.contains("Poseidon"), "{reason}"),
            v => panic!("{path}: {v:?}"),
        }
        assert_eq!(r.exit_code(), 3);
    }
}

#[test]
fn gate_batch_csv_is_an_unknown_format() {
    let text = vector("gate/proof.csv");
    let d = detect(&text);
    assert_eq!(d.format(), None);
    assert!(
        d.to_string()
            .starts_with("unknown format: this is Gate's table of batch zk-SNARK proofs"),
        "{d}"
    );
}

#[test]
fn docs_name_every_format_and_weakness() {
    let p = format!("{}/../../docs/interop.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&p).expect("docs/interop.md");
    for f in Format::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", f.id())),
            "{} missing from the format table",
            f.id()
        );
    }
    for w in Weakness::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", w.id())),
            "{} missing from the weakness table",
            w.id()
        );
        assert!(
            w.en().ends_with('.') && w.ja().ends_with('。'),
            "{}",
            w.id()
        );
    }
    assert!(doc.contains(por_interop::REPORT_VERSION));
}

/// por's own proofs go through the same interface: the first valid proof of
/// each tree-v1 case, recognised as por-v1, valid, compared only when a root
/// is given, with por-v1's weaknesses.
#[test]
fn por_v1_through_the_same_interface() {
    let p = format!("{}/../../vectors/tree-v1.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("tree-v1")).expect("json");
    let mut n = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let root = case["expected"]["root"].as_str().expect("root");
        let Some(valid) = case["proofs"]
            .as_array()
            .expect("proofs")
            .iter()
            .find(|p| p["name"].as_str().is_some_and(|s| s.starts_with("valid")))
        else {
            continue;
        };
        let text = valid["proof"].to_string();
        assert_eq!(detect(&text).format(), Some(Format::PorV1));
        let r = plain(&text);
        assert_eq!((r.verdict.clone(), r.exit_code()), (Verdict::Valid, 3));
        assert!(r.weaknesses.contains(&Weakness::ProofCarriesOwnRoot));
        let r = run(&text, None, &Customer::default(), Published::Root(root));
        assert_eq!(
            (r.verdict.clone(), r.exit_code(), r.root.as_deref()),
            (Verdict::Valid, 0, Some(root))
        );
        assert!(!r.weaknesses.contains(&Weakness::ProofCarriesOwnRoot));
        let other = "ab".repeat(32);
        let r = run(&text, None, &Customer::default(), Published::Root(&other));
        assert!(matches!(&r.verdict, Verdict::Invalid { step, .. } if step == "publication"));
        n += 1;
    }
    assert!(n > 0);
}

/// A decimal por cannot hold is unverifiable (the exchange's library would
/// compute it), not malformed and not invalid.
#[test]
fn a_decimal_beyond_por_is_unverifiable() {
    let text = vector("bitget/merkel_tree_bg.json").replacen(
        "\"USDT\": \"0.00012635\"",
        "\"USDT\": \"123456789012345678901234567890123456789.5\"",
        1,
    );
    let r = plain(&text);
    match &r.verdict {
        Verdict::Unverifiable { reason } => {
            assert!(reason.contains("38 significant digits"), "{reason}")
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(r.exit_code(), 3);
}
