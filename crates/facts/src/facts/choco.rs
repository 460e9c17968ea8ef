//! `pyinfra.facts.choco`: schema only for now.

use crate::schema::Fact;

/// The facts of `choco`.
pub const FACTS: &[Fact] = &[];
