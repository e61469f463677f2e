//! What the standard prelude would bring into scope and a `no_std` crate
//! takes from `alloc`: every module starts with `use crate::prelude::*;`.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::format;
pub(crate) use alloc::string::{String, ToString};
pub(crate) use alloc::vec;
pub(crate) use alloc::vec::Vec;
