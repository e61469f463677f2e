//! Snapshot tests of `--help`: `por --help` and every subcommand's `--help`,
//! byte for byte against `tests/snapshots/help/<command>.txt` (for example
//! `por-tree-build.txt` for `por tree build --help`), like cargo's
//! `tests/testsuite/*/help/`. The commands are found by walking the binary's
//! own help (its `Commands:` sections), so a new subcommand without a
//! snapshot, or a snapshot of a removed one, fails.
//!
//! After a deliberate change to the help text, regenerate the snapshots with
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test -p por-cli --test help
//! ```
//!
//! and review the diff. A plain-file comparison is enough here, so the test
//! needs no snapshot crate.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]
#![allow(clippy::print_stderr, reason = "a failing test shows both texts")]

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use support::por_bin;

/// Where the snapshots live.
fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/help")
}

/// Whether this run rewrites the snapshots instead of checking them.
fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// `por <path…> --help`, checked to succeed quietly. Colour and terminal
/// width come from the environment, so both are pinned.
fn help(path: &[String]) -> String {
    let o = Command::new(por_bin())
        .args(path)
        .arg("--help")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let name = command_name(path);
    assert!(o.status.success(), "`{name} --help` failed: {o:?}");
    assert!(
        o.stderr.is_empty(),
        "`{name} --help` wrote to stderr: {o:?}"
    );
    String::from_utf8(o.stdout).unwrap()
}

/// `por tree build` for `["tree", "build"]`.
fn command_name(path: &[String]) -> String {
    std::iter::once("por")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The subcommands listed in a help text's `Commands:` section (without
/// clap's own `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim_end() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // Entries are indented by two spaces; a wrapped description by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command (`por` itself first) with its `--help` text, keyed by
/// snapshot file name, walked once per test run.
fn all_help() -> &'static BTreeMap<String, (String, String)> {
    static ALL: OnceLock<BTreeMap<String, (String, String)>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut out = BTreeMap::new();
        let mut queue = vec![Vec::<String>::new()];
        while let Some(path) = queue.pop() {
            let text = help(&path);
            for sub in subcommands(&text) {
                let mut child = path.clone();
                child.push(sub);
                queue.push(child);
            }
            let name = command_name(&path);
            let file = format!("{}.txt", name.replace(' ', "-"));
            if let Some((other, _)) = out.insert(file.clone(), (name.clone(), text)) {
                panic!("`{name}` and `{other}` would share the snapshot {file}");
            }
        }
        out
    })
}

/// The snapshot files on disk.
fn snapshot_files() -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(snapshot_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<String> = dir
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_walk_finds_nested_subcommands() {
    let all = all_help();
    assert!(all.contains_key("por.txt"));
    assert!(
        all.len() > 10,
        "only {} commands found: {:?}",
        all.len(),
        all.keys()
    );
    assert!(
        all.keys().any(|f| f.matches('-').count() >= 2),
        "no second-level subcommand found: {:?}",
        all.keys()
    );
}

#[test]
fn every_command_has_a_snapshot() {
    if updating() {
        return; // `help_matches_snapshots` writes them
    }
    let files = snapshot_files();
    let missing: Vec<&String> = all_help()
        .iter()
        .filter(|(file, _)| !files.contains(file))
        .map(|(_, (name, _))| name)
        .collect();
    assert!(
        missing.is_empty(),
        "no help snapshot for {missing:?} in {}; write them with \
         UPDATE_SNAPSHOTS=1 cargo test -p por-cli --test help",
        snapshot_dir().display()
    );
}

#[test]
fn every_snapshot_has_a_command() {
    if updating() {
        return; // `help_matches_snapshots` removes them
    }
    let orphans: Vec<String> = snapshot_files()
        .into_iter()
        .filter(|f| !all_help().contains_key(f))
        .collect();
    assert!(
        orphans.is_empty(),
        "help snapshots of no command: {orphans:?}; remove them with \
         UPDATE_SNAPSHOTS=1 cargo test -p por-cli --test help"
    );
}

#[test]
fn help_matches_snapshots() {
    let dir = snapshot_dir();
    if updating() {
        std::fs::create_dir_all(&dir).unwrap();
        for file in snapshot_files() {
            if !all_help().contains_key(&file) {
                std::fs::remove_file(dir.join(file)).unwrap();
            }
        }
        for (file, (_, text)) in all_help() {
            std::fs::write(dir.join(file), text).unwrap();
        }
        return;
    }
    let mut differ = Vec::new();
    for (file, (name, text)) in all_help() {
        let Ok(expected) = std::fs::read_to_string(dir.join(file)) else {
            continue; // `every_command_has_a_snapshot` names it
        };
        if &expected != text {
            eprintln!("--- {file} (snapshot)\n{expected}\n+++ `{name} --help` (now)\n{text}");
            differ.push(name.as_str());
        }
    }
    assert!(
        differ.is_empty(),
        "`--help` differs from its snapshot for {differ:?} (both texts above); \
         if the change is meant, run UPDATE_SNAPSHOTS=1 cargo test -p por-cli --test help \
         and review the diff"
    );
}
