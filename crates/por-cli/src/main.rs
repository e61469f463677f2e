//! `por`: the proof-of-reserves command line.
//!
//! Exit codes: 0 pass / verified, 1 fail / not verified, 2 bad input or
//! usage, 3 incomplete or unverifiable (nothing failed, but something could
//! not be checked, so nothing may be called a pass).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a CLI prints its results and diagnostics"
)]

mod commands;
mod inputs;
mod output;
mod progress;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Proof of reserves: liabilities trees, customer proofs, wallet ownership, audits.
#[derive(Debug, Parser)]
#[command(name = "por", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// In the order a newcomer meets them: the demo, then the exchange's steps,
/// the customer's check, and the regulator's.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole system on a synthetic exchange: tree, proofs, signed
    /// wallets, chain snapshot, attestation, audit, liability reserve, the browser page's folder.
    Demo(commands::demo::DemoArgs),
    /// Build a liabilities tree and export customer proofs.
    #[command(subcommand)]
    Tree(commands::tree::TreeCommand),
    /// Check that an exchange controls its reserve wallets (BIP-322, signed messages, EIP-191, OKX/HTX files).
    #[command(subcommand)]
    Ownership(commands::ownership::OwnershipCommand),
    /// Read balances at a snapshot height from a chain source.
    #[command(subcommand)]
    Chain(commands::chain::ChainCommand),
    /// Attestation signing keys (BIP-340).
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Sign the exchange's attestation for a snapshot (por-attestation-v1).
    Attest(commands::attest::AttestArgs),
    /// Verify a customer's inclusion proof.
    Verify(commands::verify::VerifyArgs),
    /// Serve the browser verifier and a directory of published files on 127.0.0.1.
    Serve(commands::serve::ServeArgs),
    /// Audit attestations: signatures, ownership, on-chain balances, solvency,
    /// segregation, duplicates, the tree, customer proofs, the liability reserve.
    Audit(commands::audit::AuditArgs),
    /// Liability reserve requirement, Japanese segregation checks, hack stress tests.
    #[command(subcommand)]
    Reserve(commands::reserve::ReserveCommand),
    /// The administrator's pro-rata distribution: plan, customer proofs, signed statement, check.
    #[command(subcommand)]
    Distribution(commands::distribution::DistributionCommand),
}

/// What a command concluded, when it ran to the end: the outcome every por
/// crate shares, as exit code 0 (pass), 1 (fail) or 3 (incomplete, never a
/// pass). Bad input is an error, exit 2.
pub use por_types::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tree(c) => commands::tree::run(c),
        Command::Verify(a) => commands::verify::run(&a),
        Command::Ownership(c) => commands::ownership::run(c),
        Command::Serve(a) => commands::serve::run(&a),
        Command::Reserve(c) => commands::reserve::run(c),
        Command::Demo(a) => commands::demo::run(&a),
        Command::Chain(c) => commands::chain::run(c),
        Command::Key(c) => commands::key::run(c),
        Command::Attest(a) => commands::attest::run(&a),
        Command::Audit(a) => commands::audit::run(&a),
        Command::Distribution(c) => commands::distribution::run(c),
    };
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Ok(Outcome::Incomplete) => ExitCode::from(3),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
