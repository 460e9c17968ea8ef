//! `pyinfra.facts.runit`: schema only for now.

use crate::schema::Fact;

/// The facts of `runit`.
pub const FACTS: &[Fact] = &[];
