//! `pyinfra.facts.pacman`: schema only for now.

use crate::schema::Fact;

/// The facts of `pacman`.
pub const FACTS: &[Fact] = &[];
