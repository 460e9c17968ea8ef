//! `pyinfra.facts.gem`: schema only for now.

use crate::schema::Fact;

/// The facts of `gem`.
pub const FACTS: &[Fact] = &[Fact {
    name: "GemPackages",
    doc: "The locally installed Ruby gems, from `gem list --local`: gem name mapped to the set of installed \
          versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
