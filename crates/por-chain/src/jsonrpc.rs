//! The JSON-RPC envelope shared by the Bitcoin Core and EVM sources: ids,
//! the call log, HTTP errors, RPC errors and malformed replies, each naming
//! the endpoint and the method.

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::http::{snippet, Client};
use crate::{Call, SourceError};

/// A JSON-RPC endpoint (`"jsonrpc": "1.0"` for Bitcoin Core, `"2.0"` for EVM nodes).
#[derive(Debug)]
pub(crate) struct JsonRpc {
    client: Client,
    next_id: Cell<u64>,
    version: &'static str,
}

#[derive(Deserialize)]
struct RpcEnvelope<'a> {
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    error: Option<RpcErrorObject>,
}

#[derive(Deserialize)]
struct RpcErrorObject {
    code: i64,
    message: String,
}

impl JsonRpc {
    pub(crate) fn new(client: Client, version: &'static str) -> Self {
        JsonRpc {
            client,
            next_id: Cell::new(1),
            version,
        }
    }

    /// The endpoint without credentials, for errors and provenance.
    pub(crate) fn endpoint(&self) -> String {
        self.client.endpoint().to_string()
    }

    pub(crate) fn malformed(&self, call: &str, detail: String) -> SourceError {
        SourceError::Malformed {
            endpoint: self.endpoint(),
            call: call.to_owned(),
            detail,
        }
    }

    /// Calls `method`, logs the call in `calls`, and passes the text of its
    /// `result` to `f` (whose error becomes a "malformed reply" naming the call).
    pub(crate) fn call_raw<T>(
        &self,
        calls: &mut Vec<Call>,
        method: &str,
        params: serde_json::Value,
        detail: String,
        slow: bool,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SourceError> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let body = serde_json::json!({"jsonrpc": self.version, "id": id, "method": method, "params": params})
            .to_string();
        calls.push(Call {
            method: method.to_owned(),
            detail,
        });
        let response = self.client.request(method, "", Some(&body), slow)?;
        let envelope: RpcEnvelope<'_> = serde_json::from_str(&response.body).map_err(|e| {
            if (200..300).contains(&response.status) {
                self.malformed(
                    method,
                    format!(
                        "not a JSON-RPC response ({e}): {:?}",
                        snippet(&response.body)
                    ),
                )
            } else {
                SourceError::Http {
                    endpoint: self.endpoint(),
                    call: method.to_owned(),
                    status: response.status,
                    body: snippet(&response.body),
                }
            }
        })?;
        if let Some(e) = envelope.error {
            return Err(SourceError::Rpc {
                endpoint: self.endpoint(),
                call: method.to_owned(),
                code: e.code,
                message: e.message,
            });
        }
        // serde reads `"result": null` as `None`; a missing result is read the same way
        // and then refused by the result's type unless that type accepts null.
        let result = envelope.result.map_or("null", RawValue::get);
        f(result).map_err(|detail| self.malformed(method, detail))
    }

    /// [`JsonRpc::call_raw`] deserialising the result as `T`.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        calls: &mut Vec<Call>,
        method: &str,
        params: serde_json::Value,
        detail: String,
        slow: bool,
    ) -> Result<T, SourceError> {
        self.call_raw(calls, method, params, detail, slow, typed)
    }
}

/// Deserialises a result's text, describing a mismatch with a snippet of it.
pub(crate) fn typed<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("{e} in result {:?}", snippet(text)))
}
