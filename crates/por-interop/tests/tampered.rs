//! Tampered variants of each format's valid vector, with the verdict the
//! exchange's own rule gives and the weakness por reports beside it; and the
//! property that changing any field a format binds flips its verdict.

use por_interop::decimal::Dec;
use por_interop::{check, Customer, Format, Input, Published, Report, Verdict, Weakness};
use proptest::prelude::*;
use serde_json::Value;

fn vector(path: &str) -> String {
    let p = format!(
        "{}/../../vectors/exchange/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn run_with(proof: &str, tree: Option<&str>, customer: &Customer) -> Report {
    let input = Input {
        proof,
        tree,
        customer,
        published: Published::Nothing,
    };
    check(&input, None).unwrap_or_else(|e| panic!("{e}"))
}

fn run(proof: &str) -> Report {
    run_with(proof, None, &Customer::default())
}

fn json(path: &str) -> Value {
    serde_json::from_str(&vector(path)).expect("json")
}

fn set(v: &mut Value, pointer: &str, new: Value) {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = new;
}

fn get_str(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer}"))
        .to_owned()
}

/// `s + delta` as a canonical decimal string.
fn add(s: &str, delta: &str) -> String {
    Dec::parse(s)
        .expect("decimal")
        .checked_add(&Dec::parse(delta).expect("delta"))
        .expect("in range")
        .canonical()
}

/// The hex string with the digit at `pos` replaced by another digit.
fn flip_hex(s: &str, pos: usize, by: u32) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let i = pos % c.len();
    let d = c[i].to_digit(16).expect("hex digit");
    c[i] = char::from_digit((d + by) % 16, 16).expect("digit");
    c.into_iter().collect()
}

fn step(r: &Report) -> String {
    match &r.verdict {
        Verdict::Invalid { step, .. } => step.clone(),
        v => panic!("expected invalid, got {v:?}"),
    }
}

struct Case {
    file: &'static str,
    format: Format,
    /// A balance of the customer's own node.
    own_balance: &'static str,
    /// A sibling's hash.
    sibling_hash: &'static str,
    /// Two consecutive siblings' balances of one asset (the shift).
    shift: (&'static str, &'static str),
    weakness: Weakness,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            file: "okx/merkle_proof_file.json",
            format: Format::OkxV1,
            own_balance: "/self/balances/USDT",
            sibling_hash: "/path/0/hash",
            shift: ("/path/3/balances/USDT", "/path/4/balances/USDT"),
            weakness: Weakness::SiblingSumsNotBound,
        },
        Case {
            file: "bitget/merkel_tree_bg.json",
            format: Format::Bitget,
            own_balance: "/self/balances/USDT",
            sibling_hash: "/path/0/merkelLeaf",
            shift: ("/path/3/balances/USDT", "/path/4/balances/USDT"),
            weakness: Weakness::HashTruncated64,
        },
        Case {
            file: "bitunix/merkle_tree_bitunix.json",
            format: Format::Bitunix,
            own_balance: "/self/balances/USDT",
            sibling_hash: "/path/0/merkleLeaf",
            shift: ("/path/3/balances/USDT", "/path/4/balances/USDT"),
            weakness: Weakness::SiblingSumsNotBound,
        },
        Case {
            file: "mexc/merkle_proof.json",
            format: Format::Mexc,
            own_balance: "/self/balances/ETH",
            sibling_hash: "/pathList/1/hash",
            shift: ("/pathList/1/balances/BTC", "/pathList/2/balances/BTC"),
            weakness: Weakness::HashTruncated128,
        },
    ]
}

/// A balance + 1: the leaf hash no longer matches (step `self`).
#[test]
fn balance_plus_one_is_invalid_at_self() {
    for c in cases() {
        let mut v = json(c.file);
        let old = get_str(&v, c.own_balance);
        set(&mut v, c.own_balance, Value::String(add(&old, "1")));
        let r = run(&v.to_string());
        assert_eq!(r.format, c.format);
        assert_eq!(step(&r), "self", "{}", c.file);
        assert!(r.weaknesses.contains(&c.weakness), "{}", c.file);
    }
}

/// A sibling's hash changed: the path no longer reaches the root.
#[test]
fn sibling_hash_changed_is_invalid_at_root() {
    for c in cases() {
        let mut v = json(c.file);
        let old = get_str(&v, c.sibling_hash);
        set(&mut v, c.sibling_hash, Value::String(flip_hex(&old, 3, 1)));
        let r = run(&v.to_string());
        assert_eq!(step(&r), "root", "{}", c.file);
    }
}

