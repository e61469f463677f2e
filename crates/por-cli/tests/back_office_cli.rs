//! A balances export as a Japanese back office writes it: CP932 (Shift-JIS),
//! `;`-separated, an extra `email` column, empty cells. With the options that
//! say so it builds the same root as the clean UTF-8 export; without them
//! every refusal names the line, the column and the option.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;
use std::process::{Command, Output};

fn por(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_por"))
        .args(args)
        .output()
        .expect("run por")
}

fn build(dir: &Path, csv: &str, out: &str, extra: &[&str]) -> Output {
    let secret = dir.join("secret");
    let mut args = vec![
        "tree",
        "build",
        "--balances",
        csv,
        "--assets",
        "BTC:8,ETH:18",
        "--secret-file",
        secret.to_str().unwrap(),
        "--out",
        out,
        "--json",
    ];
    args.extend_from_slice(extra);
    por(&args)
}

#[test]
fn a_cp932_semicolon_export_with_extra_columns_builds_the_clean_root() {
    let tmp = std::env::temp_dir().join(format!("por-back-office-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("secret"), [9u8; 32]).unwrap();

    // "山田" in UTF-8 and, written by hand, in CP932 (8E 52 93 63).
    let clean = "user_id,BTC,ETH\n\u{5c71}\u{7530},0.5,0\nbob,0,2\n";
    let mut export: Vec<u8> = b"email;ETH;user_id;BTC\r\nyamada@example.jp;;".to_vec();
    export.extend_from_slice(&[0x8E, 0x52, 0x93, 0x63]);
    export.extend_from_slice(b";0.5\r\nbob@example.com;2;bob;\r\n");
    let clean_path = tmp.join("clean.csv");
    let export_path = tmp.join("export.csv");
    std::fs::write(&clean_path, clean).unwrap();
    std::fs::write(&export_path, &export).unwrap();
    let (clean_path, export_path) = (clean_path.to_str().unwrap(), export_path.to_str().unwrap());

    let a = build(&tmp, clean_path, tmp.join("t1").to_str().unwrap(), &[]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = build(
        &tmp,
        export_path,
        tmp.join("t2").to_str().unwrap(),
        &[
            "--encoding",
            "cp932",
            "--ignore-column",
            "email",
            "--empty-as-zero",
        ],
    );
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let root = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v["root"].clone(), v["height"].clone(), v["totals"].clone())
    };
    assert_eq!(root(&a), root(&b));

    // Each missing option is named by the error, with file and line.
    let out = tmp.join("t3");
    let out = out.to_str().unwrap();
    let e = build(&tmp, export_path, out, &[]);
    let msg = String::from_utf8_lossy(&e.stderr);
    assert_eq!(e.status.code(), Some(2), "{msg}");
    assert!(
        msg.contains(&format!(
            "{export_path}: line 1, column 1: unknown column \"email\""
        )),
        "{msg}"
    );
    assert!(msg.contains("--ignore-column"), "{msg}");

    let e = build(
        &tmp,
        export_path,
        out,
        &["--ignore-column", "email", "--empty-as-zero"],
    );
    let msg = String::from_utf8_lossy(&e.stderr);
    assert_eq!(e.status.code(), Some(2), "{msg}");
    assert!(
        msg.contains(&format!(
            "{export_path}: line 2, column 3: \"\\x8eR\\x93c\" is not valid UTF-8; the file does decode as CP932"
        )),
        "{msg}"
    );
    assert!(msg.contains("pass `--encoding cp932`"), "{msg}");

    let e = build(
        &tmp,
        export_path,
        out,
        &["--encoding", "cp932", "--ignore-column", "email"],
    );
    let msg = String::from_utf8_lossy(&e.stderr);
    assert_eq!(e.status.code(), Some(2), "{msg}");
    assert!(
        msg.contains("line 2, column 2 (ETH): empty amount"),
        "{msg}"
    );
    assert!(msg.contains("--empty-as-zero"), "{msg}");
    assert!(!Path::new(out).exists(), "no partial output");

    // A UTF-8 file is not read as CP932 (its ids would silently change).
    let e = build(&tmp, clean_path, out, &["--encoding", "cp932"]);
    let msg = String::from_utf8_lossy(&e.stderr);
    assert_eq!(e.status.code(), Some(2), "{msg}");
    assert!(msg.contains("is valid UTF-8"), "{msg}");
    assert!(!Path::new(out).exists(), "no partial output");

    let _ = std::fs::remove_dir_all(&tmp);
}
