//! Helpers shared by several fact modules.

pub mod gpg;
pub mod number;
pub mod packaging;
