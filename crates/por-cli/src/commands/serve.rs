//! `por serve`: serves the browser verifier and a directory of published
//! files on 127.0.0.1, so a person can try the page locally. The page is the
//! one embedded in the binary when `www/dist` (built by `scripts/build-www`)
//! existed when `por` was built (`build.rs`), so `por serve` works from any
//! directory; `--www DIR` serves another build of it.
//!
//! A plain `std::net` server, `GET`/`HEAD` only: this is a local
//! convenience, not a production web server, and it needs no dependency.
//! Paths are decoded, then every segment is checked (no `..`, no `.`, no
//! empty or hidden segment, no backslash or NUL) and the resolved file must
//! lie inside its root after symlinks are followed, so nothing outside the
//! two directories can be read.
//!
//! Bounded, whatever the clients do ([`Limits`]):
//! - a fixed pool of worker threads answers connections (default 8); the
//!   acceptor hands each new connection to a bounded queue (4 per worker)
//!   and answers `503` at once when the queue is full, so no client can make
//!   the server start threads or hold memory without limit;
//! - the request head (request line and headers, at most 16 KiB) must arrive
//!   within one total deadline from when a worker takes the connection
//!   (default 10 s; `408` after it), however slowly it trickles in: a client
//!   sending a byte every 5 s is cut off, not kept forever by a per-read
//!   timeout; one request per connection (`Connection: close`), so there is
//!   no idle keep-alive to hold a worker;
//! - the response must be written within its own total deadline (30 s).
//!
//! Every response carries a `Content-Security-Policy`, `X-Content-Type-Options:
//! nosniff` and `frame-ancestors 'none'`. The page gets the policy its own
//! `<meta>` tag states. Published files are the exchange's data, never
//! something to run on the page's origin: each is served with the policy
//! `default-src 'none'; sandbox` (a browser that renders it anyway gives it
//! an opaque origin and no scripts), and any file type that a browser could
//! render as a document (`.html`, `.svg`, `.xml`, … : everything but JSON
//! and plain text) is served as `text/plain` with `Content-Disposition:
//! attachment`, so it is saved rather than shown. Text and JSON stay
//! readable in the browser; the page itself never fetches them (a customer
//! drops the files on it).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::Outcome;

/// Arguments of `por serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory of published files (root, attestation, proofs), served under /published/.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// Serve the page from this directory (a `scripts/build-www` output)
    /// instead of the one embedded in this binary.
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Worker threads answering requests; further connections wait in a
    /// queue of 4 per worker, and beyond it get 503.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Seconds a client has to send its whole request head (408 after it).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=120))]
    head_timeout: u16,
}

/// How much `por serve` gives each client: bounded threads, queue and time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Worker threads.
    pub workers: usize,
    /// Connections waiting for a worker; beyond it, 503.
    pub queue: usize,
    /// Total time to receive the request head, from when a worker takes the connection.
    pub head_deadline: Duration,
    /// Total time to write the response.
    pub write_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            workers: 8,
            queue: 32,
            head_deadline: Duration::from_secs(10),
            write_deadline: Duration::from_secs(30),
        }
    }
}

/// The page's policy (the same as the `<meta>` tag in `www/src/index.html`,
/// plus `frame-ancestors`, which only a header can set).
const CSP_PAGE: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
/// Published files and error answers: nothing runs, and a document rendered
/// anyway is sandboxed into an opaque origin.
const CSP_DATA: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";
/// The directory listing (generated here, no script, no style).
const CSP_LISTING: &str =
    "default-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The page's files, embedded at build time (`build.rs`).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_page.rs"));
}

