//! `pyinfra.facts.runit`: schema only for now.

use crate::schema::{Arg, Dflt, Fact, arg};

/// `service` and `svdir`: both runit facts take them.
const ARGS: &[Arg] = &[
    arg("service", "str | None", Dflt::None, "Look at this service only (default: every service in SVDIR)."),
    arg("svdir", "str", Dflt::Str("/var/service"), "Supervised directory (SVDIR) to look in."),
];

/// The facts of `runit`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "RunitStatus",
        doc: "The supervised services with their `sv status`: True when running, False when down, None for \
              any other state (e.g. failing).",
        args: ARGS,
        returns: "dict[str, bool | None]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "RunitManaged",
        doc: "The names of the services runit supervises, i.e. the symlinks in SVDIR (only `service` itself, \
              if given and linked).",
        args: ARGS,
        returns: "set[str]",
        default: "[]",
        ..Fact::NEW
    },
];
