//! Arbitrary bytes as an ownership claims file: this project's CSV and JSON,
//! OKX's and HTX's proof-of-reserves CSVs. Nothing may panic, every error
//! displays, reading is deterministic, every row has a 1-based line, and
//! each of the first 4 rows (each may take several signature recoveries)
//! gets a deterministic verdict from `verify_row`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_ownership::file::{read_claims, verify_row};
use por_ownership::VerifyOptions;

fuzz_target!(|data: &[u8]| {
    let first = read_claims(data);
    assert_eq!(first, read_claims(data), "reading is deterministic");
    let (layout, rows) = match first {
        Err(e) => {
            let _ = e.to_string();
            return;
        }
        Ok(r) => r,
    };
    let _ = layout.as_str();
    let opts = VerifyOptions::default();
    for row in rows.iter().take(4) {
        assert!(row.line >= 1, "lines are 1-based");
        let verdict = verify_row(row, &opts);
        assert_eq!(
            verdict,
            verify_row(row, &opts),
            "the verdict is deterministic"
        );
        let _ = format!("{verdict:?}");
    }
});
