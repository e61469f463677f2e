//! A real Ethereum node: ganache (installed by
//! `scripts/ci/deps-chain.sh` into `tests/node-chain/`), started on
//! 127.0.0.1 on a free port with its deterministic funded accounts, and
//! stopped when dropped. Also deploys the test ERC-20 token (compiled from
//! `tests/node-chain/Token.sol` with solc-js) and collects `personal_sign`
//! signatures from the node's own accounts.
//!
//! Only for tests (feature `test-node`); the `por` binary never starts a node.
#![allow(
    clippy::missing_errors_doc,
    reason = "test support: every error is a TestNodeError message"
)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{err, TestNodeError};
use crate::evm::{parse_quantity, EvmAddress};

/// The folder holding `package.json`, `Token.sol` and `node_modules`.
#[must_use]
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/node-chain")
}

/// A running ganache process; killed on drop.
#[derive(Debug)]
pub struct Ganache {
    child: Child,
    url: String,
    agent: ureq::Agent,
    log: PathBuf,
}

impl Drop for Ganache {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Ganache {
    /// Starts ganache on 127.0.0.1 on a free port with 10 deterministic
    /// accounts holding 1000 ETH each, instant mining (one block per
    /// transaction), and waits until it answers.
    pub fn start() -> Result<Ganache, TestNodeError> {
        let bin = node_dir().join("node_modules/.bin/ganache");
        if !bin.exists() {
            return Err(err(format!(
                "ganache is not installed at {}: run scripts/ci/deps-chain.sh",
                bin.display()
            )));
        }
        let mut last = String::new();
        for _ in 0..3 {
            match Self::start_once(&bin) {
                Ok(g) => return Ok(g),
                Err(e) => last = e.0,
            }
        }
        Err(err(last))
    }

