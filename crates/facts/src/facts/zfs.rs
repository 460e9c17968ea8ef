//! `pyinfra.facts.zfs`: schema only for now.

use crate::schema::Fact;

/// The facts of `zfs`.
pub const FACTS: &[Fact] = &[];
