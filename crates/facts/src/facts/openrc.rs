//! `pyinfra.facts.openrc`: schema only for now.

use crate::schema::Fact;

/// The facts of `openrc`.
pub const FACTS: &[Fact] = &[];
