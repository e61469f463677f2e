//! Tree-build benchmarks (filled in with the foundation issue).
fn main() {}
