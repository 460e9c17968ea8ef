//! `pyinfra.facts.pip`: schema only for now.

use crate::schema::Fact;

/// The facts of `pip`.
pub const FACTS: &[Fact] = &[];