/// Value moved from one sibling to the next (the root total unchanged): the
/// node between them sums differently and its hash commits to that sum, so
/// every one of these rules rejects the file.
#[test]
fn sibling_sum_shift_in_the_file_is_invalid() {
    for c in cases() {
        let mut v = json(c.file);
        let (a, b) = c.shift;
        let (x, y) = (get_str(&v, a), get_str(&v, b));
        set(&mut v, a, Value::String(add(&x, "0.01")));
        set(&mut v, b, Value::String(add(&y, "-0.01")));
        let r = run(&v.to_string());
        assert_eq!(step(&r), "root", "{}", c.file);
        assert!(r.weaknesses.contains(&Weakness::SiblingSumsNotBound));
    }
}

/// The attack the weakness names (Chalkias et al.): the exchange lowers a
/// sibling's sum and rebuilds every node above, including the root it
/// publishes. The customer's proof is then valid by OKX's rule although the
/// sibling's sum no longer matches what its own hash committed to; por
/// reports `sibling-sums-not-bound` beside the verdict.
#[test]
fn sibling_sum_lowered_with_the_root_rebuilt_is_valid_by_okx_rule() {
    let mut v = json("okx/merkle_proof_file.json");
    let sib = "/path/10/balances/USDT";
    let old = get_str(&v, sib);
    set(&mut v, sib, Value::String(add(&old, "-1000")));
    let total = "/path/23/balances/USDT";
    let t = get_str(&v, total);
    set(&mut v, total, Value::String(add(&t, "-1000")));
    let rebuilt = run(&v.to_string()).root.expect("root");
    set(&mut v, "/path/23/hash", Value::String(rebuilt));
    let r = run(&v.to_string());
    assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.verdict);
    assert!(r.weaknesses.contains(&Weakness::SiblingSumsNotBound));
}

/// CoinEx: its example fails its own rule, so the tampered variants start
/// from the example with the root main.go computes (a derived file).
fn coinex_consistent() -> Value {
    let mut v = json("coinex/merkle_proof_file.json");
    let root = run(&v.to_string()).root.expect("root");
    set(&mut v, "/root/hash", Value::String(root));
    v
}

#[test]
fn coinex_tampered_variants() {
    let base = coinex_consistent();
    assert_eq!(run(&base.to_string()).verdict, Verdict::Valid);
    // Balance + 1 changes the leaf, so the path reaches another root.
    let mut v = base.clone();
    let old = get_str(&v, "/self/balances/USDT");
    set(&mut v, "/self/balances/USDT", Value::String(add(&old, "1")));
    assert_eq!(step(&run(&v.to_string())), "root");
    let mut v = base.clone();
    let old = get_str(&v, "/path/3/hash");
    set(&mut v, "/path/3/hash", Value::String(flip_hex(&old, 0, 5)));
    assert_eq!(step(&run(&v.to_string())), "root");
    let mut v = base.clone();
    let (x, y) = (
        get_str(&v, "/path/3/balances/USDT"),
        get_str(&v, "/path/4/balances/USDT"),
    );
    set(
        &mut v,
        "/path/3/balances/USDT",
        Value::String(add(&x, "0.01")),
    );
    set(
        &mut v,
        "/path/4/balances/USDT",
        Value::String(add(&y, "-0.01")),
    );
    let r = run(&v.to_string());
    assert_eq!(step(&r), "root");
    assert!(r.weaknesses.contains(&Weakness::SiblingSumsNotBound));
}

