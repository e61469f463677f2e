//! One module per subcommand.

pub mod serve;
pub mod tree;
pub mod verify;
