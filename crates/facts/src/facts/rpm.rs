//! `pyinfra.facts.rpm`: schema only for now.

use crate::schema::Fact;

/// The facts of `rpm`.
pub const FACTS: &[Fact] = &[];
