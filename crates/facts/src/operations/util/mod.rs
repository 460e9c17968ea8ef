//! Helpers shared by several operation modules.

pub mod docker;
pub mod packaging;
pub mod pep508;
pub mod url;
