//! `pyinfra.facts.gem`: schema only for now.

use crate::schema::Fact;

/// The facts of `gem`.
pub const FACTS: &[Fact] = &[];
