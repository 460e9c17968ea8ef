//! `pyinfra.operations.pacman`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage packages on Arch Linux and derivatives with `pacman`.";

/// The operations of `pacman`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade every installed package to the version in the synced repositories \
              (`pacman --noconfirm -Su`). It runs every time (not idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Synchronise the package databases from the mirrors (`pacman -Sy`). It runs every time \
              (not idempotent).",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`pacman -S`) or remove (`pacman -R`) packages, comparing against the installed list \
              so only what differs is touched. A package group is expanded to its members and counts as \
              installed when all of them are. A spec like `<pkg>=<version>` is handed to pacman as is. \
              `update`/`upgrade` first sync the databases and upgrade the system; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package or group name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("update", "bool", Dflt::Bool(false), "Sync the package databases (`pacman -Sy`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`pacman -Su`) first."),
        ],
        ..Operation::NEW
    },
];
