//! One module per subcommand.

pub mod reserve;
pub mod tree;
pub mod verify;
