//! `pyinfra.facts.uv`: schema only for now.

use crate::schema::Fact;

/// The facts of `uv`.
pub const FACTS: &[Fact] = &[];
