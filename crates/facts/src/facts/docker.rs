//! `pyinfra.facts.docker`: schema only for now.

use crate::schema::Fact;

/// The facts of `docker`.
pub const FACTS: &[Fact] = &[];
