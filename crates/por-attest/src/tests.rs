use super::*;

const BODY: &str = include_str!("../../../vectors/attestation-v1-body.example.json");

fn key() -> AttestationKey {
    AttestationKey::from_secret_bytes(&[7; 32]).unwrap()
}

/// The example body with the test key: the example's all-zero key is no
/// valid x-only key, so it is replaced in the JSON before it is read.
fn body_value() -> Value {
    let mut v: Value = serde_json::from_str(BODY).unwrap();
    v["exchange"]["public_key"] = Value::String(key().public_key_hex());
    v
}

fn body() -> Attestation {
    serde_json::from_value(body_value()).unwrap()
}

fn signed() -> String {
    body().sign(&key(), &[0; 32]).unwrap()
}

/// Every row of BIP-340's `test-vectors.csv` (bitcoin/bips, copied into
/// `vectors/external/bip340` with its provenance): signing with the given
/// secret key and aux_rand reproduces the signature exactly, and
/// verification gives the expected result.
#[test]
fn bip340_official_vectors() {
    let csv = include_str!("../../../vectors/external/bip340/test-vectors.csv");
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.splitn(8, ',').collect();
        let (index, sk, pk, aux, msg, sig, result) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        let pk = hex::decode(pk).unwrap();
        let msg = hex::decode(msg).unwrap();
        let sig = hex::decode(sig).unwrap();
        if !sk.is_empty() {
            let sk: [u8; 32] = hex::decode(sk).unwrap().try_into().unwrap();
            let aux: [u8; 32] = hex::decode(aux).unwrap().try_into().unwrap();
            let ours = sign_bip340(&sk, &msg, &aux).unwrap();
            assert_eq!(ours.to_vec(), sig, "vector {index}: signature");
            let k = AttestationKey::from_secret_bytes(&sk).unwrap();
            assert_eq!(k.public_key_hex(), hex::encode(&pk), "vector {index}: key");
        }
        let ok = verify_bip340(&pk, &msg, &sig).is_ok();
        assert_eq!(ok, result == "TRUE", "vector {index}: verification");
        rows += 1;
    }
    assert_eq!(rows, 15);
}

#[test]
fn sign_then_verify() {
    let text = signed();
    let parsed = ParsedAttestation::from_json(&text).unwrap();
    let id = parsed.id();
    let v = parsed.verify_signature().unwrap();
    assert_eq!(v.body(), &body());
    assert_eq!(v.id(), id);
    assert_eq!(v.key_fingerprint(), key().fingerprint());
    let (assets, root) = v.root_commitment().unwrap();
    assert_eq!(assets.len(), 3);
    assert_eq!(root.height, 17);
    assert_eq!(root.sums[1].to_base_units(), 2_000_000_000_000_000_000_000);
    // The layout does not matter, only the canonical form.
    let compact: Value = serde_json::from_str(&text).unwrap();
    let compact = serde_json::to_string(&compact).unwrap();
    let again = ParsedAttestation::from_json(&compact).unwrap();
    assert_eq!(again.id(), id);
    again.verify_signature().unwrap();
    // With the expected key, and with another.
    ParsedAttestation::from_json(&text)
        .unwrap()
        .verify_signature_with_key(&key().public_key())
        .unwrap();
    let other = AttestationKey::from_secret_bytes(&[8; 32]).unwrap();
    let e = ParsedAttestation::from_json(&text)
        .unwrap()
        .verify_signature_with_key(&other.public_key())
        .unwrap_err();
    assert_eq!(e.kind(), "unexpected-key");
}

/// The signed message is SHA-256 of the JCS form without `signature`,
/// computed here independently of `sign` (by sorting with serde_json's
/// BTreeMap, valid for these ASCII names) and checked with k256 directly.
#[test]
fn signature_covers_the_canonical_form() {
    let text = signed();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let sig = v.as_object_mut().unwrap().remove("signature").unwrap();
    let canonical = serde_json::to_string(&v).unwrap(); // sorted keys, no spaces
    assert_eq!(canonical, jcs::canonicalize(&v).unwrap());
    let digest = Sha256::digest(canonical.as_bytes());
    let sig = hex::decode(sig.as_str().unwrap()).unwrap();
    let pk = hex::decode(key().public_key_hex()).unwrap();
    verify_bip340(&pk, &digest, &sig).unwrap();
}

