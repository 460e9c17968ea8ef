//! `pyinfra.facts.go`: schema only for now.

use crate::schema::Fact;

/// The facts of `go`.
pub const FACTS: &[Fact] = &[];
