//! One module per subcommand.

pub mod chain;
pub mod demo;
pub mod ownership;
pub mod reserve;
pub mod serve;
pub mod tree;
pub mod verify;