#[test]
fn tampering_breaks_the_signature() {
    let text = signed();
    for (from, to) in [
        ("\"160000000000\"", "\"160000000001\""),
        ("\"cold\"", "\"hot\""),
        ("\"height\": 870000", "\"height\": 870001"),
        ("\"customers\": 100000", "\"customers\": 99999"),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let e = ParsedAttestation::from_json(&bad)
            .unwrap()
            .verify_signature()
            .unwrap_err();
        assert_eq!(e.kind(), "bad-signature", "{from}");
    }
}

#[test]
fn sign_refuses_a_body_naming_another_key() {
    let mut b = body();
    b.exchange.public_key = AttestationKey::from_secret_bytes(&[9; 32])
        .unwrap()
        .public_key();
    assert!(matches!(
        b.sign(&key(), &[0; 32]),
        Err(SignError::KeyMismatch { .. })
    ));
}

fn parse_err(text: &str) -> FormatError {
    ParsedAttestation::from_json(text).unwrap_err()
}

fn edit(f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&signed()).unwrap();
    f(&mut v);
    serde_json::to_string(&v).unwrap()
}

#[test]
fn malformed_documents_name_the_field() {
    let e = parse_err(&edit(|v| {
        v["reserves"][1]["claimed"] = Value::String("12.5".into());
    }));
    assert_eq!(e.kind(), "json");
    assert!(e.to_string().contains("reserves[1].claimed"), "{e}");

    let e = parse_err(&edit(|v| {
        v["reserves"][0]["claimed"] = serde_json::json!(160_000_000_000u64);
    }));
    assert!(e.to_string().contains("reserves[0].claimed"), "{e}");

    let e = parse_err(&edit(|v| {
        v["reserves"][0]["tier"] = Value::String("lukewarm".into());
    }));
    assert!(e.to_string().contains("reserves[0].tier"), "{e}");

    let e = parse_err(&edit(|v| {
        v["extra"] = Value::Bool(true);
    }));
    assert!(e.to_string().contains("extra"), "{e}");

    let e = parse_err(&edit(|v| {
        v.as_object_mut().unwrap().remove("signature");
    }));
    assert_eq!(e, FormatError::MissingSignature);

    let e = parse_err(&edit(|v| {
        v["signature"] = Value::String("ab".into());
    }));
    assert_eq!(e.kind(), "signature-encoding");

    let e = parse_err(&edit(|v| {
        v["exchange"]["public_key"] = Value::String("f".repeat(64));
    }));
    assert_eq!(e.kind(), "public-key");

    let e = parse_err(&edit(|v| {
        v["format"] = Value::String("por-attestation-v2".into());
    }));
    assert_eq!(e.kind(), "format");

    for (field, time) in [
        ("snapshot.time", "2026-11-21 00:00:00Z"),
        ("snapshot.time", "2026-02-29T00:00:00Z"),
        ("snapshot.time", "2026-11-21T00:00:00+09:00"),
        ("snapshot.time", "2026-11-21T24:00:00Z"),
    ] {
        let e = parse_err(&edit(|v| {
            v["snapshot"]["time"] = Value::String(time.into());
        }));
        assert!(e.to_string().contains(field), "{time}: {e}");
    }
    let ok = edit(|v| {
        v["snapshot"]["time"] = Value::String("2024-02-29T23:59:59.125Z".into());
    });
    // Parses (the signature then fails: the time is signed).
    assert!(ParsedAttestation::from_json(&ok).is_ok());

    let e = parse_err(&edit(|v| {
        v["reserves"][0]["asset"] = Value::String("ETH".into());
    }));
    assert!(e.to_string().contains("reserves[0].asset"), "{e}");
    assert!(e.to_string().contains("not \"bitcoin\""), "{e}");

    let e = parse_err(&edit(|v| {
        v["chains"][1]["chain"] = Value::String("bitcoin".into());
    }));
    assert!(e.to_string().contains("listed twice"), "{e}");

    let e = parse_err(&edit(|v| {
        v["liabilities"]["totals"][0]["asset"] = Value::String("DOGE".into());
    }));
    assert!(e.to_string().contains("liabilities.totals[0].asset"), "{e}");

    let e = parse_err(&edit(|v| {
        v["previous"] = Value::String("abc".into());
    }));
    assert!(e.to_string().contains("previous"), "{e}");

    let e = parse_err(&edit(|v| {
        v["chains"][0]["height"] = serde_json::json!(1.5);
    }));
    assert!(e.to_string().contains("chains[0].height"), "{e}");

    let e = parse_err(&edit(|v| {
        v["reserve_inputs"] =
            serde_json::json!({"file": "r.toml", "sha256": "0".repeat(64), "embedded": "x"});
    }));
    assert!(e.to_string().contains("reserve_inputs.embedded"), "{e}");

    let dup = signed().replacen("\"format\"", "\"format\": \"x\", \"format\"", 1);
    let e = parse_err(&dup);
    assert!(e.to_string().contains("duplicate member name"), "{e}");

    for junk in ["", "[]", "null", "{", "\"x\""] {
        assert!(ParsedAttestation::from_json(junk).is_err(), "{junk:?}");
    }
}

