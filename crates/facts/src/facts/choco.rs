//! `pyinfra.facts.choco`: schema only for now.

use crate::schema::Fact;

/// The facts of `choco`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "ChocoPackages",
        doc: "The Chocolatey packages installed on the host, from `choco list`: package name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "ChocoVersion",
        doc: "The version of Chocolatey itself as printed by `choco --version` (all output joined into one \
              string), or None when choco is not installed.",
        returns: "str",
        default: "null",
        ..Fact::NEW
    },
];
