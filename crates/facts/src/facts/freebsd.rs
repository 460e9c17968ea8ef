//! `pyinfra.facts.freebsd`: schema only for now.

use crate::schema::Fact;

/// The facts of `freebsd`.
pub const FACTS: &[Fact] = &[];
