//! One module per subcommand.

pub mod demo;
pub mod chain;
pub mod reserve;
pub mod serve;
pub mod tree;
pub mod verify;
