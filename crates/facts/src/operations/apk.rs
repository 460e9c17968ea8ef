//! `pyinfra.operations.apk`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install, remove and upgrade packages with apk, the package manager of Alpine Linux.";

/// The operations of `apk`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade every installed apk package by running `apk upgrade`. Runs every time and always \
              counts as a change. With `available`, packages are also replaced by the versions the \
              configured repositories currently offer, which is what an Alpine release upgrade needs.",
        args: &[arg(
            "available",
            "bool",
            Dflt::Bool(false),
            "Add `--available` so every package is re-synced to the repositories' versions.",
        )],
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Refresh the apk package index from the configured repositories (`apk update`). Not \
              idempotent: the command runs on every deploy.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Make sure apk packages are installed or removed. Compares the wanted packages with the \
              installed ones (the `apk.ApkPackages` fact) and only runs `apk add` / `apk del` for the \
              difference, so a second run changes nothing. A version can be pinned as `name=version`; \
              with `latest`, installed packages given without a version are upgraded too. `update` and \
              `upgrade` refresh the index or upgrade everything first.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name or list of names, optionally pinned as `name=version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, remove them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
            arg("update", "bool", Dflt::Bool(false), "Run `apk update` before anything else."),
            arg("upgrade", "bool", Dflt::Bool(false), "Run `apk upgrade` before installing."),
        ],
        ..Operation::NEW
    },
];
