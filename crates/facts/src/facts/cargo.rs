//! `pyinfra.facts.cargo`: schema only for now.

use crate::schema::Fact;

/// The facts of `cargo`.
pub const FACTS: &[Fact] = &[];
