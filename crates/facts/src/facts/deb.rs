//! `pyinfra.facts.deb`: schema only for now.

use crate::schema::Fact;

/// The facts of `deb`.
pub const FACTS: &[Fact] = &[];
