//! `por attest --time` with a UTC offset: the attestation format requires
//! UTC, so `2026-12-01T00:00:00+09:00` is signed as `2026-11-30T15:00:00Z`
//! and the command prints the time it signed. The wallet is signed by
//! bip322-js (`scripts/ci/deps-ownership.sh`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;
use support::{
    bip322_js_signatures, canonical_message, code, por_in as por, stderr, stdout, tree_fixture,
};

#[test]
fn a_time_with_an_offset_is_signed_in_utc_and_printed() {
    let dir = tree_fixture(b"user_id,BTC\nalice,1\n");
    let d = dir.path();
    let o = por(
        d,
        &[
            "tree",
            "build",
            "--balances",
            "b.csv",
            "--assets",
            "BTC:8",
            "--secret-file",
            "s.key",
            "--out",
            "t",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("t.published.json")).unwrap())
            .unwrap();
    let root = published["root"].as_str().unwrap();
    let sig = bip322_js_signatures(&canonical_message("X", "S", root))
        .into_iter()
        .find(|s| s.kind == "p2wpkh")
        .unwrap();
    std::fs::write(
        d.join("r.csv"),
        format!(
            "chain,address,asset,category,tier,balance,scheme,message,signature\n\
             bitcoin,{},BTC,customer,cold,1,auto,,{}\n",
            sig.address, sig.signature
        ),
    )
    .unwrap();
    assert_eq!(code(&por(d, &["key", "generate", "--out", "k.hex"])), 0);
    let attest = |time: &str, out: &str| {
        por(
            d,
            &[
                "attest",
                "--tree",
                "t",
                "--reserves",
                "r.csv",
                "--exchange",
                "X",
                "--snapshot",
                "S",
                "--time",
                time,
                "--chain",
                "bitcoin=1:0000000000000000000000000000000000000000000000000000000000000000",
                "--key",
                "k.hex",
                "--out",
                out,
            ],
        )
    };

    let o = attest("2026-12-01T00:00:00+09:00", "a.json");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains(
            "time:        2026-11-30T15:00:00Z (UTC; --time was 2026-12-01T00:00:00+09:00)"
        ),
        "{}",
        stdout(&o)
    );
    let att: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a.json")).unwrap()).unwrap();
    assert_eq!(att["snapshot"]["time"], "2026-11-30T15:00:00Z");

    // A UTC time is signed as given.
    let o = attest("2026-11-30T15:00:00Z", "b.json");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("time:        2026-11-30T15:00:00Z\n"),
        "{}",
        stdout(&o)
    );

    // A malformed offset is bad input, named, and nothing is written.
    let o = attest("2026-12-01T00:00:00+9", "c.json");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--time (snapshot.time): expected an RFC 3339 time"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("c.json").exists());
}
