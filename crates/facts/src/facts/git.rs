//! `pyinfra.facts.git`: schema only for now.

use crate::schema::Fact;

/// The facts of `git`.
pub const FACTS: &[Fact] = &[];
