//! `pyinfra.facts.server`: schema only for now.

use crate::schema::Fact;

/// The facts of `server`.
pub const FACTS: &[Fact] = &[];
