//! One module per subcommand.

pub mod ownership;
pub mod reserve;
pub mod tree;
pub mod verify;