#[test]
fn okx_v2_tampered_variants() {
    let tree = vector("okx/full-liabilities-merkle-tree.txt");
    let base = json("okx/user_info_file.json");
    let mut v = base.clone();
    set(
        &mut v,
        "/totalBalances/BTC",
        Value::String("1.00005".into()),
    );
    let r = run_with(&v.to_string(), Some(&tree), &Customer::default());
    assert_eq!(step(&r), "user-info");
    let mut v = base.clone();
    let old = get_str(&v, "/nodes/0/hash");
    set(&mut v, "/nodes/0/hash", Value::String(flip_hex(&old, 7, 2)));
    assert_eq!(
        step(&run_with(&v.to_string(), Some(&tree), &Customer::default())),
        "user-info"
    );
    // A changed internal node of the tree file: OKX's tool never looks at
    // it (valid), por's recomputation notes it and reports no root.
    let changed = tree.replacen(
        "82f532ededf6b45f4682b7f520b7ba1359766f30bddd62706d303b4bdb449e87,5,{\"BTC\":\"0.00005\"",
        "82f532ededf6b45f4682b7f520b7ba1359766f30bddd62706d303b4bdb449e87,5,{\"BTC\":\"0.00006\"",
        1,
    );
    assert_ne!(changed, tree);
    let r = run_with(&base.to_string(), Some(&changed), &Customer::default());
    assert_eq!(r.verdict, Verdict::Valid);
    assert_eq!(r.root, None);
    assert!(r.weaknesses.contains(&Weakness::InternalNodesNotChecked));
}

fn bitmex_account_3() -> Customer {
    let a: Value = serde_json::from_str(&vector("bitmex/generated-accounts.json")).expect("json");
    let acct = a["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|x| x["account"] == 3)
        .expect("account 3");
    Customer {
        account: Some(3),
        nonce: Some(hex::decode(acct["nonce"].as_str().expect("nonce")).expect("hex")),
        ..Customer::default()
    }
}

/// Account 3 holds leaf 7 alone. Lines after the header: root 0; level 2:
/// 1, 2; level 1: 3-6; leaves 7-14. Its path and siblings: 0, 1, 2, 5, 6,
/// 13, 14.
const BITMEX_BOUND_LINES: [usize; 7] = [0, 1, 2, 5, 6, 13, 14];

fn bitmex_edit(text: &str, line: usize, f: impl Fn(&str, &str) -> (String, String)) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let (h, v) = lines[line + 1].split_once(',').expect("line");
    let (h, v) = f(h, v);
    lines[line + 1] = format!("{h},{v}");
    lines.join("\n")
}

#[test]
fn bitmex_tampered_variants() {
    let tree = vector("bitmex/generated-tree.txt");
    let c = bitmex_account_3();
    assert_eq!(run_with(&tree, None, &c).verdict, Verdict::Valid);
    // Balance + 1: the leaf no longer opens with the nonce.
    let t = bitmex_edit(&tree, 14, |h, v| {
        (
            h.to_owned(),
            (v.parse::<u64>().expect("int") + 1).to_string(),
        )
    });
    assert_eq!(step(&run_with(&t, None, &c)), "leaf");
    // The sibling leaf's hash changed: the parent no longer recomputes.
    let t = bitmex_edit(&tree, 13, |h, v| (flip_hex(h, 0, 1), v.to_owned()));
    assert_eq!(step(&run_with(&t, None, &c)), "path");
    // Value moved between the two siblings (their parent's total kept):
    // BitMEX's node hash commits to each child's value, so it is rejected.
    let t = bitmex_edit(&tree, 13, |h, v| {
        (
            h.to_owned(),
            (v.parse::<u64>().expect("int") + 5).to_string(),
        )
    });
    let t = bitmex_edit(&t, 14, |h, v| {
        (
            h.to_owned(),
            v.parse::<u64>().expect("int").saturating_sub(5).to_string(),
        )
    });
    let r = run_with(&t, None, &c);
    assert_eq!(r.verdict.as_str(), "invalid");
    assert!(!r.weaknesses.contains(&Weakness::SiblingSumsNotBound));
}

