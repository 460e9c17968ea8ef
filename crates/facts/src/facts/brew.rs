//! `pyinfra.facts.brew`: schema only for now.

use crate::schema::Fact;

/// The facts of `brew`.
pub const FACTS: &[Fact] = &[];
