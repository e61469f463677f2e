//! Shared data generation for the benchmarks.
