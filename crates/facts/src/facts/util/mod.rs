//! Helpers shared by several fact modules.

pub mod gpg;
pub mod packaging;