/// Where the page's files come from.
#[derive(Debug, Clone)]
enum Page {
    /// A directory, canonicalized (`--www`).
    Dir(PathBuf),
    /// Files embedded in the binary: (name, bytes), flat.
    Embedded(&'static [(&'static str, &'static [u8])]),
}

/// The page and the published directory (canonicalized) served.
#[derive(Debug, Clone)]
pub struct Site {
    page: Page,
    published: PathBuf,
}

/// The prefix under which the published files are served.
const PUBLISHED: &str = "/published/";

/// Longest request head accepted (request line and headers).
const MAX_HEAD: u64 = 16 * 1024;

impl Site {
    /// Checks both directories and resolves them.
    ///
    /// # Errors
    ///
    /// Names the directory that is missing, and says to build the page when
    /// `www` has no `index.html`.
    pub fn new(www: &Path, published: &Path) -> anyhow::Result<Site> {
        let www_c = www.canonicalize().with_context(|| {
            format!(
                "page directory {}: not found (run scripts/build-www first)",
                www.display()
            )
        })?;
        if !www_c.join("index.html").is_file() {
            anyhow::bail!(
                "page directory {}: no index.html (run scripts/build-www first)",
                www.display()
            );
        }
        Site::with_page(Page::Dir(www_c), published)
    }

    /// The page embedded in this binary, and `published`.
    ///
    /// # Errors
    ///
    /// When the binary was built without the page, saying how to get it.
    pub fn embedded(published: &Path) -> anyhow::Result<Site> {
        Site::from_table(embedded::EMBEDDED_PAGE, published)
    }

    fn from_table(
        files: &'static [(&'static str, &'static [u8])],
        published: &Path,
    ) -> anyhow::Result<Site> {
        if !files.iter().any(|(name, _)| *name == "index.html") {
            anyhow::bail!(
                "this por binary was built without the browser page: give --www DIR (a scripts/build-www output), \
                 or run scripts/build-www and then rebuild por (cargo build), which embeds it"
            );
        }
        Site::with_page(Page::Embedded(files), published)
    }

