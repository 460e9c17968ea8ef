//! `pyinfra.facts.pkgin`: schema only for now.

use crate::schema::Fact;

/// The facts of `pkgin`.
pub const FACTS: &[Fact] = &[];
