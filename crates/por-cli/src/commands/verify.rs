//! `por verify`

use crate::Outcome;

/// Arguments of `por verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {}

pub fn run(_args: &VerifyArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet")
}
