//! `pyinfra.facts.efibootmgr`: schema only for now.

use crate::schema::Fact;

/// The facts of `efibootmgr`.
pub const FACTS: &[Fact] = &[];