#[test]
fn keys_round_trip_and_bad_keys_are_refused() {
    let k = key();
    let again = AttestationKey::from_hex(&format!("{}\n", k.to_secret_hex())).unwrap();
    assert_eq!(again.public_key_hex(), k.public_key_hex());
    assert_eq!(k.fingerprint().len(), 16);
    assert_eq!(
        AttestationKey::from_hex("zz").unwrap_err(),
        KeyError::Encoding
    );
    assert_eq!(
        AttestationKey::from_secret_bytes(&[0; 32]).unwrap_err(),
        KeyError::Invalid
    );
    assert_eq!(
        AttestationKey::from_secret_bytes(&[0xff; 32]).unwrap_err(),
        KeyError::Invalid
    );
    assert!(!format!("{k:?}").contains(&k.to_secret_hex()));
}

#[test]
fn previous_links_to_the_id() {
    let first = signed();
    let first_id = ParsedAttestation::from_json(&first).unwrap().id();
    // The id is SHA-256 of the JCS form of the whole document.
    let v = jcs::parse_strict(&first).unwrap();
    let expect = Sha256::digest(jcs::canonicalize(&v).unwrap().as_bytes());
    assert_eq!(first_id.0.as_slice(), expect.as_slice());
    let mut b = body();
    b.previous = Some(first_id);
    let second = b.sign(&key(), &[1; 32]).unwrap();
    let v = ParsedAttestation::from_json(&second)
        .unwrap()
        .verify_signature()
        .unwrap();
    assert_eq!(v.body().previous, Some(first_id));
}

/// `vectors/attestation-v1.json`: each case parses and verifies, or fails
/// with the recorded kind.
#[test]
fn attestation_vectors() {
    let text = include_str!("../../../vectors/attestation-v1.json");
    let file: Value = serde_json::from_str(text).unwrap();
    assert_eq!(file["format"], "por-attestation-vectors-v1");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let doc = case["document"].as_str().unwrap();
        let expected = case["expected"].as_str().unwrap();
        let got = match ParsedAttestation::from_json(doc) {
            Err(e) => e.kind().to_owned(),
            Ok(p) => {
                let id = p.id().to_hex();
                match p.verify_signature() {
                    Err(e) => e.kind().to_owned(),
                    Ok(_) => {
                        if let Some(want) = case.get("id").and_then(Value::as_str) {
                            assert_eq!(id, want, "{name}: id");
                        }
                        "valid".to_owned()
                    }
                }
            }
        };
        assert_eq!(got, expected, "{name}");
    }
}

