//! `pyinfra.facts.files`: schema only for now.

use crate::schema::Fact;

/// The facts of `files`.
pub const FACTS: &[Fact] = &[];
