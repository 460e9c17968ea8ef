//! Helpers shared by several fact modules.

pub mod databases;
pub mod gpg;
pub mod number;
pub mod packaging;
