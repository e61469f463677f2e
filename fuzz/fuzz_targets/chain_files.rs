//! The offline balances file and the addresses file of `por-chain`.
//! Input: a mode byte (0 balances file, 1 addresses file), then the bytes.
//!
//! Nothing may panic and errors display (file, line, column). Every row of
//! a balances file that parses states its identity exactly when the file
//! has the `contract` column; such a file round-trips: written back with
//! `rows_to_csv` it parses to the same rows (line numbers aside); a file
//! without the column is refused by `rows_to_csv`. Every row is found by its
//! own (chain, address, asset). An addresses file that parses has 1-based,
//! increasing lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_chain::{addresses, balances_file};

fuzz_target!(|data: &[u8]| {
    let [mode, bytes @ ..] = data else {
        return;
    };
    if mode % 2 == 1 {
        match addresses::parse(bytes, "addresses.csv") {
            Err(e) => {
                let _ = (e.to_string(), e.file(), e.line(), e.column());
            }
            Ok(rows) => {
                assert!(!rows.is_empty());
                assert!(rows.windows(2).all(|w| w[0].line < w[1].line));
                assert!(rows.iter().all(|r| r.line >= 2), "line 1 is the header");
            }
        }
        return;
    }
    let file = match balances_file::parse(bytes, "balances.csv") {
        Err(e) => {
            let _ = (e.to_string(), e.file(), e.line(), e.column(), e.kind());
            return;
        }
        Ok(f) => f,
    };
    for r in file.rows() {
        assert!(
            file.find(r.chain(), &r.address, &r.asset).is_some(),
            "a row is found by its own key"
        );
        let _ = file.snapshot_of(r.chain());
        assert_eq!(
            r.identity.stated().is_some(),
            file.states_contracts(),
            "a row states its identity exactly in a file with the contract column"
        );
    }
    let text = match balances_file::rows_to_csv(file.rows()) {
        Ok(text) => text,
        Err(e) => {
            assert!(!file.states_contracts(), "{e}");
            return;
        }
    };
    let again = balances_file::parse(text.as_bytes(), "again.csv")
        .unwrap_or_else(|e| panic!("a written file parses: {e}\n{text}"));
    let strip = |rows: &[balances_file::BalanceRow]| {
        rows.iter()
            .map(|r| balances_file::BalanceRow {
                line: 0,
                ..r.clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(again.rows()),
        strip(file.rows()),
        "write / parse round trip"
    );
});
