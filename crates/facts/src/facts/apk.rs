//! `pyinfra.facts.apk`: schema only for now.

use crate::schema::Fact;

/// The facts of `apk`.
pub const FACTS: &[Fact] = &[];
