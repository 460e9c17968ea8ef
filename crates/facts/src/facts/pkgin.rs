//! `pyinfra.facts.pkgin`: schema only for now.

use crate::schema::Fact;

/// The facts of `pkgin`.
pub const FACTS: &[Fact] = &[Fact {
    name: "PkginPackages",
    doc: "The installed packages, from `pkgin list`: package name mapped to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
