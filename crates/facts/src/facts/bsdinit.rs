//! `pyinfra.facts.bsdinit`: schema only for now.

use crate::schema::Fact;

/// The facts of `bsdinit`.
pub const FACTS: &[Fact] = &[];
