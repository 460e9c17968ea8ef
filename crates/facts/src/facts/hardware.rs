//! `pyinfra.facts.hardware`: schema only for now.

use crate::schema::Fact;

/// The facts of `hardware`.
pub const FACTS: &[Fact] = &[];
