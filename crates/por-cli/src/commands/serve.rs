//! `por serve`: serves the browser verifier (`www/dist`, built by
//! `scripts/build-www`) and a directory of published files on 127.0.0.1, so
//! a person can try the page locally.
//!
//! A plain `std::net` server, one thread per connection, `GET`/`HEAD` only:
//! this is a local convenience, not a production web server, and it needs no
//! dependency. Paths are decoded, then every segment is checked (no `..`, no
//! `.`, no empty or hidden segment, no backslash or NUL) and the resolved file
//! must lie inside its root after symlinks are followed, so nothing outside
//! the two directories can be read.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::Outcome;

/// Arguments of `por serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory of published files (root, attestation, proofs), served under /published/.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The built page (run scripts/build-www first).
    #[arg(long, value_name = "DIR", default_value = "www/dist")]
    www: PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

/// The two directories served, canonicalized.
#[derive(Debug, Clone)]
pub struct Site {
    www: PathBuf,
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
            www: www_c,
            published: published_c,
        })
    }
}

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let site = Site::new(&args.www, &args.dir)?;
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
        site.www.display()
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    serve(&listener, &site);
    Ok(Outcome::Ok)
}

/// Answers connections on `listener` until it fails, each on its own thread.
pub fn serve(listener: &TcpListener, site: &Site) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let site = site.clone();
        std::thread::spawn(move || {
            // A client that hangs up or sends garbage only ends its own connection.
            let _ = handle(stream, &site);
        });
    }
}

fn handle(mut stream: TcpStream, site: &Site) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new((&stream).take(MAX_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read (and ignore) the headers up to the blank line.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = respond(site, method, target);
    let head_only = method == "HEAD";
    response.write_to(&mut stream, head_only)
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }

    fn write_to(&self, w: &mut impl Write, head_only: bool) -> std::io::Result<()> {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "Internal Server Error",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        head.push_str("X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n");
        if self.status == 405 {
            head.push_str("Allow: GET, HEAD\r\n");
        }
        head.push_str("Connection: close\r\n\r\n");
        w.write_all(head.as_bytes())?;
        if !head_only {
            w.write_all(&self.body)?;
        }
        w.flush()
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
    let (root, rel) = if path == "/published" || path.starts_with(PUBLISHED) {
        (&site.published, path.get(PUBLISHED.len()..).unwrap_or(""))
    } else if let Some(rel) = path.strip_prefix('/') {
        (&site.www, if rel.is_empty() { "index.html" } else { rel })
    } else {
        return Response::text(400, "bad request path\n");
    };
    let Some(file) = resolve(root, rel) else {
        return Response::text(404, "not found\n");
    };
    if file.is_dir() {
        return if root == &site.published {
            listing(&file, rel)
        } else {
            Response::text(404, "not found\n")
        };
    }
    match std::fs::read(&file) {
        Ok(body) => Response {
            status: 200,
            content_type: content_type(&file),
            body,
        },
        Err(_) => Response::text(404, "not found\n"),
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
        std::thread::spawn(move || serve(&listener, &site));
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
}
