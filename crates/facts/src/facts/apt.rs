//! `pyinfra.facts.apt`: schema only for now.

use crate::schema::Fact;

/// The facts of `apt`.
pub const FACTS: &[Fact] = &[];