/// Writes `vectors/attestation-v1.json` (run with `--ignored` after a
/// format change; the file is committed and checked by `attestation_vectors`).
#[test]
#[ignore = "regenerates the committed vector file"]
fn regenerate_vectors() {
    let valid = signed();
    let id = ParsedAttestation::from_json(&valid).unwrap().id().to_hex();
    let mut cases = vec![serde_json::json!({
        "name": "valid", "description": "a signed attestation (secret key 0707..07, aux_rand 00..00)",
        "document": valid, "expected": "valid", "id": id,
    })];
    let mut add = |name: &str, description: &str, doc: String, expected: &str| {
        cases.push(serde_json::json!({"name": name, "description": description, "document": doc, "expected": expected}));
    };
    add(
        "claimed-balance-raised",
        "one satoshi added to a claimed balance after signing",
        valid.replacen("\"160000000000\"", "\"160000000001\"", 1),
        "bad-signature",
    );
    add(
        "tier-changed",
        "a hot wallet relabelled after signing",
        valid.replacen("\"hot\"", "\"cold\"", 1),
        "bad-signature",
    );
    add(
        "previous-set",
        "a previous link added after signing",
        edit(|v| v["previous"] = Value::String("ab".repeat(32))),
        "bad-signature",
    );
    add(
        "signature-bit-flipped",
        "the last hex digit of the signature changed",
        edit(|v| {
            let s = v["signature"].as_str().unwrap().to_owned();
            let last = if s.ends_with('0') { "1" } else { "0" };
            v["signature"] = Value::String(format!("{}{last}", &s[..127]));
        }),
        "bad-signature",
    );
    add(
        "other-key",
        "the public key replaced by another valid key",
        edit(|v| {
            v["exchange"]["public_key"] = Value::String(
                AttestationKey::from_secret_bytes(&[8; 32])
                    .unwrap()
                    .public_key_hex(),
            )
        }),
        "bad-signature",
    );
    add(
        "unsigned",
        "no signature member",
        edit(|v| {
            v.as_object_mut().unwrap().remove("signature");
        }),
        "missing-signature",
    );
    add(
        "amount-as-number",
        "a claimed balance written as a JSON number",
        edit(|v| v["reserves"][0]["claimed"] = serde_json::json!(160_000_000_000u64)),
        "json",
    );
    add(
        "claimed-leading-zeros",
        "a claimed balance written with a leading zero (\"0160000000000\"): one value, one spelling",
        edit(|v| v["reserves"][0]["claimed"] = Value::String("0160000000000".into())),
        "json",
    );
    add(
        "root-upper-case",
        "the liabilities root with an upper-case hex digit: one value, one spelling",
        edit(|v| {
            let r = v["liabilities"]["root"].as_str().unwrap().to_uppercase();
            v["liabilities"]["root"] = Value::String(r);
        }),
        "json",
    );
    add(
        "fractional-number",
        "a fractional number (outside the canonical subset)",
        edit(|v| v["chains"][0]["height"] = serde_json::json!(870_000.5)),
        "number",
    );
    add(
        "duplicate-member",
        "a member name repeated (I-JSON forbids it)",
        valid.replacen(
            "\"format\"",
            "\"format\": \"por-attestation-v1\", \"format\"",
            1,
        ),
        "json",
    );
    add(
        "unknown-chain",
        "a reserve on a chain with no block listed",
        edit(|v| v["reserves"][0]["chain"] = Value::String("litecoin".into())),
        "inconsistent",
    );
    add(
        "key-not-on-curve",
        "a public key that is no x coordinate on secp256k1 (BIP-340 vector 5's key)",
        edit(|v| {
            v["exchange"]["public_key"] = Value::String(
                "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34".into(),
            )
        }),
        "public-key",
    );
    add(
        "wrong-format",
        "format por-attestation-v2",
        edit(|v| v["format"] = Value::String("por-attestation-v2".into())),
        "format",
    );
    let file = serde_json::json!({
        "format": "por-attestation-vectors-v1",
        "description": "por-attestation-v1 documents with the expected outcome of parse + verify_signature: valid, or the error kind (FormatError::kind / SignatureError::kind). See vectors/README.md and docs/attestation.md.",
        "secret_key": key().to_secret_hex(),
        "public_key": key().public_key_hex(),
        "cases": cases,
    });
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/attestation-v1.json"
    );
    std::fs::write(path, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
}