    fn with_page(page: Page, published: &Path) -> anyhow::Result<Site> {
        let published_c = published
            .canonicalize()
            .with_context(|| format!("published directory {}: not found", published.display()))?;
        if !published_c.is_dir() {
            anyhow::bail!(
                "published directory {}: not a directory",
                published.display()
            );
        }
        Ok(Site {
            page,
            published: published_c,
        })
    }
}

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let site = match &args.www {
        Some(www) => Site::new(www, &args.dir)?,
        None => Site::embedded(&args.dir)?,
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let port = listener
        .local_addr()
        .context("reading the listening address")?
        .port();
    // The addresses are for whoever started the server; if they closed its
    // output (a pipe to `head`, a finished script), serving goes on.
    let banner = format!(
        "verifier page:   http://127.0.0.1:{port}/\npublished files: http://127.0.0.1:{port}{PUBLISHED}  ({})\nserving {} on 127.0.0.1 only; press Ctrl-C to stop\n",
        site.published.display(),
        match &site.page {
            Page::Dir(dir) => format!("the page from {}", dir.display()),
            Page::Embedded(_) => "the page built into this binary".to_owned(),
        }
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    let limits = Limits {
        workers: usize::from(args.workers),
        queue: 4 * usize::from(args.workers),
        head_deadline: Duration::from_secs(u64::from(args.head_timeout)),
        ..Limits::default()
    };
    serve_with(&listener, &site, &limits);
    Ok(Outcome::Pass)
}

/// Answers connections on `listener` until it fails: `limits.workers`
/// threads take connections from a queue of `limits.queue`; a connection
/// that finds the queue full gets `503` from the acceptor at once.
pub fn serve_with(listener: &TcpListener, site: &Site, limits: &Limits) {
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(limits.queue);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..limits.workers.max(1) {
        let rx = Arc::clone(&rx);
        let site = site.clone();
        let limits = limits.clone();
        std::thread::spawn(move || loop {
            // The lock is held only while waiting for the next connection.
            let next = match rx.lock() {
                Ok(guard) => guard.recv(),
                Err(_) => return,
            };
            let Ok(stream) = next else { return };
            // A client that hangs up, stalls or sends garbage only ends its
            // own connection.
            let _ = handle(stream, &site, &limits);
        });
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        match tx.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(mut stream)) => {
                // A fresh socket's send buffer takes this small answer
                // without blocking; the timeout only bounds the odd case.
                let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                let _ = Response::text(503, "busy: try again in a moment\n")
                    .with_header("Retry-After: 1")
                    .write_to(&mut stream, false, Instant::now() + Duration::from_secs(1));
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

/// Why a request head could not be read.
#[derive(Debug)]
enum HeadError {
    /// The deadline passed first.
    Timeout,
    /// More than [`MAX_HEAD`] bytes without the blank line.
    TooLarge,
    /// The client closed the connection or the socket failed.
    Gone,
}

/// Reads the request head (up to the blank line) within `deadline`, however
/// the bytes are spread out in time.
fn read_head(stream: &TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = head_end(&head) {
            head.truncate(end);
            return Ok(head);
        }
        if head.len() as u64 > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let now = Instant::now();
        let Some(left) = deadline
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
        else {
            return Err(HeadError::Timeout);
        };
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| HeadError::Gone)?;
        match (&*stream).read(&mut chunk) {
            Ok(0) => return Err(HeadError::Gone),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HeadError::Timeout)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(HeadError::Gone),
        }
    }
}

/// The length of the head up to and including its blank line, if complete.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn handle(mut stream: TcpStream, site: &Site, limits: &Limits) -> std::io::Result<()> {
    let head_deadline = Instant::now() + limits.head_deadline;
    let response_deadline = |now: Instant| now + limits.write_deadline;
    let head = match read_head(&stream, head_deadline) {
        Ok(head) => head,
        Err(HeadError::Timeout) => {
            return Response::text(408, "request head not received in time\n").write_to(
                &mut stream,
                false,
                response_deadline(Instant::now()),
            )
        }
        Err(HeadError::TooLarge) => {
            return Response::text(431, "request head too large\n").write_to(
                &mut stream,
                false,
                response_deadline(Instant::now()),
            )
        }
        Err(HeadError::Gone) => return Ok(()),
    };
    let head = String::from_utf8_lossy(&head);
    let request_line = head.lines().next().unwrap_or("");
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = respond(site, method, target);
    let head_only = method == "HEAD";
    response.write_to(&mut stream, head_only, response_deadline(Instant::now()))
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    status: u16,
    content_type: &'static str,
    /// The `Content-Security-Policy` sent with it.
    csp: &'static str,
    /// Further header lines (without the line break).
    extra: Vec<&'static str>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            csp: CSP_DATA,
            extra: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn with_header(mut self, line: &'static str) -> Response {
        self.extra.push(line);
        self
    }

    /// The response's head, every header line included.
    fn head(&self) -> String {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nContent-Security-Policy: {}\r\n",
            self.status,
            self.content_type,
            self.body.len(),
            self.csp
        );
        head.push_str("X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n");
        if self.status == 405 {
            head.push_str("Allow: GET, HEAD\r\n");
        }
        for line in &self.extra {
            head.push_str(line);
            head.push_str("\r\n");
        }
        head.push_str("Connection: close\r\n\r\n");
        head
    }

    /// Writes the response, giving up at `deadline` (a client that reads one
    /// byte at a time cannot hold the worker longer).
    fn write_to(
        &self,
        stream: &mut TcpStream,
        head_only: bool,
        deadline: Instant,
    ) -> std::io::Result<()> {
        let head = self.head();
        let body: &[u8] = if head_only { &[] } else { &self.body };
        for part in [head.as_bytes(), body] {
            for chunk in part.chunks(16 * 1024) {
                let left = deadline
                    .checked_duration_since(Instant::now())
                    .filter(|d| !d.is_zero())
                    .ok_or(std::io::ErrorKind::TimedOut)?;
                stream.set_write_timeout(Some(left))?;
                stream.write_all(chunk)?;
            }
        }
        stream.flush()
    }
}

