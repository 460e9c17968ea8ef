//! `pyinfra.facts.selinux`: schema only for now.

use crate::schema::Fact;

/// The facts of `selinux`.
pub const FACTS: &[Fact] = &[];