/// The JSON fields each valid vector binds: hashes and amounts of the
/// customer's node, of every sibling, and of the root.
fn bound_fields() -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    let okx = json("okx/merkle_proof_file.json");
    let mut f = vec!["/self/nonce".to_owned(), "/self/hash".to_owned()];
    for a in ["BTC", "ETH", "USDT"] {
        f.push(format!("/self/balances/{a}"));
        for i in 0..okx["path"].as_array().expect("path").len() {
            f.push(format!("/path/{i}/balances/{a}"));
        }
    }
    for i in 0..okx["path"].as_array().expect("path").len() {
        f.push(format!("/path/{i}/hash"));
    }
    out.push(("okx/merkle_proof_file.json", f));
    let bg = json("bitget/merkel_tree_bg.json");
    let mut f = vec![
        "/self/nonce".to_owned(),
        "/self/encryptUid".to_owned(),
        "/self/merkelLeaf".to_owned(),
    ];
    for a in ["BTC", "ETH", "USDT", "USDC"] {
        f.push(format!("/self/balances/{a}"));
        for i in 0..bg["path"].as_array().expect("path").len() {
            f.push(format!("/path/{i}/balances/{a}"));
        }
    }
    for i in 0..bg["path"].as_array().expect("path").len() {
        f.push(format!("/path/{i}/merkelLeaf"));
    }
    out.push(("bitget/merkel_tree_bg.json", f));
    let bx = json("bitunix/merkle_tree_bitunix.json");
    let n = bx["path"].as_array().expect("path").len();
    let mut f = vec![
        "/self/nonce".to_owned(),
        "/self/encryptUid".to_owned(),
        "/self/merkleLeaf".to_owned(),
    ];
    for a in ["BTC", "ETH", "USDT"] {
        f.push(format!("/self/balances/{a}"));
        // The root's stated totals are not compared by Bitunix's rule
        // (stated-totals-not-checked): only the siblings' amounts are bound.
        for i in 0..n - 1 {
            f.push(format!("/path/{i}/balances/{a}"));
        }
    }
    for i in 0..n {
        f.push(format!("/path/{i}/merkleLeaf"));
    }
    out.push(("bitunix/merkle_tree_bitunix.json", f));
    let mut f = vec![
        "/self/proofId".to_owned(),
        "/self/accountId".to_owned(),
        "/self/hash".to_owned(),
        "/self/balances/ETH".to_owned(),
    ];
    for i in 1..3 {
        f.push(format!("/pathList/{i}/hash"));
        for a in ["BTC", "ETH", "USDT"] {
            f.push(format!("/pathList/{i}/balances/{a}"));
        }
    }
    f.push("/pathList/3/hash".to_owned());
    out.push(("mexc/merkle_proof.json", f));
    out
}

fn mutate(s: &str, delta_units: i64, pos: usize, by: u32) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.len() >= 8 {
        flip_hex(s, pos, by)
    } else if Dec::parse(s).is_ok() {
        let d = Dec::parse(&format!("{delta_units}e-8")).expect("delta");
        Dec::parse(s)
            .expect("dec")
            .checked_add(&d)
            .expect("range")
            .canonical()
    } else {
        // Ids and nonces that are not hex (Bitunix's): change one character.
        let mut c: Vec<char> = s.chars().collect();
        let i = pos % c.len();
        c[i] = if c[i] == 'x' { 'y' } else { 'x' };
        c.into_iter().collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any change to a field the format binds makes the exchange's own rule
    /// reject the file.
    #[test]
    fn changing_a_bound_field_flips_the_verdict(
        which in any::<prop::sample::Index>(),
        field in any::<prop::sample::Index>(),
        delta in prop_oneof![1i64..1_000_000_000, -1_000_000_000i64..-1],
        pos in 0usize..64,
        by in 1u32..16,
    ) {
        let all = bound_fields();
        let (file, fields) = &all[which.index(all.len())];
        let pointer = &fields[field.index(fields.len())];
        let mut v = json(file);
        prop_assert_eq!(run(&v.to_string()).verdict, Verdict::Valid);
        let old = get_str(&v, pointer);
        let new = mutate(&old, delta, pos, by);
        prop_assume!(new != old);
        set(&mut v, pointer, Value::String(new));
        let r = run(&v.to_string());
        prop_assert_eq!(r.verdict.as_str(), "invalid", "{} {}", file, pointer);
    }

    /// BitMEX: any change to a line on account 3's path (or a sibling's)
    /// makes BitMEX's rule reject it.
    #[test]
    fn bitmex_bound_lines_flip_the_verdict(
        line in prop::sample::select(BITMEX_BOUND_LINES.to_vec()),
        hash in any::<bool>(),
        pos in 0usize..64,
        by in 1u32..16,
        delta in 1u64..1_000_000,
    ) {
        let tree = vector("bitmex/generated-tree.txt");
        let c = bitmex_account_3();
        let t = bitmex_edit(&tree, line, |h, v| {
            if hash {
                (flip_hex(h, pos, by), v.to_owned())
            } else {
                (h.to_owned(), (v.parse::<u64>().expect("int") + delta).to_string())
            }
        });
        prop_assert_eq!(run_with(&t, None, &c).verdict.as_str(), "invalid");
    }
}
