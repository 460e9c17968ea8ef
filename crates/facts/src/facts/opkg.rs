//! `pyinfra.facts.opkg`: schema only for now.

use crate::schema::Fact;

/// The facts of `opkg`.
pub const FACTS: &[Fact] = &[];
