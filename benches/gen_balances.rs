//! Writes a synthetic balances export: `gen-balances N K FILE.csv`.
//! The same customers and balances as the criterion benchmarks.
//!
//! `gen-balances N K FILE.csv --long H` writes the long form
//! (`user_id,asset,amount`) instead, customer `i` holding between 1 and
//! `2H - 1` of the K assets (H on average), each a non-zero balance.

#![allow(clippy::print_stderr, reason = "a small command-line tool")]

use std::io::{BufWriter, Write};

use por_benches::{assets, balance, user_id};
use por_tree::Amount;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 6 && args[4] == "--long" {
        return long_form(&args);
    }
    if args.len() != 4 {
        eprintln!("usage: gen-balances N K FILE.csv [--long H]");
        std::process::exit(2);
    }
    let (Ok(n), Ok(k)) = (args[1].parse::<usize>(), args[2].parse::<usize>()) else {
        eprintln!("N and K must be integers");
        std::process::exit(2);
    };
    let assets = assets(k);
    let mut w = BufWriter::with_capacity(1 << 22, std::fs::File::create(&args[3])?);
    write!(w, "user_id")?;
    for a in &assets {
        write!(w, ",{}", a.symbol())?;
    }
    writeln!(w)?;
    for i in 0..n {
        w.write_all(user_id(i).as_bytes())?;
        for (j, a) in assets.iter().enumerate() {
            write!(
                w,
                ",{}",
                Amount::from_base_units(balance(i, j)).display_in(a.decimals())
            )?;
        }
        writeln!(w)?;
    }
    w.flush()
}

/// The long form: customer `i` holds `1 + i * 7919 % (2H - 1)` assets.
fn long_form(args: &[String]) -> std::io::Result<()> {
    let (Ok(n), Ok(k), Ok(h)) = (
        args[1].parse::<usize>(),
        args[2].parse::<usize>(),
        args[5].parse::<usize>(),
    ) else {
        eprintln!("N, K and H must be integers");
        std::process::exit(2);
    };
    if h == 0 || 2 * h - 1 > k {
        eprintln!("H must be between 1 and (K + 1) / 2");
        std::process::exit(2);
    }
    let assets = assets(k);
    // a step coprime with k visits distinct assets
    let step = (1..=k)
        .rev()
        .find(|s| gcd(*s, k) == 1 && *s * 2 < k.max(3))
        .unwrap_or(1);
    let mut w = BufWriter::with_capacity(1 << 22, std::fs::File::create(&args[3])?);
    writeln!(w, "user_id,asset,amount")?;
    for i in 0..n {
        let held = 1 + (i.wrapping_mul(7919)) % (2 * h - 1);
        let uid = user_id(i);
        for t in 0..held {
            let j = (i.wrapping_mul(31) + t * step) % k;
            let a = assets.get(j).expect("j < k");
            let amount = balance(i, j).max(1);
            writeln!(
                w,
                "{uid},{},{}",
                a.symbol(),
                Amount::from_base_units(amount).display_in(a.decimals())
            )?;
        }
    }
    w.flush()
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
