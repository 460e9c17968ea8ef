//! `pyinfra.facts.pkg`: schema only for now.

use crate::schema::Fact;

/// The facts of `pkg`.
pub const FACTS: &[Fact] = &[Fact {
    name: "PkgPackages",
    doc: "The installed BSD packages, from `pkg info` (or `pkg_info` where pkg is missing): package name \
          mapped to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
