//! `por tree build --memory SIZE`: an export past the budget is built in
//! bounded memory (issue 17). The tree directory must be byte for byte the
//! in-memory build's, proofs and `por verify` must work on it as before,
//! errors must be the same, no temporary file may be left, and the root
//! must be the independent Python implementation's (vectors/por_tree_v1.py).

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;

mod support;
use support::{por_in as por, repo_root, stderr, stdout, tree_fixture};

const FILES: [&str; 5] = [
    "nodes.bin",
    "customers.bin",
    "users.idx",
    "tree.json",
    ".por-output",
];

fn build(d: &Path, out: &str, assets: &str, memory: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "tree",
        "build",
        "--balances",
        "b.csv",
        "--assets",
        assets,
        "--secret-file",
        "s.key",
        "--out",
        out,
    ];
    if let Some(m) = memory {
        args.extend(["--memory", m]);
    }
    por(d, &args)
}

/// Nothing but the outputs in `d`: no temporary directory left behind.
fn no_leftovers(d: &Path) {
    for e in std::fs::read_dir(d).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".por-"), "left behind: {name}");
    }
}

/// Builds in memory (the default budget) and in bounded memory with each
/// budget; every file of the tree directory and the publication must be
/// the same bytes. Returns the publication's JSON.
fn same_both_ways(csv: &str, assets: &str, budgets: &[&str]) -> serde_json::Value {
    let dir = tree_fixture(csv.as_bytes());
    let d = dir.path();
    let o = build(d, "mem", assets, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("bounded memory"), "{}", stdout(&o));
    for (i, m) in budgets.iter().enumerate() {
        let out = format!("b{i}");
        let o = build(d, &out, assets, Some(m));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("Built in bounded memory"),
            "{}",
            stdout(&o)
        );
        for f in FILES {
            let a = std::fs::read(d.join("mem").join(f)).unwrap();
            let b = std::fs::read(d.join(&out).join(f)).unwrap();
            assert!(a == b, "{f} differs with --memory {m}");
        }
        let a = std::fs::read(d.join("mem.published.json")).unwrap();
        let b = std::fs::read(d.join(format!("{out}.published.json"))).unwrap();
        assert_eq!(a, b, "published file differs with --memory {m}");
    }
    no_leftovers(d);
    // Proofs from the bounded tree, checked against its publication.
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("b0.published.json")).unwrap()).unwrap();
    let first = csv.lines().nth(1).unwrap().split(',').next().unwrap();
    for tree in ["mem", "b0"] {
        let o = por(
            d,
            &[
                "tree",
                "proof",
                "--tree",
                tree,
                "--user",
                first,
                "--out",
                &format!("{tree}-proof.json"),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read(d.join("mem-proof.json")).unwrap(),
        std::fs::read(d.join("b0-proof.json")).unwrap()
    );
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "b0-proof.json",
            "--published",
            "b0.published.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    published
}

fn wide(n: usize, k: usize) -> String {
    let mut csv = String::from("user_id");
    for j in 0..k {
        csv.push_str(&format!(",A{j}"));
    }
    csv.push('\n');
    for i in 0..n {
        csv.push_str(&format!("user-{i:05}"));
        for j in 0..k {
            csv.push_str(&format!(",{}.{}", (i * 7 + j * 3) % 1000, i % 10));
        }
        csv.push('\n');
    }
    csv
}

fn spec(k: usize) -> String {
    (0..k)
        .map(|j| format!("A{j}:8"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn wide_exports_are_byte_identical() {
    for (n, k) in [(1, 1), (2, 3), (777, 2), (5000, 3)] {
        same_both_ways(&wide(n, k), &spec(k), &["64K", "1M"]);
    }
}

#[test]
fn long_form_sparse_is_byte_identical() {
    // 40 assets, 1 to 5 held per customer, a customer's rows apart
    let k = 40;
    let mut rows = Vec::new();
    for i in 0..4000 {
        for t in 0..1 + (i * 7) % 5 {
            rows.push((
                (i * 2654435761usize + t) % 1_000_003,
                format!("c{i},A{},{}", (i * 3 + t * 7) % k, 1 + i % 50),
            ));
        }
    }
    rows.sort();
    let mut csv = String::from("user_id,asset,amount\n");
    for (_, r) in rows {
        csv.push_str(&r);
        csv.push('\n');
    }
    same_both_ways(&csv, &spec(k), &["64K"]);
}

#[test]
fn errors_are_the_same_and_leave_nothing() {
    let cases = [
        format!("{}user-00003,1,1\n", wide(3000, 2)),
        "user_id,A0,A1\n\u{e9}lise,1,2\nbob,1,1\ne\u{301}lise,3,4\n".to_owned(),
        format!("{}user-x,1,zz\n", wide(3000, 2)),
    ];
    for csv in &cases {
        let dir = tree_fixture(csv.as_bytes());
        let d = dir.path();
        let a = build(d, "mem", &spec(2), None);
        let b = build(d, "bounded", &spec(2), Some("64K"));
        assert_eq!(a.status.code(), Some(2), "{}", stderr(&a));
        assert_eq!(b.status.code(), Some(2), "{}", stderr(&b));
        assert_eq!(stderr(&a), stderr(&b));
        assert!(!d.join("bounded").exists());
        assert!(!d.join("bounded.published.json").exists());
        no_leftovers(d);
    }
}

#[test]
fn memory_sizes_are_checked() {
    let dir = tree_fixture(wide(3, 1).as_bytes());
    let d = dir.path();
    for bad in ["12", "1X", "", "K", "99999999999999999999G"] {
        let o = build(d, "t", &spec(1), Some(bad));
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--memory"), "{}", stderr(&o));
    }
}

/// The root of a bounded build against vectors/por_tree_v1.py, an
/// independent implementation of format v1.
#[test]
fn root_matches_the_python_implementation() {
    let csv = wide(3000, 3);
    let dir = tree_fixture(csv.as_bytes());
    let d = dir.path();
    let o = build(d, "t", &spec(3), Some("64K"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Built in bounded memory"));
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("t.published.json")).unwrap()).unwrap();
    let script = r#"
import sys, csv
sys.path.insert(0, sys.argv[1])
import por_tree_v1 as v
secret = bytes.fromhex(open(sys.argv[3]).read().strip())
rows = list(csv.reader(open(sys.argv[2])))
k = len(rows[0]) - 1
customers = [(r[0], [v.parse_amount(x, 8) for x in r[1:]]) for r in rows[1:]]
t = v.Tree(secret, k, customers)
h, s = t.root
print(h.hex(), t.height, " ".join(str(x) for x in s))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(repo_root().join("vectors"))
        .arg(d.join("b.csv"))
        .arg(d.join("s.key"))
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install it with scripts/ci/deps-vectors.sh")
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let mut parts = line.split_whitespace();
    assert_eq!(parts.next().unwrap(), published["root"].as_str().unwrap());
    assert_eq!(
        parts.next().unwrap(),
        published["height"].to_string().as_str()
    );
    let totals: Vec<&str> = parts.collect();
    for (j, t) in totals.iter().enumerate() {
        assert_eq!(*t, published["totals"][format!("A{j}")].as_str().unwrap());
    }
}
