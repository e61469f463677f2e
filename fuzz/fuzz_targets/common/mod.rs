//! The input shape shared by the structured targets: a few selector bytes
//! read with `arbitrary`, then text fields separated by the byte 0x1F (ASCII
//! unit separator). Seeds are easy to write (`fuzz/seed_corpus.py`) and the
//! fuzzer mutates each field without disturbing the others.
#![allow(dead_code)]

use arbitrary::{Result, Unstructured};

/// The field separator.
pub const SEP: u8 = 0x1f;

/// A selector: one byte, reduced modulo `n` (0 when the input is exhausted).
pub fn pick(u: &mut Unstructured<'_>, n: u8) -> Result<u8> {
    Ok(u.arbitrary::<u8>()? % n)
}

/// The rest of the input as text fields (invalid UTF-8 replaced).
pub fn fields(u: Unstructured<'_>) -> Vec<String> {
    u.take_rest()
        .split(|b| *b == SEP)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Field `i`, or `""` when there are fewer fields.
pub fn field(f: &[String], i: usize) -> &str {
    f.get(i).map_or("", String::as_str)
}

/// Field `i`, or `None` when it is absent or empty.
pub fn opt_field(f: &[String], i: usize) -> Option<&str> {
    f.get(i).map(String::as_str).filter(|s| !s.is_empty())
}
