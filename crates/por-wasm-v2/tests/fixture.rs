//! The three-asset proof at height 32 the browser tests time
//! (`tests/browser/v2.test.mjs`): built here from a small ledger and a fixed
//! secret with `por_tree::v2` (as `por tree build --format v2` and
//! `por tree proof` do), committed under `tests/fixtures/`, and checked to be
//! exactly what the build gives (regenerate with `UPDATE_FIXTURES=1`).
//!
//! ETH's column (18 decimals) totals more than 2^64 wei, so its proof unit
//! is larger than one wei and balances are rounded up: the page must say so.

use por_tree::v2::TreeV2;
use por_tree::{AssetList, Ledger, SnapshotSecret};

const LEDGER: &str = "user_id,BTC,ETH,USDT
alice,0.5,1.000000000000000001,1500.25
bob,2,0,0
carol,0.00000001,123.456,0.000001
dave,10,0.000000000000000001,999999.999999
erin,0,5,42
";

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/three-assets-h32")
}

#[test]
fn the_three_asset_fixture_is_what_the_build_gives_and_verifies() {
    let assets = AssetList::from_spec("BTC:8,ETH:18,USDT:6").expect("assets");
    let ledger = Ledger::from_csv(LEDGER.as_bytes(), &assets).expect("ledger");
    let secret = SnapshotSecret::from_byte_array([0x44; 32]);
    let tree = TreeV2::build(&assets, &ledger, &secret, 32).expect("build");
    let root = tree.root().to_json() + "\n";
    let proof = tree.proof("alice").expect("alice").to_json() + "\n";
    let dir = fixtures();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("root.json"), &root).expect("write");
        std::fs::write(dir.join("proof-alice.json"), &proof).expect("write");
        std::fs::write(dir.join("ledger.csv"), LEDGER).expect("write");
    }
    let read = |n: &str| {
        std::fs::read_to_string(dir.join(n)).expect("fixture (UPDATE_FIXTURES=1 writes it)")
    };
    assert_eq!(
        read("root.json"),
        root,
        "root.json is stale: UPDATE_FIXTURES=1"
    );
    assert_eq!(
        read("proof-alice.json"),
        proof,
        "proof-alice.json is stale: UPDATE_FIXTURES=1"
    );
    assert_eq!(read("ledger.csv"), LEDGER);

    let attestation = attestation(&root);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(dir.join("attestation.json"), &attestation).expect("write");
    }
    assert_eq!(
        read("attestation.json"),
        attestation,
        "attestation.json is stale: UPDATE_FIXTURES=1"
    );

    let r = por_wasm_v2::check_json(&proof, &root);
    assert_eq!(r["verdict"], "verified", "{r}");
    assert_eq!(r["height"], 32);
    assert_eq!(r["range_proofs"]["commitments"], 96);
    // 96 commitments: one aggregated range proof, padded to 128 parties.
    assert_eq!(r["range_proofs"]["padded_to"], 128);
    // The file stays within issue 12's 8,000 bytes.
    assert!(proof.len() <= 8_000, "{} bytes", proof.len());
    let eth = &r["assets"][1];
    assert_eq!(eth["symbol"], "ETH");
    assert_ne!(eth["unit_exponent"], 0);
    assert_eq!(eth["balance"], "1.000000000000000001");
    assert_eq!(eth["rounded_up"], true);
}

/// The key that signs the fixture's attestation (a test key: its secret is
/// here for everyone to read).
pub const ATTESTATION_KEY: [u8; 32] = [0x51; 32];

/// The signed attestation (`por-attestation-v1`) carrying the fixture's
/// `por-root-v2` as its liabilities: the example body of
/// `vectors/attestation-v1-body.example.json` (same assets, BTC:8, ETH:18,
/// USDT:6), its key, and the v2 root in place of the v1 root; signed by
/// `por_attest` (BIP-340, JCS) with zero auxiliary randomness, so the bytes
/// are fixed. The browser tests check the page against it
/// (`tests/browser/v2.test.mjs`).
fn attestation(root: &str) -> String {
    let key = por_attest::AttestationKey::from_secret_bytes(&ATTESTATION_KEY).expect("key");
    let mut body: serde_json::Value = serde_json::from_str(include_str!(
        "../../../vectors/attestation-v1-body.example.json"
    ))
    .expect("example body");
    body["exchange"]["public_key"] = serde_json::Value::String(key.public_key_hex());
    body["liabilities"] = serde_json::from_str(root).expect("root");
    let body: por_attest::Attestation = serde_json::from_value(body).expect("body");
    body.sign(&key, &[0; 32]).expect("sign") + "\n"
}

/// The native baseline of the page's timing (`tests/browser/v2.test.mjs`):
/// the same check of the same proof, first (with the range proofs'
/// generators made) and then five times warm. Run with
/// `cargo test -p por-wasm-v2 --test fixture -- --ignored --nocapture`.
#[test]
#[ignore = "a timing, printed; run on demand beside the browser test"]
fn native_timing_of_the_three_asset_check() {
    let dir = fixtures();
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).expect("fixture");
    let (proof, root) = (read("proof-alice.json"), read("root.json"));
    // Wall time, and this process's CPU time (user + system, Linux
    // /proc/self/stat, in ticks of 10 ms) for comparison with the page's.
    let cpu_ms = || {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        (ticks(11) + ticks(12)) * 10
    };
    let time = || {
        let (t, c) = (std::time::Instant::now(), cpu_ms());
        let r = por_wasm_v2::check_json(&proof, &root);
        assert_eq!(r["verdict"], "verified");
        (t.elapsed().as_secs_f64() * 1000.0, cpu_ms() - c)
    };
    let first = time();
    let mut warm: Vec<(f64, u64)> = (0..5).map(|_| time()).collect();
    warm.sort_by(|a, b| a.0.total_cmp(&b.0));
    #[allow(clippy::print_stdout)]
    {
        println!(
            "native v2 check (3 assets, height 32): first {:.1} ms ({} ms CPU), warm {:.1?} ms, CPU {:?} ms",
            first.0,
            first.1,
            warm.iter().map(|w| w.0).collect::<Vec<_>>(),
            warm.iter().map(|w| w.1).collect::<Vec<_>>()
        );
    }
}
