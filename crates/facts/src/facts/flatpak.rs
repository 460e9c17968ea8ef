//! `pyinfra.facts.flatpak`: schema only for now.

use crate::schema::Fact;

/// The facts of `flatpak`.
pub const FACTS: &[Fact] = &[];
