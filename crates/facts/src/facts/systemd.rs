//! `pyinfra.facts.systemd`: schema only for now.

use crate::schema::Fact;

/// The facts of `systemd`.
pub const FACTS: &[Fact] = &[];