/// Answers one request: `/` and the page's files from `www`, `/published/…`
/// from the published directory (a listing for a directory).
pub fn respond(site: &Site, method: &str, target: &str) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text(405, "only GET and HEAD\n");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return Response::text(400, "bad request path\n");
    };
    let rel = if path == "/published" || path.starts_with(PUBLISHED) {
        path.get(PUBLISHED.len()..).unwrap_or("")
    } else if let Some(rel) = path.strip_prefix('/') {
        return page_file(&site.page, if rel.is_empty() { "index.html" } else { rel });
    } else {
        return Response::text(400, "bad request path\n");
    };
    let Some(file) = resolve(&site.published, rel) else {
        return Response::text(404, "not found\n");
    };
    if file.is_dir() {
        return listing(&file, rel);
    }
    let body = match std::fs::read(&file) {
        Ok(body) => body,
        Err(_) => return Response::text(404, "not found\n"),
    };
    // A published file is data. JSON and plain text are shown as such; any
    // other type (HTML, SVG, XML, scripts, unknown) could become a document
    // or script on the page's origin, so it is sent as plain text to be
    // saved, never rendered. The sandbox policy covers a browser that
    // renders it anyway.
    match published_type(&file) {
        Some(content_type) => Response {
            status: 200,
            content_type,
            csp: CSP_DATA,
            extra: Vec::new(),
            body,
        },
        None => Response {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            csp: CSP_DATA,
            extra: vec!["Content-Disposition: attachment"],
            body,
        },
    }
}

/// One of the page's files, under the page's policy; 404 for anything
/// else, a directory included.
fn page_file(page: &Page, rel: &str) -> Response {
    let found = match page {
        Page::Dir(root) => resolve(root, rel)
            .filter(|file| !file.is_dir())
            .and_then(|file| std::fs::read(&file).ok()),
        // Flat: a name with a `/` (or any name not in the table) is not there.
        Page::Embedded(files) => files
            .iter()
            .find(|(name, _)| *name == rel)
            .map(|(_, bytes)| bytes.to_vec()),
    };
    match found {
        Some(body) => Response {
            status: 200,
            content_type: content_type(Path::new(rel)),
            csp: CSP_PAGE,
            extra: Vec::new(),
            body,
        },
        None => Response::text(404, "not found\n"),
    }
}

/// The type a published file is shown as, when it is one that cannot run:
/// JSON and plain text. `None` for everything else.
fn published_type(path: &Path) -> Option<&'static str> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Some("application/json"),
        Some("txt" | "csv" | "md" | "toml" | "asc" | "sig") => Some("text/plain; charset=utf-8"),
        _ => None,
    }
}

