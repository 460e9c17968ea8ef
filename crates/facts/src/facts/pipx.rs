//! `pyinfra.facts.pipx`: schema only for now.

use crate::schema::Fact;

/// The facts of `pipx`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PipxPackages",
        doc: "The applications installed with pipx, from `pipx list --short`: package name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "PipxEnvironment",
        doc: "The variables printed by `pipx environment` (`PIPX_HOME`, `PIPX_BIN_DIR`, ...), name mapped to \
              value.",
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
];
