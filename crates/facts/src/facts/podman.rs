//! `pyinfra.facts.podman`: schema only for now.

use crate::schema::Fact;

/// The facts of `podman`.
pub const FACTS: &[Fact] = &[];
