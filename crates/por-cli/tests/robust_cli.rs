//! End-to-end regression tests of issue 10's robustness items, through the
//! `por` binary: user ids a person cannot tell apart, `--force` replacing
//! only what por wrote, `por serve` under slow and many clients, and what
//! it serves as what.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::{por_bin, por_in as por, stderr, stdout, tree_fixture as setup};

fn build(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "tree",
        "build",
        "--balances",
        "b.csv",
        "--assets",
        "BTC:8,ETH:18",
        "--secret-file",
        "s.key",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    por(dir, &args)
}

// ---------------------------------------------------------------- user ids

#[test]
fn user_ids_equal_after_nfc_are_refused_naming_both_lines() {
    let dir = setup("user_id,BTC,ETH\n\u{e9}lise,1,0\nbob,2,0\ne\u{301}lise,3,0\n".as_bytes());
    let o = build(dir.path(), "t", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.csv"), "names the file: {err}");
    assert!(err.contains("line 4"), "names the later line: {err}");
    assert!(err.contains("line 2"), "names the earlier line: {err}");
    assert!(err.contains("NFC"), "{err}");
    assert!(!dir.path().join("t").exists(), "no output");
}

#[test]
fn user_ids_with_control_characters_are_refused_and_not_echoed_raw() {
    // An ANSI sequence in an id would recolour the terminal if echoed.
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\n\"\x1b[32mPASS\",2,0\n");
    let o = build(dir.path(), "t", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.csv: line 3, column 1 (user_id)"), "{err}");
    assert!(err.contains("U+001B"), "{err}");
    assert!(
        !err.contains('\x1b'),
        "the escape is not printed raw: {err:?}"
    );
    assert!(!dir.path().join("t").exists(), "no output");
}

#[test]
fn user_ids_with_surrounding_whitespace_are_refused() {
    for csv in [
        "user_id,BTC,ETH\nalice,1,0\nalice ,2,0\n",
        "user_id,BTC,ETH\nalice,1,0\n\u{3000}alice,2,0\n",
    ] {
        let dir = setup(csv.as_bytes());
        let o = build(dir.path(), "t", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{csv:?}: {err}");
        assert!(err.contains("line 3, column 1 (user_id)"), "{err}");
        assert!(err.contains("whitespace"), "{err}");
    }
}

#[test]
fn a_user_id_not_in_nfc_is_accepted_and_hashed_as_given() {
    // Alone, a decomposed id is one customer, hashed as its bytes: its
    // proof carries it unchanged.
    let dir = setup("user_id,BTC,ETH\ne\u{301}lise,1,0\nbob,2,0\n".as_bytes());
    let d = dir.path();
    let o = build(d, "t", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = por(
        d,
        &["tree", "proof", "--tree", "t", "--user", "e\u{301}lise"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let proof: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(proof["user_id"], "e\u{301}lise");
}

// ---------------------------------------------------------------- --force

/// A directory with files por did not write: `--force` must leave it whole.
fn precious_dir(d: &Path, name: &str) -> std::path::PathBuf {
    let dir = d.join(name);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(dir.join("sub").join("notes.md"), "more").unwrap();
    dir
}

fn assert_untouched(dir: &Path) {
    assert_eq!(
        std::fs::read_to_string(dir.join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sub").join("notes.md")).unwrap(),
        "more"
    );
}

#[test]
fn tree_build_force_refuses_a_directory_por_did_not_write() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    let precious = precious_dir(d, "home");
    let o = build(d, "home", &["--force"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert!(err.contains("nothing was deleted"), "{err}");
    assert_untouched(&precious);
    assert!(!precious.join("tree.json").exists());
    // No temporary directory is left beside it either.
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".por-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn tree_build_force_replaces_a_tree_por_wrote() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    let o = build(d, "t", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let marker = std::fs::read_to_string(d.join("t/.por-output")).unwrap();
    assert!(marker.starts_with("por-output-v1 tree\n"), "{marker}");
    // Without --force: refused.
    let o = build(d, "t", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    // With --force: replaced (a new balance, a new root).
    std::fs::write(d.join("b.csv"), "user_id,BTC,ETH\nalice,5,0\nbob,2,0\n").unwrap();
    let o = build(d, "t", &["--force", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["totals"]["BTC"], "700000000");
    assert!(d.join("t/.por-output").is_file());
}

#[test]
fn export_proofs_force_refuses_a_directory_por_did_not_write() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    assert!(build(d, "t", &[]).status.success());
    let precious = precious_dir(d, "docs");
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "t",
            "--out",
            "docs",
            "--force",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert_untouched(&precious);
    // A tree directory is por's, but a file in place of the directory is not.
    std::fs::write(d.join("plain-file"), "x").unwrap();
    let o = por(
        d,
        &[
            "tree",
            "export-proofs",
            "--tree",
            "t",
            "--out",
            "plain-file",
            "--force",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(d.join("plain-file")).unwrap(), "x");
    // A proofs directory por wrote is replaced.
    let args = ["tree", "export-proofs", "--tree", "t", "--out", "p"];
    assert!(por(d, &args).status.success());
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = por(d, &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("p/alice.json").is_file() && d.join("p/.por-output").is_file());
}

#[cfg(unix)]
#[test]
fn force_refuses_a_symlink_even_to_a_por_directory() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\nbob,2,0\n");
    let d = dir.path();
    assert!(build(d, "t", &[]).status.success());
    std::os::unix::fs::symlink(d.join("t"), d.join("link")).unwrap();
    let o = build(d, "link", &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(d.join("t/tree.json").is_file(), "the target is untouched");
}

#[test]
fn demo_force_refuses_a_directory_por_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let precious = precious_dir(d, "work");
    // Even a folder that looks like a demo (it has exchange/balances.csv) is
    // not replaced without the marker.
    std::fs::create_dir_all(precious.join("exchange")).unwrap();
    std::fs::write(precious.join("exchange/balances.csv"), "user_id,BTC\n").unwrap();
    let o = por(
        d,
        &["demo", "--customers", "10", "--out", "work", "--force"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("was not written by por"), "{err}");
    assert_untouched(&precious);
}

// ---------------------------------------------------------------- por serve

/// `por serve` on a free loopback port; killed when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
    _dirs: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(extra: &[&str]) -> Server {
    use std::io::BufRead;
    let dirs = tempfile::tempdir().unwrap();
    let www = dirs.path().join("www");
    let published = dirs.path().join("published");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&published).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>page</title>").unwrap();
    std::fs::write(published.join("root.json"), "{\"root\":\"ab\"}").unwrap();
    std::fs::write(
        published.join("evil.html"),
        "<script>fetch('/published/').then(r=>r.text()).then(alert)</script>",
    )
    .unwrap();
    std::fs::write(
        published.join("evil.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    )
    .unwrap();
    let mut child = Command::new(por_bin())
        .args(["serve", "--dir"])
        .arg(&published)
        .arg("--www")
        .arg(&www)
        .args(["--port", "0"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    // Keep reading (and dropping) the banner so the server never blocks on it.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while out.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let port = first
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    Server {
        child,
        port,
        _dirs: dirs,
    }
}

fn http(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn serve_sends_a_content_security_policy_on_every_response_including_errors() {
    let server = start_server(&[]);
    for (request, status) in [
        ("GET / HTTP/1.1\r\n\r\n", "200"),
        ("GET /published/ HTTP/1.1\r\n\r\n", "200"),
        ("GET /published/root.json HTTP/1.1\r\n\r\n", "200"),
        ("GET /published/missing.json HTTP/1.1\r\n\r\n", "404"),
        ("GET /%zz HTTP/1.1\r\n\r\n", "400"),
        ("DELETE / HTTP/1.1\r\n\r\n", "405"),
    ] {
        let r = http(server.port, request);
        assert!(
            r.starts_with(&format!("HTTP/1.1 {status}")),
            "{request}: {r}"
        );
        let csp = header(&r, "Content-Security-Policy")
            .unwrap_or_else(|| panic!("{request}: no CSP in {r}"));
        assert!(csp.starts_with("default-src 'none'"), "{request}: {csp}");
        assert_eq!(header(&r, "X-Content-Type-Options"), Some("nosniff"), "{r}");
    }
}

#[test]
fn serve_never_serves_a_published_evil_html_as_html() {
    let server = start_server(&[]);
    for name in ["evil.html", "evil.svg"] {
        let r = http(
            server.port,
            &format!("GET /published/{name} HTTP/1.1\r\n\r\n"),
        );
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        let ty = header(&r, "Content-Type").unwrap();
        assert!(ty.starts_with("text/plain"), "{name}: {ty}");
        assert_eq!(header(&r, "Content-Disposition"), Some("attachment"), "{r}");
        assert!(
            header(&r, "Content-Security-Policy")
                .unwrap()
                .contains("sandbox"),
            "{r}"
        );
    }
}

#[test]
fn serve_cuts_off_a_slow_loris_client_at_the_head_deadline() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let server = start_server(&["--head-timeout", "2"]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // A byte every 250 ms (well inside any per-read timeout), for up to 8 s.
    'outer: for b in b"GET / HTTP/1.1\r\nX-Slow: "
        .iter()
        .chain([b'a'; 200].iter())
    {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        let until = Instant::now() + Duration::from_millis(250);
        while Instant::now() < until {
            let mut buf = [0u8; 512];
            match s.read(&mut buf) {
                Ok(0) => break 'outer,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    break 'outer;
                }
                Err(_) => {}
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "still connected"
        );
    }
    let took = started.elapsed();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        header(&answer, "Content-Security-Policy").is_some(),
        "{answer}"
    );
    assert!(
        took >= Duration::from_millis(1800) && took < Duration::from_secs(4),
        "cut off after {took:?}, deadline 2 s"
    );
}

/// Threads of a process, from /proc (Linux).
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .count()
}

#[cfg(target_os = "linux")]
#[test]
fn serve_many_idle_connections_do_not_spawn_threads_and_excess_get_503() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let server = start_server(&["--workers", "3", "--head-timeout", "10"]);
    // Let the server start its workers, then count.
    std::thread::sleep(Duration::from_millis(300));
    let before = threads_of(server.child.id());
    // 40 clients connect and send nothing: 3 are taken by the workers, 12
    // wait in the queue (4 per worker), the rest are answered 503.
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap());
    }
    std::thread::sleep(Duration::from_millis(500));
    let during = threads_of(server.child.id());
    assert_eq!(
        during, before,
        "threads: {before} before, {during} with 40 clients"
    );
    assert!(before <= 3 + 2, "{before} threads for 3 workers");
    let mut busy = 0;
    for s in &mut idle {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        if out.starts_with("HTTP/1.1 503") {
            assert!(header(&out, "Content-Security-Policy").is_some(), "{out}");
            busy += 1;
        }
    }
    assert!(busy >= 40 - 3 - 12, "{busy} of 40 got 503");
    // The clients leave; the server serves again with the same threads.
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(b"GET /published/root.json HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert_eq!(threads_of(server.child.id()), before);
}

// ---------------------------------------------------------------- terminal

#[test]
fn tree_proof_never_echoes_a_control_sequence_from_the_user_id_raw() {
    let dir = setup(b"user_id,BTC,ETH\nalice,1,0\n");
    let d = dir.path();
    assert!(build(d, "t", &[]).status.success());
    let o = por(
        d,
        &[
            "tree",
            "proof",
            "--tree",
            "t",
            "--user",
            "\x1b[2J\x1b[32mPASS",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains('\x1b'), "raw escape on the terminal: {err:?}");
    assert!(err.contains("\\u{1b}"), "{err}");
}