fn run_python_checker(vectors: &std::path::Path) -> std::process::Output {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    std::process::Command::new("python3")
        .arg(format!("{root}/vectors/check_attestation_v1.py"))
        .arg(vectors)
        .arg(format!("{root}/vectors/external/bip340/test-vectors.csv"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (install Python 3): {e}"))
}

/// `vectors/check_attestation_v1.py`, written from the format description,
/// RFC 8785 and BIP-340 with Python's standard library only, reaches every
/// recorded outcome and id (and BIP-340's official verification results);
/// it does report a changed verdict.
#[test]
fn independent_python_checker_agrees() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/attestation-v1.json"
    ));
    let o = run_python_checker(path);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("0 disagreement(s)"), "{out}");

    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["cases"][1]["expected"] = Value::String("valid".into());
    let dir = std::env::temp_dir().join(format!("por-attestation-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changed = dir.join("changed.json");
    std::fs::write(&changed, serde_json::to_string(&file).unwrap()).unwrap();
    let o = run_python_checker(&changed);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("DISAGREEMENT: case claimed-balance-raised")
    );
}

#[test]
fn snapshot_times_order_as_instants_not_as_text() {
    use super::SnapshotTime;
    let t = |s: &str| SnapshotTime::parse(s).unwrap();
    // As text "…00.9Z" < "…00Z" and "…00.5Z" > "…00Z": both wrong.
    assert!(t("2026-11-21T00:00:00.9Z") > t("2026-11-21T00:00:00Z"));
    assert!(t("2026-11-21T00:00:00.5Z") > t("2026-11-21T00:00:00Z"));
    assert!(t("2026-11-21T00:00:00.05Z") < t("2026-11-21T00:00:00.1Z"));
    assert_eq!(t("2026-11-21T00:00:00.50Z"), t("2026-11-21T00:00:00.5Z"));
    assert_eq!(t("2026-11-21T00:00:00.000Z"), t("2026-11-21T00:00:00Z"));
    assert!(t("2026-11-21T00:00:01Z") > t("2026-11-21T00:00:00.999999Z"));
    assert!(t("2027-01-01T00:00:00Z") > t("2026-12-31T23:59:59.9Z"));
    assert!(SnapshotTime::parse("2026-11-21 00:00:00Z").is_err());
}

/// Offsets are converted to UTC; the expected values are Python's
/// `datetime.fromisoformat(t).astimezone(timezone.utc)`.
#[test]
fn times_with_offsets_are_normalised_to_utc() {
    for (given, utc) in [
        ("2026-12-01T00:00:00+09:00", "2026-11-30T15:00:00Z"),
        ("2024-03-01T05:30:00+09:00", "2024-02-29T20:30:00Z"),
        ("2026-12-31T20:00:00.50-05:00", "2027-01-01T01:00:00.50Z"),
        ("2024-02-28T23:59:59-00:30", "2024-02-29T00:29:59Z"),
        ("2026-11-21T00:00:00+00:00", "2026-11-21T00:00:00Z"),
        ("2026-11-21T00:00:00-00:00", "2026-11-21T00:00:00Z"),
        ("2026-11-21T00:00:00Z", "2026-11-21T00:00:00Z"),
    ] {
        let got = normalize_time(given).unwrap_or_else(|e| panic!("{given}: {e}"));
        assert_eq!(got, utc, "{given}");
        assert!(SnapshotTime::parse(&got).is_ok(), "{got}");
    }
    for bad in [
        "",
        "2026-12-01T00:00:00",
        "2026-12-01T00:00:00+9:00",
        "2026-12-01T00:00:00+09:60",
        "2026-12-01T00:00:00+24:00",
        "2026-12-01T00:00:00+0900",
        "2026-02-30T00:00:00+09:00",
        "2026-12-01 00:00:00+09:00",
        "0000-01-01T08:00:00+09:00",
        "9999-12-31T20:00:00-05:00",
        "2026-12-01T00:00:00+09:0é",
    ] {
        assert!(normalize_time(bad).is_err(), "{bad}");
    }
}

/// Attestations carrying a format v2 root (the `por-root-v2` of the first
/// tree of `vectors/tree-v2.json`, BTC exact and ETH in units of 100 wei).
#[cfg(feature = "v2")]
mod v2 {
    use super::*;
    use crate::publication::{check_proof_v2, PublishedRoot};
    use por_tree::customer::{CustomerVerdict, NotVerifiedCause};

    const VECTORS: &str = include_str!("../../../vectors/tree-v2.json");

    fn vectors() -> Value {
        serde_json::from_str(VECTORS).unwrap()
    }

    fn section() -> LiabilitiesV2 {
        serde_json::from_value(vectors()["trees"][0]["root"].clone()).unwrap()
    }

