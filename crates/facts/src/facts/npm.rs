//! `pyinfra.facts.npm`: schema only for now.

use crate::schema::Fact;

/// The facts of `npm`.
pub const FACTS: &[Fact] = &[];
