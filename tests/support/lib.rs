//! Helpers shared by the end-to-end tests: locating the `por` binary and the
//! repository's files.

use std::path::PathBuf;

/// The repository root.
#[must_use]
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository root")
        .to_path_buf()
}

/// The `por` binary built by cargo for this test run.
///
/// # Panics
///
/// Panics if the binary cannot be found next to the test executable.
#[must_use]
pub fn por_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("POR_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<test-exe> -> target/<profile>/por
    let exe = std::env::current_exe().expect("the test knows its own path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("test executables live in target/<profile>/deps");
    let bin = dir.join(format!("por{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: build it first with `cargo build -p por-cli`",
        bin.display()
    );
    bin
}