    fn v2_body(l: LiabilitiesV2) -> Attestation {
        let mut b = body();
        b.liabilities = l.into();
        b
    }

    fn parse_err(b: &Attestation) -> FormatError {
        parse_err_value(serde_json::to_value(b).unwrap())
    }

    fn parse_err_value(mut value: Value) -> FormatError {
        // Sign without the checks `sign` makes, to see what the parser says.
        let digest = Sha256::digest(jcs::canonicalize(&value).unwrap().as_bytes());
        let sig = key().0.sign_raw(&digest, &[0; 32]).unwrap();
        value["signature"] = Value::String(hex::encode(sig.to_bytes()));
        ParsedAttestation::from_json(&value.to_string()).unwrap_err()
    }

    #[test]
    fn signs_parses_and_opens() {
        let text = v2_body(section()).sign(&key(), &[0; 32]).unwrap();
        let v = ParsedAttestation::from_json(&text)
            .unwrap()
            .verify_signature()
            .unwrap();
        let l = &v.body().liabilities;
        assert_eq!(l.v2(), Some(&section()));
        assert_eq!(l.customers(), None);
        assert_eq!(l.tree_format(), 2);
        // The section is the published document, member for member.
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["liabilities"], vectors()["trees"][0]["root"]);
        // Solvency totals: units × 10^e (ETH: 10020000000000000001 × 100).
        let t = l.totals().unwrap();
        assert_eq!(t[0].amount.to_base_units(), 100_150_000_042);
        assert_eq!(t[1].amount.to_base_units(), 1_002_000_000_000_000_000_100);
        // No v1 root commitment to check v1 proofs against.
        assert!(v.root_commitment().is_err());
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut l = section();
        l.format = "por-root-v3".into();
        let e = parse_err(&v2_body(l));
        assert!(e.to_string().contains("`liabilities.format`"), "{e}");

        let mut b = v2_body(section());
        b.assets[1].decimals = 9;
        let e = parse_err(&b);
        assert!(
            e.to_string().contains("liabilities.assets[1].decimals"),
            "{e}"
        );

        let mut l = section();
        l.blindings[0] = "ff".repeat(32);
        let e = parse_err(&v2_body(l));
        assert!(e.to_string().contains("liabilities.blindings[0]"), "{e}");

        let mut l = section();
        l.totals[1] = "18446744073709551616".into();
        let e = parse_err(&v2_body(l));
        assert!(e.to_string().contains("liabilities.totals[1]"), "{e}");

        let mut l = section();
        l.height = 0;
        let e = parse_err(&v2_body(l));
        assert!(e.to_string().contains("liabilities.height"), "{e}");

        // A customer count is not a v2 member.
        let mut value = serde_json::to_value(v2_body(section())).unwrap();
        value["liabilities"]["customers"] = Value::from(3);
        let e = parse_err_value(value);
        assert!(e.to_string().contains("customers"), "{e}");
    }

    #[test]
    fn customer_proof_against_the_attestation() {
        let v = vectors();
        let proof_json = v["valid"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["tree"] == 0)
            .unwrap()["proof"]
            .to_string();
        let proof = por_tree::v2::ProofV2::from_json(&proof_json).unwrap();
        let text = v2_body(section()).sign(&key(), &[0; 32]).unwrap();
        let published = PublishedRoot::parse(&text).unwrap();
        let r = check_proof_v2(&proof, Some(&published));
        assert_eq!(r.verdict, CustomerVerdict::Verified, "{r:?}");
        assert!(r.totals_published);

        // The por-root-v2 itself is read by the same reader.
        let root = PublishedRoot::parse(&v["trees"][0]["root"].to_string()).unwrap();
        assert_eq!(
            check_proof_v2(&proof, Some(&root)).verdict,
            CustomerVerdict::Verified
        );

        // A total changed and signed again: the root does not open.
        let mut l = section();
        l.totals[0] = "100150000041".into();
        let text = v2_body(l).sign(&key(), &[0; 32]).unwrap();
        let r = check_proof_v2(&proof, Some(&PublishedRoot::parse(&text).unwrap()));
        assert_eq!(
            r.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers)
        );
        assert_eq!(r.failure.unwrap().as_str(), "root-opening-mismatch");

        // Changed after signing: untrusted, nothing compared.
        let mut doc: Value =
            serde_json::from_str(&v2_body(section()).sign(&key(), &[0; 32]).unwrap()).unwrap();
        doc["liabilities"]["totals"][0] = Value::String("1".into());
        let r = check_proof_v2(
            &proof,
            Some(&PublishedRoot::parse(&doc.to_string()).unwrap()),
        );
        assert_eq!(
            r.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::PublicationUntrusted)
        );
        assert_eq!(r.signature_error.unwrap().kind(), "bad-signature");

        // A v1 attestation cannot be a v2 proof's root.
        let r = check_proof_v2(&proof, Some(&PublishedRoot::parse(&signed()).unwrap()));
        assert_eq!(
            r.verdict,
            CustomerVerdict::NotVerified(NotVerifiedCause::RootDiffers)
        );
        assert!(r.format_mismatch.unwrap().contains("format v1"));
    }
}

