//! One module per subcommand.

pub mod chain;
pub mod tree;
pub mod verify;
