//! `pyinfra.facts.dnf`: schema only for now.

use crate::schema::Fact;

/// The facts of `dnf`.
pub const FACTS: &[Fact] = &[];