/// The file `rel` under `root`, if every segment is a plain name and the
/// result (symlinks followed) is still under `root`.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = rel.strip_suffix('/').unwrap_or(rel);
    let mut path = root.to_path_buf();
    if !rel.is_empty() {
        for segment in rel.split('/') {
            let plain = !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains(['\\', '\0', ':']);
            if !plain {
                return None;
            }
            path.push(segment);
        }
    }
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt" | "csv" | "md") => "text/plain; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A directory listing of the published files (names escaped; no script).
fn listing(dir: &Path, rel: &str) -> Response {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Response::text(404, "not found\n");
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (!name.starts_with('.')).then(|| (name, e.path().is_dir()))
        })
        .collect();
    names.sort();
    let base = rel.trim_end_matches('/');
    let title = format!(
        "published files{}{}",
        if base.is_empty() { "" } else { ": " },
        base
    );
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title></head><body><h1>{t}</h1>\
         <p>Save a file, then drop it on <a href=\"/\">the verifier page</a>.</p><ul>\n",
        t = html_escape(&title)
    );
    for (name, is_dir) in names {
        let mut href = String::from(PUBLISHED);
        for segment in base.split('/').filter(|s| !s.is_empty()) {
            href.push_str(&url_escape(segment));
            href.push('/');
        }
        href.push_str(&url_escape(&name));
        let slash = if is_dir { "/" } else { "" };
        let _ = writeln!(
            html,
            "<li><a href=\"{href}{slash}\">{}{slash}</a></li>",
            html_escape(&name)
        );
    }
    html.push_str("</ul></body></html>\n");
    Response {
        status: 200,
        content_type: "text/html; charset=utf-8",
        csp: CSP_LISTING,
        extra: Vec::new(),
        body: html.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        _tmp: tempfile::TempDir,
        site: Site,
        outside: PathBuf,
    }

    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let www = tmp.path().join("www");
        let published = tmp.path().join("published");
        std::fs::create_dir_all(&www).unwrap();
        std::fs::create_dir_all(published.join("2026-11")).unwrap();
        std::fs::write(www.join("index.html"), "<!DOCTYPE html><p>page</p>").unwrap();
        std::fs::write(www.join("app.js"), "var x = 1;").unwrap();
        std::fs::write(published.join("root.json"), "{\"root\": \"ab\"}").unwrap();
        std::fs::write(published.join("2026-11").join("proof <&>.json"), "{}").unwrap();
        std::fs::write(published.join(".secret"), "hidden").unwrap();
        let outside = tmp.path().join("outside.txt");
        std::fs::write(&outside, "SECRET").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, published.join("link.txt")).unwrap();
        let site = Site::new(&www, &published).unwrap();
        Fixture {
            _tmp: tmp,
            site,
            outside,
        }
    }

    fn get(site: &Site, target: &str) -> (u16, &'static str, String) {
        let r = respond(site, "GET", target);
        (
            r.status,
            r.content_type,
            String::from_utf8_lossy(&r.body).into_owned(),
        )
    }

    #[test]
    fn serves_the_page_and_published_files_with_types() {
        let f = fixture();
        let (status, ty, body) = get(&f.site, "/");
        assert_eq!((status, ty), (200, "text/html; charset=utf-8"));
        assert!(body.contains("page"));
        assert_eq!(
            get(&f.site, "/app.js?v=1").1,
            "text/javascript; charset=utf-8"
        );
        let (status, ty, body) = get(&f.site, "/published/root.json");
        assert_eq!(
            (status, ty, body.as_str()),
            (200, "application/json", "{\"root\": \"ab\"}")
        );
        let (status, _, body) = get(&f.site, "/published/2026-11/proof%20%3C%26%3E.json");
        assert_eq!((status, body.as_str()), (200, "{}"));
    }

    #[test]
    fn lists_published_directories_escaped() {
        let f = fixture();
        let (status, ty, body) = get(&f.site, "/published/");
        assert_eq!((status, ty), (200, "text/html; charset=utf-8"));
        assert!(
            body.contains("<a href=\"/published/root.json\">root.json</a>"),
            "{body}"
        );
        assert!(
            body.contains("<a href=\"/published/2026-11/\">2026-11/</a>"),
            "{body}"
        );
        assert!(!body.contains(".secret"), "{body}");
        let (_, _, sub) = get(&f.site, "/published/2026-11/");
        assert!(
            sub.contains("<a href=\"/published/2026-11/proof%20%3C%26%3E.json\">proof &lt;&amp;&gt;.json</a>"),
            "{sub}"
        );
        assert_eq!(get(&f.site, "/published").0, 200);
    }

    #[test]
    fn nothing_outside_the_two_directories_can_be_read() {
        let f = fixture();
        let outside_name = f.outside.file_name().unwrap().to_str().unwrap().to_owned();
        for target in [
            "/../outside.txt".to_owned(),
            "/published/../outside.txt".to_owned(),
            "/published/%2e%2e/outside.txt".to_owned(),
            "/published/..%2foutside.txt".to_owned(),
            "/published/2026-11/../../outside.txt".to_owned(),
            "/%2e%2e/%2e%2e/etc/passwd".to_owned(),
            "/published/..\\outside.txt".to_owned(),
            "/published/.secret".to_owned(),
            "/published/link.txt".to_owned(),
            "/published//etc/passwd".to_owned(),
            format!("/{outside_name}"),
            "/published/root.json%00.html".to_owned(),
            "//etc/passwd".to_owned(),
            "/published/%zz".to_owned(),
            "/published/%ff".to_owned(),
            "http://127.0.0.1/../outside.txt".to_owned(),
        ] {
            let (status, _, body) = get(&f.site, &target);
            assert!(matches!(status, 400 | 404), "{target}: {status}");
            assert!(
                !body.contains("SECRET") && !body.contains("hidden"),
                "{target}: {body}"
            );
        }
        assert_eq!(respond(&f.site, "POST", "/").status, 405);
        assert_eq!(
            respond(&f.site, "DELETE", "/published/root.json").status,
            405
        );
    }

    #[test]
    fn an_embedded_page_is_served_flat_and_its_absence_is_explained() {
        static FILES: &[(&str, &[u8])] = &[
            ("index.html", b"<!DOCTYPE html><p>embedded</p>"),
            ("app.js", b"var y = 2;"),
        ];
        let tmp = tempfile::tempdir().unwrap();
        let site = Site::from_table(FILES, tmp.path()).unwrap();
        let (status, ty, body) = get(&site, "/");
        assert_eq!((status, ty), (200, "text/html; charset=utf-8"));
        assert_eq!(body, "<!DOCTYPE html><p>embedded</p>");
        let r = respond(&site, "GET", "/app.js");
        assert_eq!((r.status, r.csp), (200, CSP_PAGE));
        assert_eq!(r.body, b"var y = 2;");
        for missing in ["/nope.js", "/x/app.js", "/%2e%2e/app.js", "/../app.js"] {
            assert_eq!(get(&site, missing).0, 404, "{missing}");
        }
        let err = Site::from_table(&[], tmp.path()).unwrap_err();
        assert!(
            format!("{err:#}").contains("built without the browser page: give --www DIR"),
            "{err:#}"
        );
    }

    #[test]
    fn missing_directories_are_named() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Site::new(&tmp.path().join("nope"), tmp.path()).unwrap_err();
        assert!(
            format!("{err:#}").contains("run scripts/build-www first"),
            "{err:#}"
        );
        let err = Site::new(tmp.path(), tmp.path()).unwrap_err();
        assert!(format!("{err:#}").contains("no index.html"), "{err:#}");
    }

    #[test]
    fn answers_over_tcp_on_loopback() {
        let f = fixture();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let site = f.site.clone();
        std::thread::spawn(move || serve_with(&listener, &site, &Limits::default()));
        let ask = |req: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(req.as_bytes()).unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let ok = ask("GET /published/root.json HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("Content-Type: application/json\r\n"), "{ok}");
        assert!(ok.contains("Content-Length: 14\r\n"), "{ok}");
        assert!(ok.ends_with("\r\n\r\n{\"root\": \"ab\"}"), "{ok}");
        let head = ask("HEAD / HTTP/1.1\r\n\r\n");
        assert!(
            head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("\r\n\r\n"),
            "{head}"
        );
        let bad = ask("GET /../outside.txt HTTP/1.1\r\n\r\n");
        assert!(bad.starts_with("HTTP/1.1 404"), "{bad}");
        assert!(ask("garbage\r\n\r\n").starts_with("HTTP/1.1 405"));
    }

    fn head_of(r: &Response) -> String {
        r.head()
    }

    #[test]
    fn every_response_carries_a_content_security_policy_and_nosniff() {
        let f = fixture();
        let responses = [
            respond(&f.site, "GET", "/"),
            respond(&f.site, "GET", "/app.js"),
            respond(&f.site, "GET", "/published/"),
            respond(&f.site, "GET", "/published/root.json"),
            respond(&f.site, "GET", "/published/nope.json"),
            respond(&f.site, "GET", "/published/%zz"),
            respond(&f.site, "POST", "/"),
            Response::text(408, "x"),
            Response::text(431, "x"),
            Response::text(503, "x"),
        ];
        for r in &responses {
            let head = head_of(r);
            assert!(
                head.contains("\r\nContent-Security-Policy: default-src 'none'; "),
                "{head}"
            );
            assert!(head.contains("frame-ancestors 'none'"), "{head}");
            assert!(
                head.contains("\r\nX-Content-Type-Options: nosniff\r\n"),
                "{head}"
            );
        }
        // The page may run its own scripts and wasm, nothing else.
        assert_eq!(responses[0].csp, CSP_PAGE);
        // Published files and errors run nothing, sandboxed.
        for r in &responses[3..] {
            assert!(r.csp.contains("sandbox"), "{}", r.csp);
        }
    }

    #[test]
    fn published_html_svg_and_xml_are_not_served_as_documents() {
        let f = fixture();
        let published = f.site.published.clone();
        for (name, body) in [
            ("evil.html", "<script>alert(document.domain)</script>"),
            ("evil.HTM", "<script>alert(1)</script>"),
            (
                "evil.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            ),
            ("evil.xml", "<x/>"),
            ("evil.xhtml", "<html/>"),
            ("evil.js", "alert(1)"),
            ("no-extension", "<script>alert(1)</script>"),
        ] {
            std::fs::write(published.join(name), body).unwrap();
            let r = respond(&f.site, "GET", &format!("/published/{name}"));
            assert_eq!(r.status, 200, "{name}");
            assert_eq!(r.content_type, "text/plain; charset=utf-8", "{name}");
            let head = head_of(&r);
            assert!(
                head.contains("\r\nContent-Disposition: attachment\r\n"),
                "{name}: {head}"
            );
            assert!(head.contains("sandbox"), "{name}: {head}");
            assert_eq!(r.body, body.as_bytes(), "{name}: served as it is");
        }
        // JSON and text stay readable in the browser, still sandboxed.
        let r = respond(&f.site, "GET", "/published/root.json");
        assert_eq!(r.content_type, "application/json");
        assert!(!head_of(&r).contains("attachment"));
    }

    /// Starts a server with `limits` on a free loopback port.
    fn start(limits: Limits) -> (Fixture, std::net::SocketAddr) {
        let f = fixture();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let site = f.site.clone();
        std::thread::spawn(move || serve_with(&listener, &site, &limits));
        (f, addr)
    }

    #[test]
    fn a_slow_loris_client_is_cut_off_at_the_head_deadline() {
        let (_f, addr) = start(Limits {
            head_deadline: Duration::from_millis(800),
            ..Limits::default()
        });
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let started = Instant::now();
        let request =
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
        let mut answer = Vec::new();
        // One byte every 100 ms: each read is quick, the head never ends in time.
        for b in request {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            let mut buf = [0u8; 512];
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            if !answer.is_empty() {
                let _ = s.read_to_end(&mut answer);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            assert!(started.elapsed() < Duration::from_secs(5), "never cut off");
        }
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("Content-Security-Policy:"), "{answer}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(700) && took < Duration::from_millis(2500),
            "{took:?}"
        );
    }

    #[test]
    fn connections_beyond_the_pool_and_queue_get_503_not_a_thread() {
        let (_f, addr) = start(Limits {
            workers: 2,
            queue: 1,
            head_deadline: Duration::from_secs(5),
            ..Limits::default()
        });
        // Two silent clients hold both workers; a third waits in the queue.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(TcpStream::connect(addr).unwrap());
            std::thread::sleep(Duration::from_millis(150));
        }
        // The next ones are answered 503 by the acceptor at once.
        for _ in 0..3 {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            assert!(out.starts_with("HTTP/1.1 503"), "{out}");
            assert!(out.contains("Content-Security-Policy:"), "{out}");
            assert!(out.contains("Retry-After: 1"), "{out}");
        }
        // Once the silent clients leave, the server answers again.
        drop(held);
        std::thread::sleep(Duration::from_millis(200));
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /published/root.json HTTP/1.1\r\n\r\n")
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }
}