    fn start_once(bin: &Path) -> Result<Ganache, TestNodeError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| err(format!("no free port on 127.0.0.1: {e}")))?
            .port();
        let log = std::env::temp_dir().join(format!("por-ganache-{port}.log"));
        let log_file =
            std::fs::File::create(&log).map_err(|e| err(format!("{}: {e}", log.display())))?;
        let log_err = log_file.try_clone().map_err(|e| err(e.to_string()))?;
        let child = Command::new(bin)
            .args([
                "--server.host",
                "127.0.0.1",
                "--server.port",
                &port.to_string(),
                "--wallet.deterministic",
                "--wallet.totalAccounts",
                "10",
                "--chain.chainId",
                "1337",
                "--logging.quiet",
            ])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|e| {
                err(format!(
                    "cannot run {}: {e} (run scripts/ci/deps-chain.sh)",
                    bin.display()
                ))
            })?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut node = Ganache {
            child,
            url: format!("http://127.0.0.1:{port}"),
            agent,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = node.child.try_wait() {
                let log = std::fs::read_to_string(&node.log).unwrap_or_default();
                return Err(err(format!("ganache exited with {status}: {log}")));
            }
            if node.rpc("eth_blockNumber", json!([])).is_ok() {
                return Ok(node);
            }
            if Instant::now() > deadline {
                return Err(err(format!(
                    "ganache did not answer on {} within 60 s",
                    node.url
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Returns the node's JSON-RPC URL (`http://127.0.0.1:PORT`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls a JSON-RPC method and returns its result.
    pub fn rpc(&self, method: &str, params: Value) -> Result<Value, TestNodeError> {
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let text = self
            .agent
            .post(&self.url)
            .content_type("application/json")
            .send(&body)
            .and_then(|mut r| r.body_mut().read_to_string())
            .map_err(|e| err(format!("{method} at {}: {e}", self.url)))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| err(format!("{method}: {e}: {text}")))?;
        if let Some(e) = v.get("error") {
            return Err(err(format!("{method}: JSON-RPC error {e}")));
        }
        v.get("result")
            .cloned()
            .ok_or_else(|| err(format!("{method}: no result in {text}")))
    }

    /// Returns the node's unlocked accounts.
    pub fn accounts(&self) -> Result<Vec<EvmAddress>, TestNodeError> {
        let v = self.rpc("eth_accounts", json!([]))?;
        v.as_array()
            .ok_or_else(|| err("eth_accounts: not an array"))?
            .iter()
            .map(|a| {
                a.as_str()
                    .ok_or_else(|| err("eth_accounts: not a string"))
                    .and_then(|s| EvmAddress::parse(s).map_err(|e| err(e.to_string())))
            })
            .collect()
    }

    /// Returns the current block number.
    pub fn block_number(&self) -> Result<u64, TestNodeError> {
        let v = self.rpc("eth_blockNumber", json!([]))?;
        quantity(&v)
    }

    /// Returns the hash of the block at `height` (`0x…`).
    pub fn block_hash(&self, height: u64) -> Result<String, TestNodeError> {
        let v = self.rpc(
            "eth_getBlockByNumber",
            json!([format!("0x{height:x}"), false]),
        )?;
        v.get("hash")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| err(format!("no block {height}")))
    }

    /// Sends a transaction from an unlocked account, waits for its receipt
    /// (instant mining: already mined) and returns it; fails if it reverted.
    pub fn send(&self, tx: Value) -> Result<Value, TestNodeError> {
        let hash = self.rpc("eth_sendTransaction", json!([tx]))?;
        let receipt = self.rpc("eth_getTransactionReceipt", json!([hash]))?;
        if receipt.get("status").and_then(Value::as_str) != Some("0x1") {
            return Err(err(format!("transaction failed: {receipt}")));
        }
        Ok(receipt)
    }

    /// Sends `wei` of ETH from `from` to `to` (one block).
    pub fn send_eth(
        &self,
        from: &EvmAddress,
        to: &EvmAddress,
        wei: u128,
    ) -> Result<(), TestNodeError> {
        self.send(
            json!({"from": from.to_lower_hex(), "to": to.to_lower_hex(), "value": format!("0x{wei:x}")}),
        )
        .map(|_| ())
    }

    /// Compiles `Token.sol` with solc-js and deploys it from `from` with
    /// `decimals` and a total `supply` (in base units) credited to `from`.
    pub fn deploy_token(
        &self,
        from: &EvmAddress,
        decimals: u8,
        supply: u128,
    ) -> Result<EvmAddress, TestNodeError> {
        let script = node_dir().join("compile-token.js");
        let out = Command::new("node")
            .arg(&script)
            .output()
            .map_err(|e| err(format!("cannot run node {}: {e}", script.display())))?;
        if !out.status.success() {
            return Err(err(format!(
                "solc-js failed (run scripts/ci/deps-chain.sh): {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let compiled: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| err(format!("compile-token.js output: {e}")))?;
        let bytecode = compiled
            .get("bytecode")
            .and_then(Value::as_str)
            .ok_or_else(|| err("compile-token.js: no bytecode"))?;
        let data = format!("{bytecode}{}{}", word(u128::from(decimals)), word(supply));
        let receipt =
            self.send(json!({"from": from.to_lower_hex(), "data": data, "gas": "0x2dc6c0"}))?;
        let address = receipt
            .get("contractAddress")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("no contract address in {receipt}")))?;
        EvmAddress::parse(address).map_err(|e| err(e.to_string()))
    }

    /// Transfers `amount` base units of `token` from `from` to `to` (one block).
    pub fn transfer_token(
        &self,
        token: &EvmAddress,
        from: &EvmAddress,
        to: &EvmAddress,
        amount: u128,
    ) -> Result<(), TestNodeError> {
        let data = format!("0xa9059cbb{}{}", address_word(to), word(amount));
        self.send(json!({"from": from.to_lower_hex(), "to": token.to_lower_hex(), "data": data}))
            .map(|_| ())
    }

    /// Signs `message` (UTF-8) with EIP-191 `personal_sign` by the node's
    /// account `signer`, and returns the 65-byte signature `r || s || v`.
    pub fn personal_sign(
        &self,
        signer: &EvmAddress,
        message: &str,
    ) -> Result<Vec<u8>, TestNodeError> {
        let data = format!("0x{}", hex::encode(message.as_bytes()));
        // Ganache 7 has no `personal_sign` method; its `eth_sign(address, data)` signs
        // keccak256("\x19Ethereum Signed Message:\n" + len + data) (ethereumjs
        // `hashPersonalMessage`), which is exactly what `personal_sign` signs. Nodes that do
        // have `personal_sign` (geth, anvil) are asked for it first.
        let v = match self.rpc("personal_sign", json!([data, signer.to_lower_hex()])) {
            Ok(v) => v,
            Err(e) if e.0.contains("does not exist") => {
                self.rpc("eth_sign", json!([signer.to_lower_hex(), data]))?
            }
            Err(e) => return Err(e),
        };
        let s = v
            .as_str()
            .ok_or_else(|| err("personal_sign: not a string"))?;
        let bytes = hex::decode(s.trim_start_matches("0x"))
            .map_err(|e| err(format!("personal_sign: {e}")))?;
        if bytes.len() != 65 {
            return Err(err(format!(
                "personal_sign: {} bytes, expected 65",
                bytes.len()
            )));
        }
        Ok(bytes)
    }
}

fn quantity(v: &Value) -> Result<u64, TestNodeError> {
    let s = v
        .as_str()
        .ok_or_else(|| err(format!("{v} is not a quantity")))?;
    let n = parse_quantity(s).map_err(|e| err(e.to_string()))?;
    u64::try_from(n).map_err(|_| err(format!("{s} is not a block number")))
}

fn word(n: u128) -> String {
    format!("{n:064x}")
}

fn address_word(a: &EvmAddress) -> String {
    format!("{}{}", "0".repeat(24), hex::encode(a.to_byte_array()))
}
