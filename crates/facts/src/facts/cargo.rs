//! `pyinfra.facts.cargo`: schema only for now.

use crate::schema::Fact;

/// The facts of `cargo`.
pub const FACTS: &[Fact] = &[Fact {
    name: "CargoPackages",
    doc: "The crates installed globally with `cargo install`, from `cargo install --list`: crate name mapped \
          to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
