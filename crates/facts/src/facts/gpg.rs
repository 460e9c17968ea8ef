//! `pyinfra.facts.gpg`: schema only for now.

use crate::schema::Fact;

/// The facts of `gpg`.
pub const FACTS: &[Fact] = &[];
