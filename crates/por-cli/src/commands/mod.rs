//! One module per subcommand.

pub mod chain;
pub mod reserve;
pub mod tree;
pub mod verify;
