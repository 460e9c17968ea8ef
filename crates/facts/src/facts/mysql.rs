//! `pyinfra.facts.mysql`: schema only for now.

use crate::schema::Fact;

/// The facts of `mysql`.
pub const FACTS: &[Fact] = &[];
