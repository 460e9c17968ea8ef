//! `pyinfra.facts.sysvinit`: schema only for now.

use crate::schema::Fact;

/// The facts of `sysvinit`.
pub const FACTS: &[Fact] = &[];
