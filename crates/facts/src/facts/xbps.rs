//! `pyinfra.facts.xbps`: schema only for now.

use crate::schema::Fact;

/// The facts of `xbps`.
pub const FACTS: &[Fact] = &[Fact {
    name: "XbpsPackages",
    doc: "The installed packages, from `xbps-query -l`: package name mapped to the set of installed versions \
          (`version_revision`).",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
