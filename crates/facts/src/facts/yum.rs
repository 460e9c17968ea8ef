//! `pyinfra.facts.yum`: schema only for now.

use crate::schema::Fact;

/// The facts of `yum`.
pub const FACTS: &[Fact] = &[];
