//! A value computed once and then shared (tree v2's generators and
//! tables): `std::sync::OnceLock` with `std`; without it, a wrapper with the
//! same two methods over once_cell's `race::OnceBox` (`no_std` + `alloc`, no
//! lock: threads that race to fill it each compute the value, one is kept,
//! and every value is the same since it is a pure function of constants).

#[cfg(feature = "std")]
pub(crate) use std::sync::OnceLock;

#[cfg(not(feature = "std"))]
pub(crate) use race::OnceLock;

#[cfg(not(feature = "std"))]
mod race {
    use alloc::boxed::Box;

    /// `std::sync::OnceLock`'s `new` and `get_or_init`, without `std`.
    pub(crate) struct OnceLock<T>(once_cell::race::OnceBox<T>);

    impl<T> OnceLock<T> {
        pub(crate) const fn new() -> Self {
            Self(once_cell::race::OnceBox::new())
        }

        pub(crate) fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
            self.0.get_or_init(|| Box::new(f()))
        }
    }
}
