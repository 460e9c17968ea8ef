//! `pyinfra.operations.xbps`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage packages on Void Linux with XBPS (`xbps-install`/`xbps-remove`). Package names \
                       are case-sensitive.";

/// The operations of `xbps`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages (`xbps-install -y -u`). It runs every time (not idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Synchronise the remote repository indexes (`xbps-install -S`). It runs every time (not \
              idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`xbps-install -y -u`) or remove (`xbps-remove -y`) packages, comparing against the \
              installed list so only what differs is touched. `update`/`upgrade` first sync the indexes \
              and upgrade the system; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("update", "bool", Dflt::Bool(false), "Sync the repository indexes (`xbps-install -S`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`xbps-install -y -u`) first."),
        ],
        ..Operation::NEW
    },
];
