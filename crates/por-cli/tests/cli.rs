//! End-to-end tests of the `por` binary: the tree walkthrough and every
//! bad-input case of the balances export, proofs and arguments.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;
use std::process::Output;

mod support;
use support::{por_in as por, stderr, stdout, tree_fixture as setup};

fn build(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "tree",
        "build",
        "--balances",
        "b.csv",
        "--assets",
        "BTC:8,ETH:18",
        "--secret-file",
        "s.key",
        "--out",
        "t",
    ];
    args.extend_from_slice(extra);
    por(dir, &args)
}

#[test]
fn walkthrough_build_proof_verify_tamper() {
    let dir = setup(b"user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\ncarol,0,3\n");
    let d = dir.path();
    let o = build(d, &["--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // exactly {"root", "height", "customers", "totals"} in that order
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["customers", "height", "root", "totals"]);
    assert!(stdout(&o).starts_with("{\"root\":\""));
    assert_eq!(v["height"], 2);
    assert_eq!(v["customers"], 3);
    assert_eq!(v["totals"]["BTC"], "250000000");
    assert_eq!(v["totals"]["ETH"], "4250000000000000000");
    // stderr is silent when not a terminal and the secret exists
    assert_eq!(stderr(&o), "");
    let root = v["root"].as_str().unwrap().to_owned();

    let o = por(
        d,
        &[
            "tree", "proof", "--tree", "t", "--user", "bob", "--out", "bob.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Against its own root only: consistent, not compared (exit 3), never verified.
    let o = por(d, &["verify", "--proof", "bob.json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("CONSISTENT, NOT COMPARED"));
    assert!(stdout(&o).contains("BTC  2"));
    assert!(stdout(&o).contains("ETH  0.25"));
    assert!(
        stdout(&o).contains("compare the root hash"),
        "must tell the customer to compare the root"
    );

    let o = por(d, &["verify", "--proof", "bob.json", "--root", &root]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Checked against the root given with --root"));

    // A different published root: not verified, exit 1.
    let other = "ab".repeat(32);
    let o = por(d, &["verify", "--proof", "bob.json", "--root", &other]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("root-hash-mismatch"));

    // Tamper with the balance: exit 1 and the reason.
    let text = std::fs::read_to_string(d.join("bob.json")).unwrap();
    std::fs::write(
        d.join("bad.json"),
        text.replacen("\"200000000\"", "\"300000000\"", 1),
    )
    .unwrap();
    let o = por(d, &["verify", "--proof", "bad.json", "--root", &root]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("NOT VERIFIED"), "{}", stdout(&o));

    let o = por(
        d,
        &["verify", "--proof", "bad.json", "--root", &root, "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["failure"]["kind"], "root-hash-mismatch");

    // Every exported proof verifies against the published root.
    let o = por(
        d,
        &["tree", "export-proofs", "--tree", "t", "--out", "proofs"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let index = std::fs::read_to_string(d.join("proofs/index.csv")).unwrap();
    assert_eq!(index.lines().count(), 4);
    for line in index.lines().skip(1) {
        let file = line.rsplit(',').next().unwrap();
        let o = por(
            d,
            &[
                "verify",
                "--proof",
                &format!("proofs/{file}"),
                "--root",
                &root,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stdout(&o));
    }
    // The single-proof command and the export agree byte for byte.
    assert_eq!(
        std::fs::read(d.join("proofs/bob.json")).unwrap(),
        std::fs::read(d.join("bob.json")).unwrap()
    );
}

#[test]
fn missing_secret_is_created_private_and_announced() {
    let dir = setup(b"user_id,BTC,ETH\na,1,1\n");
    std::fs::remove_file(dir.path().join("s.key")).unwrap();
    let o = build(dir.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Created the snapshot secret"));
    let meta = std::fs::metadata(dir.path().join("s.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(dir.path().join("s.key")).unwrap();
    assert_eq!(text.trim_end().len(), 64);
    // A second build with the same secret gives the same root.
    let o1 = build(dir.path(), &["--json", "--force"]);
    let o2 = build(dir.path(), &["--json", "--force"]);
    assert_eq!(stdout(&o1), stdout(&o2));
}

/// Each bad export: exit 2, an error naming the file and the place, and no output directory.
#[test]
fn bad_balances_exports_name_file_line_and_column() {
    let cases: &[(&str, &[u8], &[&str])] = &[
        ("empty file", b"", &["b.csv", "empty"]),
        (
            "header only",
            b"user_id,BTC,ETH\n",
            &["b.csv", "no customer rows"],
        ),
        (
            "duplicate user id",
            b"user_id,BTC,ETH\na,1,1\nb,1,1\na,2,2\n",
            &["b.csv", "line 4", "duplicate user id \"a\"", "line 2"],
        ),
        (
            "unknown column",
            b"user_id,BTC,ETH,DOGE\na,1,1,1\n",
            &["b.csv", "line 1, column 4", "unknown column \"DOGE\""],
        ),
        (
            "missing column",
            b"user_id,BTC\na,1\n",
            &["b.csv", "line 1", "no column for asset ETH"],
        ),
        (
            "repeated column",
            b"user_id,BTC,ETH,BTC\na,1,1,1\n",
            &["b.csv", "line 1, column 4", "appears twice"],
        ),
        (
            "too many decimals",
            b"user_id,BTC,ETH\na,0.123456789,1\n",
            &[
                "b.csv",
                "line 2, column 2 (BTC)",
                "9 decimal places",
                "at most 8",
            ],
        ),
        (
            "negative",
            b"user_id,BTC,ETH\na,1,-1\n",
            &["b.csv", "line 2, column 3 (ETH)", "sign"],
        ),
        (
            "overflow",
            b"user_id,BTC,ETH\na,1,340282366920938463463.374607431768211456\n",
            &["b.csv", "line 2, column 3 (ETH)", "exceeds"],
        ),
        (
            "exponent",
            b"user_id,BTC,ETH\na,1e3,1\n",
            &["b.csv", "line 2, column 2", "exponent"],
        ),
        (
            "non-digit",
            b"user_id,BTC,ETH\na,1,12abc\n",
            &["b.csv", "line 2, column 3", "'a'"],
        ),
        (
            "invalid UTF-8",
            b"user_id,BTC,ETH\n\xff\xfe,1,1\n",
            &["b.csv", "line 2, column 1", "UTF-8"],
        ),
        (
            "too few fields",
            b"user_id,BTC,ETH\na,1,1\nb,1\n",
            &["b.csv", "line 3", "expected 3 fields", "found 2"],
        ),
        (
            "empty user id",
            b"user_id,BTC,ETH\n,1,1\n",
            &["b.csv", "line 2", "empty user id"],
        ),
        (
            "bad first column",
            b"id,BTC,ETH\na,1,1\n",
            &["b.csv", "user_id"],
        ),
        (
            "unterminated quote",
            b"user_id,BTC,ETH\n\"a,1,1\n",
            &["b.csv"],
        ),
    ];
    for (name, csv, needles) in cases {
        let dir = setup(csv);
        let o = build(dir.path(), &[]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        for n in *needles {
            assert!(err.contains(n), "{name}: {err:?} lacks {n:?}");
        }
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            !dir.path().join("t").exists(),
            "{name}: partial output left behind"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f.starts_with(".por"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{name}: temporary files left: {leftovers:?}"
        );
    }
}

#[test]
fn bad_arguments_and_proof_files_exit_2_with_the_field() {
    let dir = setup(b"user_id,BTC,ETH\na,1,1\nb,2,2\n");
    let d = dir.path();
    assert!(build(d, &[]).status.success());
    // existing output without --force
    let o = build(d, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"));
    // bad asset spec
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            "BTC",
            "--secret-file",
            "s.key",
            "--out",
            "t2",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SYMBOL:DECIMALS"), "{}", stderr(&o));
    // bad secret
    std::fs::write(d.join("bad.key"), "not a secret").unwrap();
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8,ETH:18",
            "--secret-file",
            "bad.key",
            "--out",
            "t3",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.key"));
    // unknown user
    let o = por(d, &["tree", "proof", "--tree", "t", "--user", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no customer \"nobody\""));
    // not a tree directory
    let o = por(d, &["tree", "proof", "--tree", ".", "--user", "a"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tree.json"));

    let o = por(
        d,
        &[
            "tree", "proof", "--tree", "t", "--user", "a", "--out", "a.json",
        ],
    );
    assert!(o.status.success());
    let good = std::fs::read_to_string(d.join("a.json")).unwrap();
    let bad_proofs: &[(&str, String, &str)] = &[
        ("not json", "{".into(), "malformed proof"),
        (
            "wrong format",
            good.replace("por-proof-v1", "por-proof-v0"),
            "field `format`",
        ),
        (
            "bad salt",
            good.replacen("\"salt\": \"", "\"salt\": \"zz", 1),
            "salt",
        ),
        (
            "signed balance",
            good.replacen("\"balances\": [\n    \"", "\"balances\": [\n    \"-", 1),
            "sign",
        ),
        (
            "missing field",
            good.replacen("\"index\"", "\"indexx\"", 1),
            "index",
        ),
        ("not utf-8", "\u{0}".into(), "malformed"),
    ];
    for (name, text, needle) in bad_proofs {
        std::fs::write(d.join("p.json"), text).unwrap();
        let o = por(d, &["verify", "--proof", "p.json"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("p.json"), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(needle),
            "{name}: {} lacks {needle}",
            stderr(&o)
        );
    }
    std::fs::write(d.join("p.json"), b"\xff\xff").unwrap();
    let o = por(d, &["verify", "--proof", "p.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not UTF-8"));
    let o = por(d, &["verify", "--proof", "a.json", "--root", "1234"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--root"));
    // clap usage errors are exit 2 as well
    let o = por(d, &["tree", "build"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn assets_from_a_toml_file() {
    let dir = setup(b"user_id,ETH,BTC\na,1,0.5\n");
    std::fs::write(
        dir.path().join("assets.toml"),
        "[[asset]]\nsymbol = \"BTC\"\ndecimals = 8\n\n[[asset]]\nsymbol = \"ETH\"\ndecimals = 18\n",
    )
    .unwrap();
    let o = por(
        dir.path(),
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            "assets.toml",
            "--secret-file",
            "s.key",
            "--out",
            "t",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["totals"]["BTC"], "50000000");
}

#[test]
fn verify_against_a_published_file_and_asset_list() {
    let dir = setup(b"user_id,BTC,ETH\nalice,0.5,1\nbob,2,0.25\ncarol,0,3\n");
    let d = dir.path();
    let o = build(d, &["--json"]);
    assert!(o.status.success());
    std::fs::write(d.join("published.json"), &o.stdout).unwrap();
    let o = por(
        d,
        &[
            "tree", "proof", "--tree", "t", "--user", "alice", "--out", "a.json",
        ],
    );
    assert!(o.status.success());

    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "a.json",
            "--published",
            "published.json",
            "--assets",
            "BTC:8,ETH:18",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("published root, height and totals"));
    assert!(!stdout(&o).contains("NOTE: amounts are shown"));

    // Without --assets, the customer is told the asset list is unchecked.
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "a.json",
            "--published",
            "published.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("NOTE: amounts are shown with the proof file's own asset list"));

    // Decimals changed in the proof: the hash still matches (it covers base
    // units only), so only the published asset list catches it.
    let text = std::fs::read_to_string(d.join("a.json")).unwrap();
    std::fs::write(
        d.join("dec.json"),
        text.replacen("\"decimals\": 8", "\"decimals\": 10", 1),
    )
    .unwrap();
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "dec.json",
            "--published",
            "published.json",
            "--assets",
            "BTC:8,ETH:18",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["failure"]["kind"], "asset-mismatch");

    // A published total that differs from the tree's: not verified.
    let published = std::fs::read_to_string(d.join("published.json")).unwrap();
    std::fs::write(
        d.join("inflated.json"),
        published.replace("\"250000000\"", "\"250000001\""),
    )
    .unwrap();
    let o = por(
        d,
        &[
            "verify",
            "--proof",
            "a.json",
            "--published",
            "inflated.json",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["failure"]["kind"], "root-sum-mismatch");

    // A published file that is not one: exit 2 naming it.
    std::fs::write(d.join("junk.json"), "{\"root\": 1}").unwrap();
    let o = por(
        d,
        &["verify", "--proof", "a.json", "--published", "junk.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("junk.json"));
}

#[cfg(unix)]
#[test]
fn published_outputs_are_world_readable_and_secrets_are_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup(b"user_id,BTC,ETH\na,1,1\nb,2,2\n");
    let d = dir.path();
    std::fs::remove_file(d.join("s.key")).unwrap();
    let o = build(d, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Wrote t.published.json: publish this file"),
        "{}",
        stdout(&o)
    );
    let mode = |p: &str| std::fs::metadata(d.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("s.key"), 0o600);
    // The tree holds every customer's id and balances: owner only.
    assert_eq!(mode("t"), 0o700);
    for f in std::fs::read_dir(d.join("t")).unwrap() {
        let f = f.unwrap().path();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600,
            "{}",
            f.display()
        );
    }
    // The file to publish: everyone may read it, and it is what `por
    // tree build --json` prints.
    assert_eq!(mode("t.published.json"), 0o644);
    let json = build(d, &["--force", "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    assert_eq!(
        std::fs::read_to_string(d.join("t.published.json")).unwrap(),
        stdout(&json)
    );
    assert!(por(
        d,
        &["tree", "proof", "--tree", "t", "--user", "a", "--out", "a.json"]
    )
    .status
    .success());
    assert_eq!(mode("a.json"), 0o644);
    let v = por(
        d,
        &[
            "verify",
            "--proof",
            "a.json",
            "--published",
            "t.published.json",
            "--assets",
            "BTC:8,ETH:18",
        ],
    );
    assert_eq!(v.status.code(), Some(0), "{}{}", stdout(&v), stderr(&v));
    // Proofs before they are handed out, with the index of every id: private.
    assert!(por(
        d,
        &["tree", "export-proofs", "--tree", "t", "--out", "proofs"]
    )
    .status
    .success());
    assert_eq!(mode("proofs"), 0o700);
    assert_eq!(mode("proofs/a.json"), 0o600);
    assert_eq!(mode("proofs/index.csv"), 0o600);
}

#[test]
fn an_existing_publication_is_replaced_only_with_force() {
    let dir = setup(b"user_id,BTC,ETH\na,1,1\nb,2,2\n");
    let d = dir.path();
    std::fs::write(d.join("t.published.json"), "someone else's\n").unwrap();
    let o = build(d, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("t.published.json exists"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("t").exists(), "nothing written");
    assert!(build(d, &["--force"]).status.success());
    assert!(std::fs::read_to_string(d.join("t.published.json"))
        .unwrap()
        .starts_with("{\"root\""));
}

/// Rewrites a version 2 `nodes.bin` (records of hash and sums) as version 1
/// (each level's hashes, then its sums): the layout por wrote before.
fn nodes_v2_to_v1(v2: &[u8]) -> Vec<u8> {
    let u32_at = |o: usize| u32::from_be_bytes(v2[o..o + 4].try_into().unwrap()) as usize;
    assert_eq!(&v2[..8], b"PORNODES");
    assert_eq!(u32_at(8), 2);
    let (k, levels) = (u32_at(12), u32_at(16));
    let head = 20 + 8 * levels;
    let mut out = v2[..head].to_vec();
    out[8..12].copy_from_slice(&1u32.to_be_bytes());
    let mut at = head;
    let record = 32 + 16 * k;
    for l in 0..levels {
        let o = 20 + 8 * l;
        let count = usize::try_from(u64::from_be_bytes(v2[o..o + 8].try_into().unwrap())).unwrap();
        let recs = &v2[at..at + count * record];
        for r in recs.chunks_exact(record) {
            out.extend_from_slice(&r[..32]);
        }
        for r in recs.chunks_exact(record) {
            out.extend_from_slice(&r[32..]);
        }
        at += count * record;
    }
    assert_eq!(at, v2.len());
    out
}

#[test]
fn proofs_read_from_the_directory_match_the_exported_ones() {
    let mut csv = String::from("user_id,BTC,ETH\n");
    for i in 0..41 {
        csv.push_str(&format!("user-{i},{}.{i},{}\n", i % 5, i * 3));
    }
    csv.push_str("\"comma,id\",1,2\nj\u{f6}rg,0,0\n");
    let dir = setup(csv.as_bytes());
    let d = dir.path();
    let o = build(d, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["nodes.bin", "customers.bin", "users.idx", "tree.json"] {
        assert!(d.join("t").join(f).is_file(), "{f}");
    }
    let o = por(d, &["tree", "export-proofs", "--tree", "t", "--out", "p"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = std::fs::read_to_string(d.join("p/index.csv")).unwrap();
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut reader = csv_rows(&index);
    rows.append(&mut reader);
    assert_eq!(rows.len(), 43);
    let check = |rows: &[(String, String)]| {
        for (user, file) in rows {
            let o = por(d, &["tree", "proof", "--tree", "t", "--user", user]);
            assert!(o.status.success(), "{user}: {}", stderr(&o));
            let exported = std::fs::read_to_string(d.join("p").join(file)).unwrap();
            assert_eq!(stdout(&o), format!("{exported}\n"), "{user}");
        }
    };
    check(&rows);

    // A directory written before users.idx and nodes.bin version 2 (format
    // por-tree-dir-v1) is still read, with the same proofs.
    let t = d.join("t");
    let v2 = std::fs::read(t.join("nodes.bin")).unwrap();
    std::fs::write(t.join("nodes.bin"), nodes_v2_to_v1(&v2)).unwrap();
    std::fs::remove_file(t.join("users.idx")).unwrap();
    let summary = std::fs::read_to_string(t.join("tree.json")).unwrap();
    assert!(summary.contains("\"por-tree-dir-v2\""));
    std::fs::write(
        t.join("tree.json"),
        summary.replace("por-tree-dir-v2", "por-tree-dir-v1"),
    )
    .unwrap();
    check(&rows[..5]);
    check(&rows[40..]);
    let o = por(d, &["tree", "export-proofs", "--tree", "t", "--out", "p2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (_, file) in &rows {
        assert_eq!(
            std::fs::read(d.join("p").join(file)).unwrap(),
            std::fs::read(d.join("p2").join(file)).unwrap()
        );
    }

    // A v2 directory whose index is damaged is refused, naming the file.
    std::fs::write(t.join("nodes.bin"), &v2).unwrap();
    std::fs::write(t.join("tree.json"), &summary).unwrap();
    std::fs::write(t.join("users.idx"), b"PORUIDX1").unwrap();
    let o = por(d, &["tree", "proof", "--tree", "t", "--user", "user-1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("users.idx"), "{}", stderr(&o));
}

/// The rows of a two-column CSV (the proofs index): user id and file.
fn csv_rows(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let (user, file) = line.rsplit_once(',').unwrap();
        let user = user
            .strip_prefix('"')
            .and_then(|u| u.strip_suffix('"'))
            .map_or_else(|| user.to_owned(), |u| u.replace("\"\"", "\""));
        out.push((user, file.to_owned()));
    }
    out
}

#[test]
fn a_long_form_export_builds_the_same_tree_as_the_wide_one() {
    let dir = setup(b"user_id,BTC,ETH\nalice,0.5,0\nbob,0,0.25\ncarol,0,0\n");
    let d = dir.path();
    let o = build(d, &["--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let wide = stdout(&o);
    std::fs::write(
        d.join("b.csv"),
        "user_id,asset,amount\nbob,ETH,0.25\nalice,BTC,0.5\ncarol,BTC,0\n",
    )
    .unwrap();
    let o = build(d, &["--json", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), wide);
    std::fs::write(
        d.join("b.csv"),
        "user_id,asset,amount\nbob,ETH,0.25\nalice,BTC,0.5\nbob,ETH,1\n",
    )
    .unwrap();
    let o = build(d, &["--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("b.csv: line 4, column asset: a second ETH balance for user id \"bob\" (the first is on line 2)"),
        "{}",
        stderr(&o)
    );
}
