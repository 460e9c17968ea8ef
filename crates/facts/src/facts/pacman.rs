//! `pyinfra.facts.pacman`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `pacman`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PacmanUnpackGroup",
        doc: "The real package names a name stands for, as `pacman -S --print-format %n` lists them: the \
              members of a group, the provider of a virtual package, or just the package itself. Empty \
              when pacman knows no such name.",
        args: &[arg("package", "str", Dflt::Required, "Package, group or virtual package name to expand.")],
        returns: "list[str]",
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "PacmanPackages",
        doc: "The installed packages, from `pacman -Q`: package name mapped to the set of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
];
