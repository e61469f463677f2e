//! Writes a synthetic balances export: `gen-balances N K FILE.csv`.
//! The same customers and balances as the criterion benchmarks.

#![allow(clippy::print_stderr, reason = "a small command-line tool")]

use std::io::{BufWriter, Write};

use por_benches::{assets, balance, user_id};
use por_tree::Amount;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: gen-balances N K FILE.csv");
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
