//! A Bitcoin Core JSON-RPC stand-in serving the hand-made chain of
//! `tests/fixtures/bitcoin-core/` (see its README): tip 103, snapshot 100,
//! results in Bitcoin Core's documented formats and JSON-RPC 1.0 envelopes
//! (errors as HTTP 500, unknown methods as HTTP 404), cookie authentication.
//!
//! Balances at height 100: [`ADDRESS_A`] 50,012,345 sat, [`ADDRESS_B`]
//! 100,000,000 sat; at 101: 20,002,345 and 130,000,000; at the tip 103:
//! 220,002,345 and 30,000,000.

use serde_json::Value;

use super::server::{Reply, Request};

/// A P2WPKH address of the chain (BIP-173 test vector).
pub const ADDRESS_A: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
/// A P2WSH address of the chain (BIP-173 test vector).
pub const ADDRESS_B: &str = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3";
/// The content of the node's `.cookie` file.
pub const COOKIE: &str =
    "__cookie__:5c1e0e7e5a3b4f0f9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddcc";
/// The tip height.
pub const TIP: u64 = 103;

const BLOCK_HASHES: &str = include_str!("../../tests/fixtures/bitcoin-core/blockhashes.json");
const SCAN: &str = include_str!("../../tests/fixtures/bitcoin-core/scantxoutset.json");
const VALIDATE_A: &str = include_str!("../../tests/fixtures/bitcoin-core/validateaddress-A.json");
const VALIDATE_B: &str = include_str!("../../tests/fixtures/bitcoin-core/validateaddress-B.json");
const VALIDATE_INVALID: &str =
    include_str!("../../tests/fixtures/bitcoin-core/validateaddress-invalid.json");
const BLOCKS: [&str; 3] = [
    include_str!("../../tests/fixtures/bitcoin-core/getblock-101.json"),
    include_str!("../../tests/fixtures/bitcoin-core/getblock-102.json"),
    include_str!("../../tests/fixtures/bitcoin-core/getblock-103.json"),
];

/// Returns the hash of the block at `height` (95 to 103), as Bitcoin Core
/// displays it.
#[must_use]
pub fn block_hash(height: u64) -> Option<String> {
    let hashes: Value = serde_json::from_str(BLOCK_HASHES).ok()?;
    hashes.get(height.to_string())?.as_str().map(str::to_owned)
}

/// Returns a handler answering like the node. With `block_100` set, the
/// node reports that hash at height 100 (as if it had followed another
/// branch there), so a walk back from the tip does not reach it.
pub fn handler(block_100: Option<String>) -> impl Fn(&Request) -> Reply + Send + Sync {
    move |req: &Request| answer(req, block_100.as_deref())
}

fn ok(id: &Value, result: &str) -> Reply {
    Reply::json(
        200,
        format!(r#"{{"result":{result},"error":null,"id":{id}}}"#),
    )
}

fn rpc_error(id: &Value, status: u16, code: i64, message: &str) -> Reply {
    Reply::json(
        status,
        format!(
            r#"{{"result":null,"error":{{"code":{code},"message":{}}},"id":{id}}}"#,
            Value::from(message)
        ),
    )
}

fn answer(req: &Request, block_100: Option<&str>) -> Reply {
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(COOKIE)
    );
    if req.header("authorization") != Some(expected.as_str()) {
        return Reply::text(401, "");
    }
    let Ok(call) = serde_json::from_str::<Value>(&req.body) else {
        return rpc_error(&Value::Null, 500, -32700, "Parse error");
    };
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let params = call
        .get("params")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let param = |i: usize| params.get(i).cloned().unwrap_or(Value::Null);
    let bad = |what: &str| rpc_error(&id, 500, -8, what);
    match call.get("method").and_then(Value::as_str).unwrap_or("") {
        "getblockhash" => {
            let Some(h) = param(0).as_u64() else {
                return bad("height must be an integer");
            };
            if h > TIP {
                return rpc_error(&id, 500, -8, "Block height out of range");
            }
            let hash = match (block_100, h) {
                (Some(other), 100) => Some(other.to_owned()),
                _ => block_hash(h),
            };
            match hash {
                Some(hash) => ok(&id, &Value::from(hash).to_string()),
                None => bad("the fixture has blocks 95 to 103 only"),
            }
        }
        "getblockcount" => ok(&id, &TIP.to_string()),
        "validateaddress" => match param(0).as_str() {
            Some(ADDRESS_A) => ok(&id, VALIDATE_A),
            Some(ADDRESS_B) => ok(&id, VALIDATE_B),
            _ => ok(&id, VALIDATE_INVALID),
        },
        "scantxoutset" => {
            let descriptors_ok = param(0) == "start"
                && param(1).as_array().is_some_and(|ds| {
                    ds.iter().all(|d| {
                        d.as_str()
                            .is_some_and(|d| d.starts_with("raw(") && d.ends_with(')'))
                    })
                });
            if descriptors_ok {
                ok(&id, SCAN)
            } else {
                bad("expected [\"start\", [\"raw(...)\", ...]]")
            }
        }
        "getblock" => {
            if param(1) != 3 {
                return bad("the fixture serves verbosity 3 only");
            }
            let wanted = param(0);
            let found = (101..=TIP)
                .zip(BLOCKS)
                .find(|(h, _)| block_hash(*h).is_some_and(|b| wanted == b.as_str()));
            match found {
                Some((_, json)) => ok(&id, json),
                None => rpc_error(&id, 500, -5, "Block not found"),
            }
        }
        m => rpc_error(&id, 404, -32601, &format!("Method not found: {m}")),
    }
}
