//! Endpoints and the blocking HTTP client shared by the network sources:
//! timeouts, retries with exponential backoff for transient failures, and
//! errors that name the endpoint (credentials stripped) and the call.

use core::fmt;
use std::thread;
use std::time::Duration;

use base64::Engine as _;

use crate::SourceError;

/// The largest response body read (a mainnet `getblock` at verbosity 3 is a
/// few megabytes; this leaves a wide margin and still bounds memory).
const MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

/// An HTTP(S) endpoint: its URL without credentials, and the credentials
/// (`user:password` from the URL or a cookie file) kept apart so that they are
/// never displayed.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]` and the base path, without a trailing `/`.
    base: String,
    credentials: Option<String>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &self.base)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl fmt::Display for Endpoint {
    /// The URL without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

/// A URL that is not an `http://` or `https://` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// The URL does not start with `http://` or `https://`.
    Scheme(String),
    /// The URL has no host.
    NoHost(String),
    /// The URL has a query or fragment, or a character outside printable ASCII.
    Invalid(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::Scheme(u) => write!(
                f,
                "invalid endpoint {u:?}: expected a URL starting with http:// or https://"
            ),
            EndpointError::NoHost(u) => write!(f, "invalid endpoint {u:?}: no host"),
            EndpointError::Invalid(u) => write!(
                f,
                "invalid endpoint {u:?}: expected printable ASCII without a query (?) or fragment (#)"
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

impl Endpoint {
    /// Parses `http[s]://[user:password@]host[:port][/path]`. Credentials in
    /// the URL are taken out of it; the displayed endpoint never shows them.
    ///
    /// # Errors
    ///
    /// Returns an [`EndpointError`] for another scheme, a missing host, a
    /// query or fragment, or a non-printable or non-ASCII character. The
    /// error shows the URL with any credentials removed.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = por_chain::Endpoint::parse("http://alice:secret@127.0.0.1:8332/")?;
    /// assert_eq!(e.to_string(), "http://127.0.0.1:8332");
    /// assert!(e.has_credentials());
    /// # Ok::<_, por_chain::EndpointError>(())
    /// ```
    pub fn parse(url: &str) -> Result<Endpoint, EndpointError> {
        let (scheme, rest) = if let Some(r) = url.strip_prefix("http://") {
            ("http://", r)
        } else if let Some(r) = url.strip_prefix("https://") {
            ("https://", r)
        } else {
            return Err(EndpointError::Scheme(redact(url)));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (credentials, host) = match authority.rfind('@') {
            Some(i) => (Some(percent_decode(&authority[..i])), &authority[i + 1..]),
            None => (None, authority),
        };
        let shown = format!("{scheme}{host}{path}");
        if host.is_empty() || host.starts_with(':') {
            return Err(EndpointError::NoHost(shown));
        }
        if !shown.bytes().all(|b| b.is_ascii_graphic()) || shown.contains(['?', '#']) {
            return Err(EndpointError::Invalid(shown));
        }
        let base = shown.trim_end_matches('/').to_owned();
        Ok(Endpoint { base, credentials })
    }

    /// Replaces the credentials (`user:password`, as in a Bitcoin Core
    /// `.cookie` file).
    #[must_use]
    pub fn with_credentials(mut self, user_password: &str) -> Self {
        self.credentials = Some(user_password.to_owned());
        self
    }

    /// Returns true if credentials will be sent.
    #[must_use]
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// Returns the URL of `path` (which starts with `/`) under this endpoint.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorization(&self) -> Option<String> {
        self.credentials.as_ref().map(|c| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(c.as_bytes())
            )
        })
    }
}

/// Decodes `%XX` escapes in URL credentials (a password with `@` or `:` is
/// written `%40`, `%3A`); an invalid escape is kept as it is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| core::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes `user:password@` from a URL-looking string, for error messages.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) if scheme.is_empty() => rest[at + 1..].to_owned(),
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Timeouts and retries of network calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpConfig {
    /// The time limit of one ordinary call (connect, send, receive).
    pub timeout: Duration,
    /// The time limit of a slow call (Bitcoin Core's `scantxoutset` reads the
    /// whole UTXO set: minutes on mainnet).
    pub slow_timeout: Duration,
    /// How many times a call is retried after a transient failure (no
    /// connection, a timeout, HTTP 429 or 5xx without a JSON-RPC error).
    pub retries: u32,
    /// The wait before the first retry; it doubles at each retry.
    pub initial_backoff: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(60),
            slow_timeout: Duration::from_secs(3600),
            retries: 3,
            initial_backoff: Duration::from_millis(500),
        }
    }
}

/// A response with a status the caller must look at.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub body: String,
}

/// A blocking HTTP client bound to one endpoint.
#[derive(Debug)]
pub(crate) struct Client {
    agent: ureq::Agent,
    endpoint: Endpoint,
    config: HttpConfig,
}

