//! `pyinfra.facts.xbps`: schema only for now.

use crate::schema::Fact;

/// The facts of `xbps`.
pub const FACTS: &[Fact] = &[];
