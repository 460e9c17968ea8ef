//! `pyinfra.operations.pkgin`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage binary packages with `pkgin` (pkgsrc, e.g. on NetBSD, SmartOS or macOS).";

/// The operations of `pkgin`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages (`pkgin -y upgrade`). It runs every time (not idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Refresh pkgin's repository catalogue (`pkgin -y update`). It runs every time (not idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`pkgin -y install`) or remove (`pkgin -y remove`) packages, comparing against the \
              installed list so only what differs is touched. With `latest`, installed packages are \
              passed to `pkgin -y upgrade` on every run. Version patterns are not understood when \
              checking what is installed. `update`/`upgrade` first refresh the catalogue and upgrade \
              everything; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages to the newest version."),
            arg("update", "bool", Dflt::Bool(false), "Refresh the catalogue (`pkgin update`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`pkgin upgrade`) first."),
        ],
        ..Operation::NEW
    },
];
