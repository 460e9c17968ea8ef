//! `pyinfra.facts.openrc`: schema only for now.

use crate::schema::{Arg, Dflt, Fact, arg};

/// `runlevel`: the runlevel both facts look at.
const RUNLEVEL: &[Arg] = &[arg("runlevel", "str", Dflt::Str("default"), "Runlevel to inspect.")];

/// The facts of `openrc`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "OpenrcStatus",
        doc: "The services `rc-status` lists for a runlevel, each mapped to whether it is started.",
        args: RUNLEVEL,
        returns: "dict[str, bool]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpenrcEnabled",
        doc: "Every service `rc-update show -v` knows, mapped to whether it is added to the given runlevel.",
        args: RUNLEVEL,
        returns: "dict[str, bool]",
        default: "{}",
        ..Fact::NEW
    },
];
