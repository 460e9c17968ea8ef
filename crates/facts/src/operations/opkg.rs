//! `pyinfra.operations.opkg`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage packages with `opkg`, the package manager of OpenWrt before 25.12 (which moved to apk).";

/// The operations of `opkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Refresh opkg's lists of available packages (`opkg update`). It runs every time (not idempotent). \
              There is deliberately no upgrade-everything operation, as OpenWrt advises against it.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install or remove opkg packages, comparing against the installed list (`opkg list-installed`) \
              so only what differs is touched; with `latest`, installed packages are passed to `opkg upgrade` \
              on every run. opkg cannot pin versions: a `name=version` spec raises an error. An empty package \
              list is a no-op. By default the package lists are refreshed first, which counts as a change.",
        args: &[
            arg("packages", "str | list[str]", Dflt::Str(""), "Package name(s) to manage (no version pinning)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages to the newest version."),
            arg("update", "bool", Dflt::Bool(true), "Run `opkg update` before installing."),
        ],
        ..Operation::NEW
    },
];
