//! `pyinfra.facts.crontab`: schema only for now.

use crate::schema::Fact;

/// The facts of `crontab`.
pub const FACTS: &[Fact] = &[];
