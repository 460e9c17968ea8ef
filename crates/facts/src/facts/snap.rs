//! `pyinfra.facts.snap`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `snap`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "SnapPackage",
        doc: "Details of one snap from `snap info`: `name`, `publisher`, `snap-id`, `channel` (the tracked \
              `track/risk`) and `version` (installed), each present only when reported.",
        args: &[arg("package", "str", Dflt::Required, "Name of the snap.")],
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "SnapPackages",
        doc: "The names of the installed snaps, as listed by `snap list`.",
        returns: "list[str]",
        default: "[]",
        ..Fact::NEW
    },
];
