//! Test support, behind the `test-node` feature (never used by the `por`
//! binary): a real Ethereum node ([`Ganache`]), a small HTTP server for
//! recorded-format tests ([`TestServer`]), and a Bitcoin Core JSON-RPC
//! stand-in serving a hand-made chain in Bitcoin Core's documented formats
//! ([`bitcoin_core`]), so that the audit's tests can reuse them.
#![allow(
    clippy::missing_errors_doc,
    clippy::missing_panics_doc,
    reason = "test support: errors are TestNodeError messages, panics end a test"
)]

use core::fmt;

pub mod bitcoin_core;
mod ganache;
mod server;

pub use ganache::{node_dir, Ganache};
pub use server::{Reply, Request, TestServer};

/// Why the test node could not be started or used. The message names what
/// to do (for example the deps script to run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNodeError(String);

impl fmt::Display for TestNodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TestNodeError {}

fn err(msg: impl Into<String>) -> TestNodeError {
    TestNodeError(msg.into())
}
