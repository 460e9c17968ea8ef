//! `pyinfra.facts.postgres`: schema only for now.

use crate::schema::Fact;

/// The facts of `postgres`.
pub const FACTS: &[Fact] = &[];
