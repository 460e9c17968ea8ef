//! `pyinfra.facts.upstart`: schema only for now.

use crate::schema::Fact;

/// The facts of `upstart`.
pub const FACTS: &[Fact] = &[];
