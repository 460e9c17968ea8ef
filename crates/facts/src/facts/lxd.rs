//! `pyinfra.facts.lxd`: schema only for now.

use crate::schema::Fact;

/// The facts of `lxd`.
pub const FACTS: &[Fact] = &[];
