//! `pyinfra.facts.vzctl`: schema only for now.

use crate::schema::Fact;

/// The facts of `vzctl`.
pub const FACTS: &[Fact] = &[];
