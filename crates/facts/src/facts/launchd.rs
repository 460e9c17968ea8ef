//! `pyinfra.facts.launchd`: schema only for now.

use crate::schema::Fact;

/// The facts of `launchd`.
pub const FACTS: &[Fact] = &[];
