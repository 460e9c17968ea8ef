//! `pyinfra.facts.iptables`: schema only for now.

use crate::schema::Fact;

/// The facts of `iptables`.
pub const FACTS: &[Fact] = &[];
