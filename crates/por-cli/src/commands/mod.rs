//! One module per subcommand.

pub mod ownership;
pub mod tree;
pub mod verify;
