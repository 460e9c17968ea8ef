//! `pyinfra.facts.zypper`: schema only for now.

use crate::schema::Fact;

/// The facts of `zypper`.
pub const FACTS: &[Fact] = &[];
