//! `pyinfra.facts.snap`: schema only for now.

use crate::schema::Fact;

/// The facts of `snap`.
pub const FACTS: &[Fact] = &[];