impl Client {
    pub(crate) fn new(endpoint: Endpoint, config: HttpConfig) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .build()
            .into();
        Client {
            agent,
            endpoint,
            config,
        }
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends a request, retrying transient failures with exponential backoff.
    /// `body` is `Some(json)` for a POST, `None` for a GET. Statuses other
    /// than transient ones are returned to the caller; 401/403 become
    /// [`SourceError::Auth`].
    pub(crate) fn request(
        &self,
        call: &str,
        path: &str,
        body: Option<&str>,
        slow: bool,
    ) -> Result<Response, SourceError> {
        let url = self.endpoint.url(path);
        let timeout = if slow {
            self.config.slow_timeout
        } else {
            self.config.timeout
        };
        let attempts = self.config.retries.saturating_add(1);
        let mut backoff = self.config.initial_backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                thread::sleep(backoff);
                backoff = backoff.saturating_mul(2);
            }
            match self.attempt(&url, body, timeout) {
                Ok(r) if r.status == 401 || r.status == 403 => {
                    return Err(SourceError::Auth {
                        endpoint: self.endpoint.to_string(),
                        call: call.to_owned(),
                        status: r.status,
                    })
                }
                Ok(r) if is_transient_status(r.status) && !looks_like_jsonrpc_error(&r.body) => {
                    last = format!("HTTP status {}: {:?}", r.status, snippet(&r.body));
                }
                Ok(r) => return Ok(r),
                Err(e) if is_transient(&e) => last = e.to_string(),
                Err(e) => {
                    return Err(SourceError::Transport {
                        endpoint: self.endpoint.to_string(),
                        call: call.to_owned(),
                        attempts: attempt,
                        detail: e.to_string(),
                    })
                }
            }
        }
        Err(SourceError::Transport {
            endpoint: self.endpoint.to_string(),
            call: call.to_owned(),
            attempts,
            detail: last,
        })
    }

    fn attempt(
        &self,
        url: &str,
        body: Option<&str>,
        timeout: Duration,
    ) -> Result<Response, ureq::Error> {
        let auth = self.endpoint.authorization();
        let mut response = match body {
            Some(json) => {
                let mut req = self
                    .agent
                    .post(url)
                    .config()
                    .timeout_global(Some(timeout))
                    .build()
                    .content_type("application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.send(json)?
            }
            None => {
                let mut req = self
                    .agent
                    .get(url)
                    .config()
                    .timeout_global(Some(timeout))
                    .build();
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()?
            }
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()?;
        Ok(Response { status, body })
    }
}

fn is_transient_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

fn is_transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
            | ureq::Error::BodyStalled
    )
}

/// Bitcoin Core answers a failed JSON-RPC 1.0 call with HTTP 500 and a body
/// `{"result":null,"error":{...}}`: that is a final answer, not a transient
/// failure to retry.
fn looks_like_jsonrpc_error(body: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Option<serde_json::Value>,
    }
    serde_json::from_str::<Envelope>(body).is_ok_and(|e| e.error.is_some_and(|v| !v.is_null()))
}

/// The start of a response body, for error messages.
pub(crate) fn snippet(body: &str) -> String {
    const MAX: usize = 200;
    if body.len() <= MAX {
        return body.to_owned();
    }
    let mut end = MAX;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &body[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_hide_credentials() {
        let e = Endpoint::parse("https://u:p%40ss@example.org:3000/api/").unwrap();
        assert_eq!(e.to_string(), "https://example.org:3000/api");
        assert_eq!(
            e.url("/block-height/5"),
            "https://example.org:3000/api/block-height/5"
        );
        assert!(!format!("{e:?}").contains("p%40ss"));
        assert_eq!(
            e.authorization().as_deref(),
            Some("Basic dTpwQHNz") // base64("u:p@ss"): %40 is decoded
        );
        assert_eq!(percent_decode("a%3Ab%zz%4"), "a:b%zz%4");
        let e = Endpoint::parse("http://127.0.0.1:8332").unwrap();
        assert!(!e.has_credentials());
        assert_eq!(
            e.with_credentials("__cookie__:abc")
                .authorization()
                .as_deref(),
            Some("Basic X19jb29raWVfXzphYmM=")
        );
    }

    #[test]
    fn bad_endpoints_are_rejected_without_leaking_credentials() {
        let err = Endpoint::parse("ftp://u:secret@host/").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(matches!(
            Endpoint::parse("http://"),
            Err(EndpointError::NoHost(_))
        ));
        assert!(
            matches!(Endpoint::parse("http://u:secret@:80/"), Err(EndpointError::NoHost(s)) if !s.contains("secret"))
        );
        assert!(matches!(
            Endpoint::parse("http://host/?a=1"),
            Err(EndpointError::Invalid(_))
        ));
        assert!(matches!(
            Endpoint::parse("http://ho st/"),
            Err(EndpointError::Invalid(_))
        ));
    }

    #[test]
    fn jsonrpc_errors_are_final() {
        assert!(looks_like_jsonrpc_error(
            r#"{"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":1}"#
        ));
        assert!(!looks_like_jsonrpc_error(
            r#"{"result":1,"error":null,"id":1}"#
        ));
        assert!(!looks_like_jsonrpc_error("Service Unavailable"));
    }
}
