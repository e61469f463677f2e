//! End-to-end tests of the `por` binary.
