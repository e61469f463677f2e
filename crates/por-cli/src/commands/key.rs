//! `por key generate --out FILE`: a new BIP-340 attestation key.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use por_attest::AttestationKey;

use crate::{inputs, Outcome};

/// `por key` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an attestation signing key (BIP-340, secp256k1). The secret is
    /// written as 64 hex digits to a new file readable only by its owner
    /// (mode 0600); an existing file is never overwritten. Prints the public
    /// key to publish and its fingerprint.
    Generate(GenerateArgs),
}

/// Arguments of `por key generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write the secret key (must not exist).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(cmd: KeyCommand) -> Result<Outcome> {
    match cmd {
        KeyCommand::Generate(a) => generate(&a.out),
    }
}

fn generate(out: &Path) -> Result<Outcome> {
    if out.exists() {
        bail!(
            "{} already exists: refusing to overwrite a key (choose another --out)",
            out.display()
        );
    }
    let key = fresh_key()?;
    inputs::write_secret_file(out, format!("{}\n", key.to_secret_hex()).as_bytes())?;
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "secret key:  {} (mode 0600; keep it offline)",
        out.display()
    )?;
    writeln!(o, "public key:  {}", key.public_key_hex())?;
    writeln!(o, "fingerprint: {}", key.fingerprint())?;
    Ok(Outcome::Pass)
}

/// A fresh BIP-340 key from the OS random number generator.
pub(crate) fn fresh_key() -> Result<AttestationKey> {
    loop {
        let mut raw = [0u8; 32];
        getrandom::getrandom(&mut raw)
            .map_err(|e| anyhow::anyhow!("the OS random number generator failed: {e}"))?;
        // A value of zero or at least the group order has probability ~2^-128;
        // draw again rather than fail.
        if let Ok(k) = AttestationKey::from_secret_bytes(&raw) {
            return Ok(k);
        }
    }
}

/// Reads an attestation secret key file (64 hex digits).
pub fn read_key(path: &Path) -> Result<AttestationKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    AttestationKey::from_hex(&text).with_context(|| {
        format!(
            "{}: invalid attestation key (write one with `por key generate`)",
            path.display()
        )
    })
}
