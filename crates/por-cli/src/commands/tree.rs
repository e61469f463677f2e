//! `por tree ...`

use clap::Subcommand;

use crate::Outcome;

/// `por tree` subcommands.
#[derive(Debug, Subcommand)]
pub enum TreeCommand {}

pub fn run(cmd: TreeCommand) -> anyhow::Result<Outcome> {
    match cmd {}
}
