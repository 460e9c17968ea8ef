//! `pyinfra.facts.pkg`: schema only for now.

use crate::schema::Fact;

/// The facts of `pkg`.
pub const FACTS: &[Fact] = &[];
