//! `pyinfra.facts.pipx`: schema only for now.

use crate::schema::Fact;

/// The facts of `pipx`.
pub const FACTS: &[Fact] = &[];
