//! `pyinfra.facts.freebsd`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// Doc of the `jail` argument, shared by every fact.
const JAIL: &str = "Look inside this jail instead of the host.";

/// The facts of `freebsd`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "ServiceScript",
        doc: "The name of the rc(8) script when `service -l` lists one called `srvname`, or None when there \
              is no such service.",
        args: &[
            arg("srvname", "str", Dflt::Required, "Name of the service to look for."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str | None",
        ..Fact::NEW
    },
    Fact {
        name: "ServiceStatus",
        doc: "`\"running\"` when the service's status command succeeds, None otherwise (stopped or unknown).",
        args: &[
            arg("srvname", "str", Dflt::Required, "Name of the service to check."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str | None",
        ..Fact::NEW
    },
    Fact {
        name: "Sysrc",
        doc: "The current value of an rc.conf variable as `sysrc -in` prints it, or None when the variable \
              is not set.",
        args: &[
            arg("parameter", "str", Dflt::Required, "Name of the rc.conf variable."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str | None",
        ..Fact::NEW
    },
    Fact {
        name: "PkgPackage",
        doc: "The installed package matching `package` as `name-version` (from `pkg info -E`), or None when \
              it is not installed.",
        args: &[
            arg("package", "str", Dflt::Required, "Name of the package."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str | None",
        ..Fact::NEW
    },
];
