//! `pyinfra.facts.postgresql`: schema only for now.

use crate::schema::Fact;

/// The facts of `postgresql`.
pub const FACTS: &[Fact] = &[];
