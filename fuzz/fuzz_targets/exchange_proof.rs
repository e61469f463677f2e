//! Other exchanges' customer proofs (`por verify` on a file it must
//! recognise, the page's future `check_exchange_proof`): `por_interop`'s
//! detector and every adapter on fuzzed text.
//!
//! Input: one selector byte (0: recognise by structure; 1..=10: the format
//! `Format::ALL[n - 1]`; bit 0x80: give a BitMEX nonce), then UTF-8 text;
//! a NUL byte splits it into the proof and a second file (OKX v2's tree).
//!
//! - Never panics; detection and the check are deterministic.
//! - A recognised file checks the same with and without `--format`.
//! - The exit code follows the verdict; weaknesses are sorted and distinct.
//! - A valid proof compared with the root it leads to stays valid and is
//!   compared; with another root it becomes invalid at `publication`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use por_interop::{check, detect, Customer, Format, Input, Published, Verdict};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (proof, tree) = match text.split_once('\0') {
        Some((p, t)) => (p, Some(t)),
        None => (text, None),
    };
    let d = detect(proof);
    assert_eq!(d, detect(proof), "deterministic detection");
    let _ = d.to_string();
    let format = match sel & 0x7f {
        0 => None,
        n => match Format::ALL.get(usize::from(n) - 1) {
            Some(f) => Some(*f),
            None => return,
        },
    };
    let customer = Customer {
        account: (sel & 0x80 != 0).then_some(2),
        nonce: (sel & 0x80 != 0).then(|| vec![0x5a; 32]),
        account_nonce: None,
    };
    let input = Input {
        proof,
        tree,
        customer: &customer,
        published: Published::Nothing,
    };
    let first = check(&input, format);
    assert_eq!(first, check(&input, format), "deterministic check");
    if format.is_none() {
        if let Some(f) = d.format() {
            assert_eq!(first, check(&input, Some(f)), "detection and --format agree");
        }
    }
    let Ok(report) = first else {
        return;
    };
    let mut sorted = report.weaknesses.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, report.weaknesses);
    match &report.verdict {
        Verdict::Invalid { .. } => assert_eq!(report.exit_code(), 1),
        _ => assert_eq!(report.exit_code(), 3, "nothing was given to compare"),
    }
    if report.verdict == Verdict::Valid && report.format != Format::PorV1 {
        if let Some(root) = report.root.clone() {
            let same = check(&Input { published: Published::Root(&root), ..input }, Some(report.format))
                .expect("the same input reads again");
            assert_eq!(same.verdict, Verdict::Valid);
            assert!(same.compared_with_publication);
            let other = if root.starts_with('0') { "1" } else { "0" }.repeat(root.len());
            let diff = check(&Input { published: Published::Root(&other), ..input }, Some(report.format))
                .expect("the same input reads again");
            assert!(matches!(&diff.verdict, Verdict::Invalid { step, .. } if step == "publication"));
        }
    }
});
