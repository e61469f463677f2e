//! One module per subcommand.

pub mod tree;
pub mod verify;
