//! One module per subcommand.

pub mod attest;
pub mod audit;
pub mod chain;
pub mod demo;
pub mod distribution;
pub mod key;
pub mod ownership;
pub mod reserve;
pub mod reserve_compare_html;
pub mod serve;
pub mod tree;
pub mod tree_v2;
pub mod verify;
pub mod verify_interop;