/// The typed attestation writes back exactly the members it was read from
/// (the signature covers them): known chains and schemes typed, other names
/// (an alias such as `btc` is another name) kept as written, block hashes
/// with and without `0x`, the time's fraction as written.
#[test]
fn typed_members_read_back_to_the_same_document() {
    let v = body_value();
    let b: Attestation = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&b).unwrap(), v);
    assert_eq!(b.chains[0].chain, AttestedChain::Known(Chain::Bitcoin));
    assert!(!b.chains[0].block_hash.is_prefixed());
    assert!(b.chains[1].block_hash.is_prefixed());
    assert_eq!(b.exchange.public_key, key().public_key());

    let mut v = body_value();
    for c in v["chains"].as_array_mut().unwrap() {
        if c["chain"] == "ethereum" {
            c["chain"] = Value::String("solana".into());
        }
    }
    for a in v["assets"].as_array_mut().unwrap() {
        if a["chain"] == "ethereum" {
            a["chain"] = Value::String("solana".into());
        }
    }
    for r in v["reserves"].as_array_mut().unwrap() {
        if r["chain"] == "ethereum" {
            r["chain"] = Value::String("solana".into());
        }
        r["proof"]["scheme"] = Value::String("some-future-scheme".into());
    }
    v["snapshot"]["time"] = Value::String("2026-11-21T00:00:00.50Z".into());
    let b: Attestation = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&b).unwrap(), v);
    assert_eq!(b.chains[1].chain.known(), None);
    assert_eq!(b.chains[1].chain.as_str(), "solana");
    assert_eq!(b.reserves[0].proof.scheme.known(), None);
    assert_eq!(b.snapshot.time.to_string(), "2026-11-21T00:00:00.50Z");
    // Signed and read again: the same typed value, the same bytes signed.
    let text = b.sign(&key(), &[0; 32]).unwrap();
    let again = ParsedAttestation::from_json(&text)
        .unwrap()
        .verify_signature()
        .unwrap();
    assert_eq!(again.body(), &b);

    // An alias is not the chain's name in files: kept as written.
    assert_eq!(
        AttestedChain::from_name("btc"),
        AttestedChain::from_name("btc")
    );
    assert_eq!(AttestedChain::from_name("btc").known(), None);
    assert_eq!(
        AttestedScheme::from_name("okx-multisig").known(),
        Some(SchemeRequest::OkxMultisig)
    );
}

/// The builder's `build` refuses what the parser refuses, naming the member.
#[test]
fn the_builder_checks_as_the_parser_does() {
    let b = body();
    let rebuilt = Attestation::builder(b.exchange.clone(), b.snapshot.clone())
        .chains(b.chains.clone())
        .assets(b.assets.clone())
        .reserves(b.reserves.clone())
        .reserve_inputs(b.reserve_inputs.clone())
        .previous(b.previous)
        .build(b.liabilities.clone())
        .unwrap();
    assert_eq!(rebuilt, b);
    let mut entry = b.reserves[0].clone();
    entry.chain = AttestedChain::Known(Chain::Tron);
    let e = Attestation::builder(b.exchange.clone(), b.snapshot.clone())
        .chains(b.chains.clone())
        .assets(b.assets.clone())
        .reserve(entry)
        .build(b.liabilities.clone())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed attestation: field `reserves[0].chain`: chain \"tron\" is not in `chains`"
    );
}
